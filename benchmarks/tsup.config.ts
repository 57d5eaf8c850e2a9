import { defineConfig } from 'tsup';

export default defineConfig({
  // main: the runner; generator-child: one generator run in its own process, so its peak memory is its own;
  // status-server: the local HTTP server of the request benchmark, in its own process; request-worker: one
  // variant of that benchmark, in its own worker thread; hostile-server and memory-child: the misbehaving server and
  // one memory measurement of the guarantees benchmark, each in its own process; mocks-child: one start of every
  // provider's mock, in its own process; watcher-server and watcher-child: the server and one client run of the
  // watcher benchmark, each in its own process.
  entry: ['src/main.ts', 'src/generator-child.ts', 'src/status-server.ts', 'src/request-worker.ts', 'src/hostile-server.ts', 'src/memory-child.ts', 'src/mocks-child.ts', 'src/watcher-server.ts', 'src/watcher-child.ts'],
  format: 'esm',
  clean: true,
  sourcemap: true,
  // test-support is TypeScript source (not built): bundle it in.
  noExternal: ['@upstat/test-support'],
});
