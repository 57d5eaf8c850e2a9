import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The chaos runs wait for uploads that take up to a minute; the table's cases take seconds.
    testTimeout: 180_000,
    hookTimeout: 30_000,
  },
});
