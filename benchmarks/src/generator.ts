// Generator: time and peak memory of `pnpm generate` (upstat-spec's renderClientFiles) against bare
// openapi-typescript on the same effective specs, for every client and for a synthetic 300-operation spec.
// Every run is a fresh child process (dist/generator-child.js), so its peak RSS is its own.
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { syntheticSpec } from '@upstat/test-support';
import type { ChildResult } from './generator-child.js';
import { formatBytes, formatSpread, ratio, repoRoot, spread, table, type SectionResult, type Spread } from './report.js';
import { scaled } from './scale.js';

const RUNS = scaled(3, 1);
const SYNTHETIC = { operations: 300, schemas: 300 };
const MODES = ['upstat', 'baseline'] as const;
type Mode = (typeof MODES)[number];

// generator.ts is bundled into dist/main.js; the child is built next to it as dist/generator-child.js.
const childScript = fileURLToPath(new URL('./generator-child.js', import.meta.url));
const run = promisify(execFile);

interface Input {
  id: string;
  label: string;
  /** The child's arguments per mode. */
  args: Record<Mode, string[]>;
}

interface Figures {
  ms: Spread;
  peakRssMb: Spread;
  outputBytes: number;
}

function isChildResult(value: unknown): value is ChildResult {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return ['ms', 'maxRssKb', 'bytes'].every((key) => typeof record[key] === 'number');
}

async function runChild(mode: Mode, args: string[]): Promise<ChildResult> {
  const { stdout } = await run(process.execPath, [childScript, mode, ...args], { cwd: repoRoot });
  const result: unknown = JSON.parse(stdout);
  if (!isChildResult(result)) throw new Error(`generator-child ${mode}: unexpected output ${stdout}`);
  return result;
}

function figures(results: readonly ChildResult[]): Figures {
  return {
    ms: spread(results.map((result) => result.ms)),
    peakRssMb: spread(results.map((result) => result.maxRssKb / 1024)),
    outputBytes: results[0]?.bytes ?? 0,
  };
}

export async function benchGenerator(): Promise<SectionResult> {
  const providers = (await readdir(join(repoRoot, 'specs'), { withFileTypes: true }))
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  // A spec directory with just openapi.json (no overlay): locateSpecDir needs nothing else.
  const syntheticDir = await mkdtemp(join(tmpdir(), 'upstat-bench-generator-'));
  try {
    const syntheticText = `${JSON.stringify(syntheticSpec(SYNTHETIC), null, 2)}\n`;
    const syntheticBytes = Buffer.byteLength(syntheticText);
    await writeFile(join(syntheticDir, 'openapi.json'), syntheticText);

    const inputs: Input[] = [
      {
        id: 'clients',
        label: `all ${providers.length} clients`,
        args: {
          upstat: providers.flatMap((name) => [join(repoRoot, 'specs', name), join(repoRoot, 'packages', name)]),
          // The effective spec each package commits (packages/<name>/openapi.json): the same overlaid spec.
          baseline: providers.map((name) => join(repoRoot, 'packages', name, 'openapi.json')),
        },
      },
      {
        id: 'synthetic',
        label: `synthetic (${SYNTHETIC.operations} ops, ${SYNTHETIC.schemas} schemas, ${formatBytes(syntheticBytes)})`,
        args: { upstat: [syntheticDir, syntheticDir], baseline: [join(syntheticDir, 'openapi.json')] },
      },
    ];

    const results = new Map<string, ChildResult[]>();
    for (let round = 0; round < RUNS; round++) {
      // Alternate the modes, and which goes first, so neither side always runs on a warmer machine.
      const order = round % 2 === 0 ? MODES : [...MODES].reverse();
      for (const input of inputs) {
        for (const mode of order) {
          const key = `${input.id}/${mode}`;
          results.set(key, [...(results.get(key) ?? []), await runChild(mode, input.args[mode])]);
        }
      }
    }

    const rows = inputs.map((input) => {
      const upstat = figures(results.get(`${input.id}/upstat`) ?? []);
      const baseline = figures(results.get(`${input.id}/baseline`) ?? []);
      return {
        id: input.id,
        label: input.label,
        upstat,
        baseline,
        ratio: { time: upstat.ms.median / baseline.ms.median, memory: upstat.peakRssMb.median / baseline.peakRssMb.median },
      };
    });

    const mb = (value: Spread) => `${value.median.toFixed(0)} MB`;
    const markdown = [
      table(
        ['input', 'upstat generate, ms (min–max)', 'peak RSS', 'bare openapi-typescript, ms (min–max)', 'peak RSS', 'time ratio', 'memory ratio'],
        rows.map((row) => [
          row.label,
          formatSpread(row.upstat.ms, 0),
          mb(row.upstat.peakRssMb),
          formatSpread(row.baseline.ms, 0),
          mb(row.baseline.peakRssMb),
          ratio(row.ratio.time),
          ratio(row.ratio.memory),
        ]),
      ),
      '',
      `Median of ${RUNS} runs per cell, alternating sides, each run a fresh Node process; peak RSS is that process's`,
      '`maxRSS` (module loading included), time covers the generation work only (process start and module loading',
      'excluded). upstat: `renderClientFiles` from the spec directory, as `pnpm generate` does, without writing (read and',
      'parse JSON/YAML, apply the overlay, openapi-typescript, render openapi.json, types and spec-info); bare',
      'openapi-typescript: read and `JSON.parse` the same effective spec (`packages/<name>/openapi.json`; the synthetic',
      `spec, from \`syntheticSpec\` in @upstat/test-support, has no overlay), then \`openapiTS\` + \`astToString\`.`,
    ].join('\n');

    return {
      id: 'generator',
      title: 'Generator',
      markdown,
      data: { runs: RUNS, providers, synthetic: { ...SYNTHETIC, bytes: syntheticBytes }, results: rows },
      budgets: [],
    };
  } finally {
    await rm(syntheticDir, { recursive: true, force: true });
  }
}
