import { readFileSync } from 'node:fs';
import { defineConfig, type Options } from 'tsup';

// The version in the User-Agent comes from package.json at build time (src/user-agent.ts), so a version bump by
// changesets needs no source change.
const { version } = JSON.parse(readFileSync(new URL('package.json', import.meta.url), 'utf8')) as { version: string };

const shared: Options = {
  entry: ['src/index.ts'],
  sourcemap: true,
  define: { __UPSTAT_CORE_VERSION__: JSON.stringify(version) },
};

export default defineConfig([
  // Each build cleans only its own files: the two run in parallel over one dist/.
  { ...shared, format: 'esm', dts: true, clean: ['*.js', '*.js.map', '*.d.ts'] },
  {
    ...shared,
    format: 'cjs',
    dts: true,
    clean: ['*.cjs', '*.cjs.map', '*.d.cts'],
    // openapi-fetch's CommonJS build sets `exports.default = createClient`, and esbuild's interop for a
    // "type": "module" package hands `require('openapi-fetch')` itself to a default import, so an external
    // openapi-fetch would make createClient undefined for CommonJS users. The CJS build therefore carries
    // its own copy (about 3 kB); the ESM build keeps openapi-fetch external so bundlers deduplicate it.
    noExternal: ['openapi-fetch'],
  },
]);
