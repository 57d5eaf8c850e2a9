import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Loading Prism takes seconds on a loaded machine: hooks that start mocks get a generous limit.
    hookTimeout: 60_000,
    testTimeout: 30_000,
  },
});
