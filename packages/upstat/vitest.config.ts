import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The property tests (fast-check, hundreds of generated runs) take a second on an idle machine and more than
    // vitest's default 5 s on a loaded 2-core one (a CI run failed so). Tests assert outcomes, never time.
    testTimeout: 30_000,
  },
});
