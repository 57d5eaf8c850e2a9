import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The tests run the built CLI as a child process (and one starts Prism); allow for a loaded machine.
    testTimeout: 60_000,
  },
});
