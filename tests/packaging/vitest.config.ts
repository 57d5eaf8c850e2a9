import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Packs every published package once; the tests read the tarballs and the teardown deletes them.
    globalSetup: ['./src/global-setup.ts'],
    // Installs, type checks, Prism and a browser: slow steps, each run for real.
    testTimeout: 300_000,
    hookTimeout: 300_000,
    // Two cores: the files already start several processes each (pnpm, tsc, Prism, Chromium).
    fileParallelism: false,
  },
});
