import { defineConfig } from 'tsup';

export default defineConfig({
  // index: the library (package.json "exports"); cli: the `upstat-spec` bin, which bin/upstat-spec.js imports.
  entry: ['src/index.ts', 'src/cli.ts'],
  format: 'esm',
  dts: true,
  clean: true,
  sourcemap: true,
  // Splitting (tsup's default for ESM, stated here because start-up depends on it) makes every `await import()` in
  // src/cli.ts its own chunk, so `upstat-spec --help` evaluates dist/cli.js and a few small shared chunks; one
  // bundle would evaluate every command's code, and import its packages (openapi-typescript and TypeScript,
  // openapi-format), before parsing the arguments. Dependencies stay external (tsup's default), so a package is read
  // from node_modules only when a command that needs it runs. test/startup.test.ts checks what each command loads.
  splitting: true,
});
