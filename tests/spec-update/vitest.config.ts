import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Each update rebuilds and type-checks part of a copy of the repository.
    testTimeout: 600_000,
    hookTimeout: 120_000,
    // The copies share two cores with nothing else; run the files one after another.
    fileParallelism: false,
  },
});
