#!/usr/bin/env node
// `npm test` (the root `verify` script): every check CI runs, in the order they need, as fast as two cores allow.
//
// 1. The generated files are what the generators write (providers, then each spec's client: generate:check), and
//    the specs lint clean.
// 2. Everything is built (turbo's cache: nothing after `npm start`), so that the checks below can start at once.
// 3. Two turbo runs at the same time. FIRST: the suites that would otherwise start last (turbo starts tasks in the
//    packages' dependency order, and these depend on nearly everything) yet take longest — the two that rebuild and
//    check a copy of the repository, the one that installs the tarballs, and the two that mostly wait on timers,
//    servers and Redis restarts — all from the start. Beside them, three at a time: every other suite, the one type
//    check of every package (typecheck:repo) and the one ESLint over the repository. The machine has two cores and
//    the suite is CPU-bound: what matters is that no long task starts late, leaving a core idle at the end (measured:
//    with the end-to-end suites started late, a core idled for the last two minutes). Both runs must pass; each one's
//    output names its failures.
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

node([join(root, 'scripts', 'providers.mjs'), 'generate', '--check']);
node(turbo('spec:lint', 'generate:check', '--concurrency=2'));
node(turbo('build', '--output-logs=errors-only'));

const lanes = [
  turbo('test', ...FIRST.map((name) => `--filter=${name}`), `--concurrency=${FIRST.length}`),
  turbo('typecheck:repo', 'lint:repo', 'test', ...FIRST.map((name) => `--filter=!${name}`), '--concurrency=3'),
].map(
  (args) =>
    new Promise((resolve) => {
      spawn(process.execPath, args, { cwd: root, stdio: 'inherit' }).once('exit', (code, signal) => resolve(code ?? (signal === null ? 1 : 128)));
    }),
);
const codes = await Promise.all(lanes);
process.exit(codes.find((code) => code !== 0) ?? 0);
