export {
  freePort,
  MockStartError,
  startMockServers,
  stopMockServers,
  type MockServer,
  type MockSpec,
  type StartMockOptions,
} from './servers.js';
export { SCENARIO_SEGMENT, type MockScenarios } from './front.js';
export {
  deriveScenarios,
  providerMockSpec,
  providerScenarios,
  providerSpecPath,
  scenarioRef,
  ScenarioError,
  startProviderMocks,
  type ExternalProvider,
  type ProviderSource,
  type Scenario,
  type ScenarioStep,
  type StartProviderMocksOptions,
} from './providers.js';
