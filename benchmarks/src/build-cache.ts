import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { PROVIDERS } from '@upstat/providers';
import { atMost, formatMs, formatSpread, repoRoot, spread, table, type SectionResult } from './report.js';
import { scaled } from './scale.js';

const CACHED_RUNS = scaled(5, 1);
const GENERATE_RUNS = scaled(5, 3);

/**
 * Generating one provider (its spec changed: the task forced, the generator already built) ≤ this many times a bare
 * Node start. Measured 2026-12-07 on the 2-core machine by `npx pnpm bench --only build-cache`, A B A B: 2.26 s
 * (2.08–2.27) against 32 ms for `node -e 0`, 71×; `npx pnpm generate` used to build every package first, 20–30 s
 * (≥ 600×). The budget leaves the start-up noise of a loaded machine room and still fails if generating one provider
 * builds anything else again.
 */
const GENERATE_ONE_GOAL_RATIO = 100;

/** Wall time of `node <args>` from the repository root, failing loudly. */
function timed(args: string[]): number {
  const begin = performance.now();
  const result = spawnSync(process.execPath, args, { cwd: repoRoot, encoding: 'utf8' });
  const ms = performance.now() - begin;
  if (result.status !== 0) throw new Error(`node ${args.join(' ')} failed (${String(result.status)}):\n${result.stdout}${result.stderr}`);
  return ms;
}

/**
 * One provider's generation against a bare Node start, interleaved A B A B so that both see the same machine: its
 * generate task forced (what a changed spec costs), and `npx pnpm generate <id>` with nothing changed.
 */
function generateOne(id: string) {
  const node: number[] = [];
  const forced: number[] = [];
  const unchanged: number[] = [];
  for (let run = 0; run < GENERATE_RUNS; run++) {
    node.push(timed(['-e', '0']));
    forced.push(timed([join(repoRoot, 'scripts', 'turbo.mjs'), 'run', 'generate', `--filter=@upstat/${id}`, '--force', '--only', '--output-logs=none']));
    unchanged.push(timed([join(repoRoot, 'scripts', 'providers.mjs'), 'generate', id]));
  }
  return { node: spread(node), forced: spread(forced), unchanged: spread(unchanged) };
}

interface BuildRun {
  ms: number;
  output: string;
}

/** `turbo run build` through the repo's wrapper (telemetry off), timed from outside as a user sees it. */
function build(extra: string[] = []): BuildRun {
  const begin = performance.now();
  const result = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'turbo.mjs'), 'run', 'build', '--output-logs=none', ...extra], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
  const ms = performance.now() - begin;
  const output = `${result.stdout}${result.stderr}`;
  if (result.status !== 0) throw new Error(`turbo run build ${extra.join(' ')} failed (${String(result.status)}):\n${output}`);
  return { ms, output };
}

/** "Cached:    13 cached, 13 total" → [13, 13]. */
function cacheCounts(output: string): { cached: number; total: number } {
  const match = /Cached:\s+(\d+) cached, (\d+) total/.exec(output);
  if (match === null) throw new Error(`turbo printed no cache summary:\n${output}`);
  return { cached: Number(match[1]), total: Number(match[2]) };
}

export function benchBuildCache(): Promise<SectionResult> {
  // Baseline: the same build with the cache bypassed (every task runs). It also leaves the cache warm.
  const forced = build(['--force']);
  const cachedRuns = Array.from({ length: CACHED_RUNS }, () => build());
  const counts = cachedRuns.map((run) => cacheCounts(run.output));
  const fullyCached = counts.every((count) => count.cached === count.total);
  const cached = spread(cachedRuns.map((run) => run.ms));
  const forcedCounts = cacheCounts(forced.output);
  const [first] = PROVIDERS;
  const one = generateOne(first.definition.id);
  const vsNode = one.forced.median / one.node.median;

  const markdown = [
    table(
      ['build', 'wall time', 'tasks from cache', 'vs uncached'],
      [
        ['`turbo run build --force` (every task runs)', formatMs(forced.ms), `${forcedCounts.cached} of ${forcedCounts.total}`, '1.00×'],
        [
          `\`turbo run build\`, nothing changed (median of ${CACHED_RUNS}, min–max)`,
          `${formatSpread(cached, 0)} ms`,
          fullyCached ? `all ${counts[0]?.total ?? 0}` : counts.map((count) => `${count.cached}/${count.total}`).join(', '),
          `${(cached.median / forced.ms).toFixed(3)}×`,
        ],
      ],
    ),
    '',
    'Wall time of the whole command (including turbo starting up), as `npx pnpm build` spends it. Generation is part',
    'of the build pipeline (`build` depends on `generate`), so a build with nothing changed also skips regenerating.',
    '',
    table(
      [`generating one provider (\`${first.definition.id}\`), median of ${GENERATE_RUNS} (min–max)`, 'wall time', 'vs `node -e 0`'],
      [
        ['`node -e 0`', `${formatSpread(one.node, 0)} ms`, '1.00×'],
        ['its generate task forced (its spec changed; the generator built)', `${formatSpread(one.forced, 0)} ms`, `${vsNode.toFixed(1)}×`],
        [`\`npx pnpm generate ${first.definition.id}\`, nothing changed`, `${formatSpread(one.unchanged, 0)} ms`, `${(one.unchanged.median / one.node.median).toFixed(1)}×`],
      ],
    ),
    '',
    'A provider\'s generate task needs only the generator (`@upstat/spec-tools`) built: no other package is built for it.',
  ].join('\n');
  return Promise.resolve({
    id: 'build-cache',
    title: 'Build cache',
    markdown,
    data: { forcedMs: forced.ms, forcedTasks: forcedCounts, cachedMs: cached, fullyCached, generateOne: { id: first.definition.id, ...one, vsNode } },
    budgets: [atMost(`generating one provider ≤ ${GENERATE_ONE_GOAL_RATIO}× \`node -e 0\``, vsNode, GENERATE_ONE_GOAL_RATIO, (value) => `${value.toFixed(1)}×`)],
  });
}
