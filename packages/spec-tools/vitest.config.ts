import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // These tests spawn the CLI, Redocly and openapi-typescript; under a full parallel build on two cores
    // that can take several seconds. A generous ceiling, not a timing assertion.
    testTimeout: 60_000,
    // Set-up hooks run the CLI too (a generate into a throwaway repository): the same ceiling.
    hookTimeout: 60_000,
  },
});
