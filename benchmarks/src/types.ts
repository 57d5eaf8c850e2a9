// Types: wall time of `tsc -p` (noEmit) for a small consumer of every upstat client and the facade, against the same
// status calls written with openapi-fetch alone (benchmarks/fixtures/types/{upstat,openapi-fetch}).
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { TSC } from '@upstat/test-support';
import { atMost, formatBytes, formatSpread, ratio, repoRoot, spread, table, type SectionResult, type Spread } from './report.js';
import { scaled } from './scale.js';

const run = promisify(execFile);
const fixtures = join(repoRoot, 'benchmarks', 'fixtures', 'types');
const RUNS = scaled(5, 2);
const CONSUMERS = [
  { id: 'upstat', label: 'upstat: every client + facade' },
  { id: 'openapi-fetch', label: 'openapi-fetch only (baseline)' },
] as const;
type ConsumerId = (typeof CONSUMERS)[number]['id'];

/** Figures from one `tsc --extendedDiagnostics` run. */
interface Diagnostics {
  files: number;
  types: number;
  instantiations: number;
  memoryBytes: number;
  checkMs: number;
  totalMs: number;
}

async function tsc(consumer: ConsumerId, extra: readonly string[] = []): Promise<{ ms: number; stdout: string }> {
  const started = performance.now();
  try {
    const { stdout } = await run(process.execPath, [TSC, '-p', join(fixtures, consumer, 'tsconfig.json'), ...extra], { cwd: repoRoot });
    return { ms: performance.now() - started, stdout };
  } catch (error) {
    // A fixture that does not compile is a bug, not a figure.
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`tsc -p benchmarks/fixtures/types/${consumer} failed:\n${stdout}${stderr}`, { cause: error });
  }
}

function parseDiagnostics(consumer: ConsumerId, stdout: string): Diagnostics {
  const value = (label: string): number => {
    const match = new RegExp(`^${label}:\\s+([\\d.]+)`, 'm').exec(stdout);
    if (match?.[1] === undefined) throw new Error(`tsc --extendedDiagnostics (${consumer}): no "${label}" in\n${stdout}`);
    return Number(match[1]);
  };
  return {
    files: value('Files'),
    types: value('Types'),
    instantiations: value('Instantiations'),
    memoryBytes: value('Memory used') * 1024, // reported in K
    checkMs: value('Check time') * 1000,
    totalMs: value('Total time') * 1000,
  };
}

export async function benchTypes(): Promise<SectionResult> {
  // Warm-up: one run of each, with --extendedDiagnostics for the counts (not timed).
  const warmUp = async (id: ConsumerId) => parseDiagnostics(id, (await tsc(id, ['--extendedDiagnostics'])).stdout);
  const diagnostics: Record<ConsumerId, Diagnostics> = { upstat: await warmUp('upstat'), 'openapi-fetch': await warmUp('openapi-fetch') };
  // Timed runs, alternating (ABAB…) so drift hits both alike.
  const times: Record<ConsumerId, number[]> = { upstat: [], 'openapi-fetch': [] };
  for (let round = 0; round < RUNS; round++) {
    for (const { id } of CONSUMERS) times[id].push((await tsc(id)).ms);
  }
  const ms: Record<ConsumerId, Spread> = { upstat: spread(times.upstat), 'openapi-fetch': spread(times['openapi-fetch']) };
  const ratioOfMedians = ms.upstat.median / ms['openapi-fetch'].median;

  const markdown = [
    table(
      ['consumer', '`tsc` wall time, ms (min–max)', '× baseline', 'check time', 'types', 'instantiations', 'memory used', 'files'],
      CONSUMERS.map(({ id, label }) => {
        const d = diagnostics[id];
        return [
          label,
          formatSpread(ms[id], 0),
          ratio(ms[id].median / ms['openapi-fetch'].median),
          `${d.checkMs.toFixed(0)} ms`,
          String(d.types),
          String(d.instantiations),
          formatBytes(d.memoryBytes),
          String(d.files),
        ];
      }),
    ),
    '',
    `Wall time of \`node typescript/bin/tsc -p\` (noEmit) as a child process, ${RUNS} runs each alternating after one warm-up of`,
    "each; the columns after the ratio come from the warm-up's `--extendedDiagnostics`. Both consumers use `tsc --init`'s",
    'options (strict, skipLibCheck, `types: []`) and make the same status calls, one through each provider client; the upstat',
    'one adds two facade status calls, the baseline declares a small `paths` for those endpoints by hand (benchmarks/fixtures/types).',
  ].join('\n');

  return {
    id: 'types',
    title: 'Types',
    markdown,
    data: { runs: RUNS, ms, diagnostics, ratioOfMedians },
    budgets: [atMost('consumer type-check ≤ 1.5× openapi-fetch-only', ratioOfMedians, 1.5, (v) => ratio(v))],
  };
}
