import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Each test file starts its own redis-server and worker processes: one file at a time on a small machine.
  test: { include: ['test/**/*.test.ts'], fileParallelism: false, testTimeout: 120_000, hookTimeout: 60_000 },
});
