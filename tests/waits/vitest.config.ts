import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The chaos runs wait for uploads that take up to a minute; the table's cases take seconds.
    testTimeout: 180_000,
    hookTimeout: 30_000,
    // The files mostly wait (for scheduled checks, outages to end): on two cores, vitest's default of one file at a
    // time would leave the machine idle. They share nothing but loopback ports picked by the system.
    maxWorkers: 3,
  },
});
