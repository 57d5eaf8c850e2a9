export { freePort, startMockServers, stopMockServers, type MockServer, type MockSpec, type StartMockOptions } from './servers.js';
