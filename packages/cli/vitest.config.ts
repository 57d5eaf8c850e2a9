import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The tests run the built CLI as a child process (and one starts Prism); allow for a loaded machine.
    testTimeout: 60_000,
    // Each test mostly waits for a child process and a local server: on two cores, vitest's default of one file at a
    // time would leave the machine idle. The files share nothing but loopback ports picked by the system.
    maxWorkers: 3,
  },
});
