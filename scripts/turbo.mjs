#!/usr/bin/env node
// Runs the workspace's turbo with its network features off: no telemetry, no update check.
// Everything this repo runs stays on the machine (and on loopback); see README "Network".
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path';

const require = createRequire(import.meta.url);
const turboManifest = require.resolve('turbo/package.json');
const turboBin = join(dirname(turboManifest), 'bin', 'turbo');

const result = spawnSync(process.execPath, [turboBin, ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: {
    ...process.env,
    TURBO_TELEMETRY_DISABLED: '1',
    DO_NOT_TRACK: '1',
    TURBO_NO_UPDATE_NOTIFIER: '1',
    // `pnpm exec` puts a relative `./node_modules/.bin` first on PATH; turbo finds `pnpm` there and then runs it from
    // each package's directory, where that path names nothing ("unable to spawn child process"). Made absolute here.
    PATH: (process.env.PATH ?? '').split(delimiter).map((entry) => (entry === '' || isAbsolute(entry) ? entry : resolve(entry))).join(delimiter),
  },
});
if (result.error) throw result.error;
process.exit(result.status ?? 1);
