#!/usr/bin/env node
// Runs this repo's pinned pnpm on a machine that has only Node and npm.
//
// Corepack's signature check fails on some machines and a global pnpm is not assumed, so the
// pnpm release is pinned (with its integrity hash) in tools/pnpm/package-lock.json and installed
// there with `npm ci`. Then the workspace is installed with a frozen lockfile and pnpm is run
// with the arguments given:  node scripts/with-pnpm.mjs run verify
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const toolDir = join(root, 'tools', 'pnpm');
const pnpmBin = join(toolDir, 'node_modules', 'pnpm', 'bin', 'pnpm.cjs');

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', ...options });
  if (result.error) throw result.error;
  if (result.status !== 0) process.exit(result.status ?? 1);
}

function installedPnpmVersion() {
  const manifest = join(toolDir, 'node_modules', 'pnpm', 'package.json');
  return existsSync(manifest) ? JSON.parse(readFileSync(manifest, 'utf8')).version : undefined;
}

const pinned = JSON.parse(readFileSync(join(toolDir, 'package.json'), 'utf8')).dependencies.pnpm;
if (installedPnpmVersion() !== pinned) {
  console.error(`[upstat] installing pinned pnpm ${pinned} into tools/pnpm (npm ci)`);
  run('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: toolDir });
}

// Keep the pnpm we just pinned first on PATH for every nested `pnpm` call (turbo, scripts).
const env = {
  ...process.env,
  PATH: `${join(toolDir, 'node_modules', '.bin')}:${process.env.PATH ?? ''}`,
  COREPACK_ENABLE_STRICT: '0',
};
if (process.env.UPSTAT_SKIP_INSTALL !== '1') {
  run(process.execPath, [pnpmBin, 'install', '--frozen-lockfile', '--reporter=append-only'], { env });
}
run(process.execPath, [pnpmBin, ...process.argv.slice(2)], { env });
