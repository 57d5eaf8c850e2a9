import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { formatMs, formatSpread, repoRoot, spread, table, type SectionResult } from './report.js';
import { scaled } from './scale.js';

const CACHED_RUNS = scaled(5, 1);

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
  ].join('\n');
  return Promise.resolve({
    id: 'build-cache',
    title: 'Build cache',
    markdown,
    data: { forcedMs: forced.ms, forcedTasks: forcedCounts, cachedMs: cached, fullyCached },
    budgets: [],
  });
}
