#!/usr/bin/env node
// `npm test` (the root `verify` script): every check CI runs, in the order they need, as fast as two cores allow.
//
// 1. Everything is built (turbo's cache: nothing after `npm start`), so that every check below can start at once.
// 2. At the same time, as three processes: the check that the generated files are what the generators write (the
//    providers' files; each spec's client is the generate:check task), and two turbo runs. FIRST: the suites that
//    would otherwise start last (turbo starts tasks in the packages' dependency order, and these depend on nearly
//    everything) yet take longest — the two that rebuild and check a copy of the repository, the one that installs
//    the tarballs, and the two that mostly wait on timers, servers and Redis restarts — all from the start. Beside
//    them, three at a time: every other suite, the specs' lint and generated-code check, the one type check of every
//    package (typecheck:repo) and the one ESLint over the repository. The machine has two cores and the suite is
//    CPU-bound: what matters is that no long task starts late, leaving a core idle at the end (measured: with the
//    end-to-end suites started late, a core idled for the last two minutes). All must pass; each one's output names
//    its failures.
import { spawn, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const FIRST = ['@upstat/provider-tests', '@upstat/spec-update-tests', '@upstat/packaging-tests', '@upstat/wait-tests', '@upstat/queue'];

function node(args) {
  const run = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  if (run.status !== 0) process.exit(run.status ?? 1);
}
const turbo = (...args) => [join(root, 'scripts', 'turbo.mjs'), 'run', ...args];

node(turbo('build', '--output-logs=errors-only'));

const lanes = [
  [join(root, 'scripts', 'providers.mjs'), 'generate', '--check'],
  turbo('test', ...FIRST.map((name) => `--filter=${name}`), `--concurrency=${FIRST.length}`),
  turbo('spec:lint', 'generate:check', 'typecheck:repo', 'lint:repo', 'test', ...FIRST.map((name) => `--filter=!${name}`), '--concurrency=3'),
].map(
  (args) =>
    new Promise((resolve) => {
      spawn(process.execPath, args, { cwd: root, stdio: 'inherit' }).once('exit', (code, signal) => resolve(code ?? (signal === null ? 1 : 128)));
    }),
);
const codes = await Promise.all(lanes);
process.exit(codes.find((code) => code !== 0) ?? 0);
