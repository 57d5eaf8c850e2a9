#!/usr/bin/env node
// `pnpm spec:diff|spec:check|spec:fetch|spec:update ...` (and `node scripts/spec.mjs published`, the list the
// scheduled workflow .github/workflows/spec-updates.yml fetches): builds @upstat/spec-tools when needed (turbo,
// cached; its log goes to stderr so `--json` output stays clean), then runs `upstat-spec` with the arguments given.
// For `update`, the type check is scripts/spec-typecheck.mjs: the regenerated client, then every package that depends
// on it when the client's declarations changed.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const turbo = join(root, 'scripts', 'turbo.mjs');

const build = spawnSync(process.execPath, [turbo, 'run', 'build', '--filter=@upstat/spec-tools', '--output-logs=errors-only'], {
  cwd: root,
  stdio: ['ignore', process.stderr, process.stderr],
});
if (build.status !== 0) process.exit(build.status ?? 1);

const args = process.argv.slice(2);
if (args[0] === 'update' && !args.includes('--typecheck')) {
  args.push('--typecheck', `node ${JSON.stringify(join(root, 'scripts', 'spec-typecheck.mjs'))} {provider} {package}`);
}
// The registry re-exports every provider's types, so it takes the same bump as the provider (the CLI, which
// depends on it, gets changesets' dependent patch bump).
if (args[0] === 'update' && !args.includes('--dependent')) args.push('--dependent', '@upstat/providers');
const run = spawnSync(process.execPath, [join(root, 'packages', 'spec-tools', 'bin', 'upstat-spec.js'), ...args], { cwd: root, stdio: 'inherit' });
process.exit(run.status ?? 1);
