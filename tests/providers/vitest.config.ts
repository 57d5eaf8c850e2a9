import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One copy of the repository is installed, built, type-checked, linted and tested: minutes on two cores.
    testTimeout: 900_000,
    hookTimeout: 300_000,
  },
});
