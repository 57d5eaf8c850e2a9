import { readFileSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

// As in tsup.config.ts: the tests run the source with the version the build would put in.
const { version } = JSON.parse(readFileSync(new URL('package.json', import.meta.url), 'utf8')) as { version: string };

export default defineConfig({
  define: { __UPSTAT_CORE_VERSION__: JSON.stringify(version) },
  test: {
    include: ['test/**/*.test.ts'],
    // The property tests (fast-check, hundreds of generated runs) take a second on an idle machine and more than
    // vitest's default 5 s on a loaded 2-core one (a CI run failed so). Tests assert outcomes, never time.
    testTimeout: 30_000,
  },
});
