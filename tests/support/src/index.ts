export { startLocalServer, sendJson, type LocalServer, type ReceivedRequest } from './local-server.js';
export { virtualClock, type VirtualClock } from './virtual-clock.js';
export { syntheticSpec, type SyntheticSpecOptions } from './synthetic-spec.js';
export { copyRepo, repoRoot, snapshot, spec } from './repo-copy.js';
