// One start of every provider's mock through @upstat/mocks, in a fresh process (module loading included, as a
// user's `upstat mock` or test hook pays it): prints "ready" once every server answers, then stops them.
import { createRequire } from 'node:module';
import { startMockServers, stopMockServers } from '@upstat/mocks';
import { PROVIDERS } from '@upstat/providers';

const registryRequire = createRequire(createRequire(import.meta.url).resolve('@upstat/providers/package.json'));
const servers = await startMockServers(
  PROVIDERS.map(({ definition }) => ({ name: definition.id, specPath: registryRequire.resolve(`@upstat/${definition.id}/openapi.json`) })),
);
process.stdout.write('ready\n');
await stopMockServers(servers);
