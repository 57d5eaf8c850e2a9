// The build of every provider package (its `build` script, written by render.mjs, passes this file to tsup): puts
// the package's version from its package.json into `__UPSTAT_PACKAGE_VERSION__`, which the generated src/index.ts
// names in the User-Agent. Read at build time, so a version bump by changesets needs no regeneration.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const { version } = JSON.parse(readFileSync(join(process.cwd(), 'package.json'), 'utf8'));

export default { define: { __UPSTAT_PACKAGE_VERSION__: JSON.stringify(version) } };
