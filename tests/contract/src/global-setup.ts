import { providerMockSpec, startMockServers, stopMockServers, type MockServer } from '@upstat/mocks';
import type { TestProject } from 'vitest/node';
import { effectiveSpecPath, PROVIDER_IDS, type ProviderId } from './specs.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Base URL of the Prism mock serving each provider's effective spec. */
    mockUrls: Record<ProviderId, string>;
    /** The token endpoint of each mock whose provider fetches OAuth2 tokens. */
    tokenUrls: Partial<Record<ProviderId, string>>;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // The effective specs without the scenario layer: these tests choose Prism's answers themselves.
  const servers: MockServer[] = await startMockServers(
    PROVIDER_IDS.map((name) => ({ name, specPath: effectiveSpecPath(name), tokenPath: providerMockSpec(name).tokenPath })),
  );
  project.provide('mockUrls', Object.fromEntries(servers.map((server) => [server.name, server.url])) as Record<ProviderId, string>);
  project.provide('tokenUrls', Object.fromEntries(servers.flatMap((server) => (server.tokenUrl === undefined ? [] : [[server.name, server.tokenUrl]]))));

  return async () => {
    const violations = servers.flatMap((server) => server.violations().map((line) => `${server.name}: ${line.trim()}`));
    await stopMockServers(servers);
    // Every request the clients send must pass Prism's validation; the tests check each response's
    // sl-violations header, and this catches anything Prism only logged.
    // vitest prints an error thrown here but still exits 0, so set the exit code too.
    if (violations.length > 0) {
      process.exitCode = 1;
      throw new Error(`Prism reported spec violations:\n${violations.join('\n')}`);
    }
  };
}
