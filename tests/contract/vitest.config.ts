import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One Prism server per effective spec, started once for the whole run and always stopped.
    globalSetup: ['./src/global-setup.ts'],
    hookTimeout: 90_000,
    testTimeout: 30_000,
  },
});
