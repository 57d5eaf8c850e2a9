// upstat-spec start-up and a whole-document diff, end to end: `upstat-spec --help`, `--version`, and `diff A B --json`
// on two ~900 KB releases, each a fresh process from spawn to exit, against `node -e 0` (a bare Node start) in the
// same rounds. The four alternate within every round (A B C D A B C D …); ratios are taken per round and the median
// kept, so a load change during the run moves both sides of a ratio.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PLANTED_RELEASE_SIZE, plantedReleases } from '@upstat/test-support';
import { atMost, formatBytes, formatMs, ratio, repoRoot, spread, START_COST_VARIABLES, table, type SectionResult, type Spread } from './report.js';
import { scaled } from './scale.js';

/** Measured rounds, after one discarded warm-up round (disk cache, first compile of each file). */
const ROUNDS = scaled(10, 4);
/** The goals, on the idle reference machine. */
const HELP_GOAL_RATIO = 1.5;
const DIFF_GOAL_MS = 700;
/** `node -e 0` on that machine; the diff goal is turned into a ratio to it, measurable on any machine. */
const REFERENCE_NODE_MS = 120;
const DIFF_GOAL_RATIO = DIFF_GOAL_MS / REFERENCE_NODE_MS;
/** The documents: the sizes packages/spec-tools/test/diff-scale.test.ts diffs (about 900 KB of JSON each). */
const SYNTHETIC = PLANTED_RELEASE_SIZE;


interface Step {
  id: string;
  label: string;
  args: string[];
  /** The exit code a correct run ends with (diff exits 1: the second release breaks clients). */
  code: number;
  /** Checks the output once, so that what is timed is the real work and not an early error. */
  verify?: (stdout: string) => void;
}

/** The `upstat-spec` bin of the installed @upstat/spec-tools, and the version it should print. */
function specTools(): { bin: string; version: string } {
  const require = createRequire(import.meta.url);
  const manifestPath = require.resolve('@upstat/spec-tools/package.json');
  const manifest = require(manifestPath) as { version: string; bin?: string | Record<string, string> };
  const bin = typeof manifest.bin === 'string' ? manifest.bin : manifest.bin?.['upstat-spec'];
  if (bin === undefined) throw new Error('@upstat/spec-tools has no "upstat-spec" bin');
  return { bin: join(dirname(manifestPath), bin), version: manifest.version };
}

/** Milliseconds from spawning `node <args>` until it exits, with its exit code and stdout. */
function timed(args: string[]): Promise<{ ms: number; code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.once('error', reject);
    child.once('close', (code) => {
      resolve({ ms: performance.now() - started, code, stdout, stderr });
    });
  });
}

async function runStep(step: Step, check: boolean): Promise<number> {
  const result = await timed(step.args);
  if (result.code !== step.code) {
    throw new Error(`${step.label}: exit code ${String(result.code)}, expected ${step.code}\n${result.stderr.slice(0, 2000)}`);
  }
  if (check) step.verify?.(result.stdout);
  return result.ms;
}

export async function benchSpecTools(): Promise<SectionResult> {
  const { bin, version } = specTools();
  const work = await mkdtemp(join(tmpdir(), 'upstat-bench-spec-tools-'));
  try {
    const { before, after } = plantedReleases();
    const beforeText = JSON.stringify(before);
    const afterText = JSON.stringify(after);
    const beforePath = join(work, 'release-1.json');
    const afterPath = join(work, 'release-2.json');
    await writeFile(beforePath, beforeText);
    await writeFile(afterPath, afterText);
    const sizes = [Buffer.byteLength(beforeText), Buffer.byteLength(afterText)];

    const steps: Step[] = [
      { id: 'node', label: '`node -e 0`', args: ['-e', '0'], code: 0 },
      { id: 'help', label: '`upstat-spec --help`', args: [bin, '--help'], code: 0, verify: (out) => { expectOutput(out.startsWith('Usage: upstat-spec'), out); } },
      { id: 'version', label: '`upstat-spec --version`', args: [bin, '--version'], code: 0, verify: (out) => { expectOutput(out === `${version}\n`, out); } },
      {
        id: 'diff',
        label: '`upstat-spec diff A B --json`',
        args: [bin, 'diff', beforePath, afterPath, '--json'],
        code: 1,
        verify: (out) => {
          // Each planted change breaks clients (one of them in two places, as a nested schema).
          const report = JSON.parse(out) as { summary?: { breaking?: unknown } };
          expectOutput(typeof report.summary?.breaking === 'number' && report.summary.breaking >= 3, JSON.stringify(report.summary));
        },
      },
    ];

    for (const step of steps) await runStep(step, true);
    const times: Record<string, number[]> = Object.fromEntries(steps.map((step) => [step.id, []]));
    for (let round = 0; round < ROUNDS; round++) {
      for (const step of steps) times[step.id]?.push(await runStep(step, false));
    }

    const node = times.node ?? [];
    const figures = Object.fromEntries(
      steps.map((step) => {
        const ms = times[step.id] ?? [];
        return [step.id, { ms: spread(ms), vsNode: spread(ms.map((value, index) => value / (node[index] ?? value))) }];
      }),
    ) as Record<string, { ms: Spread; vsNode: Spread }>;
    const at = (id: string) => {
      const figure = figures[id];
      if (figure === undefined) throw new Error(`no figures for ${id}`);
      return figure;
    };
    const goals: Record<string, string> = {
      help: `≤ ${ratio(HELP_GOAL_RATIO, 1)}`,
      version: `≤ ${ratio(HELP_GOAL_RATIO, 1)}`,
      diff: `≤ ${ratio(DIFF_GOAL_RATIO)} (${formatMs(DIFF_GOAL_MS)})`,
    };

    const markdown = [
      table(
        ['process', 'spawn to exit, median (min–max)', 'vs `node -e 0`, median (min–max)', 'budget'],
        steps.map((step) => {
          const { ms, vsNode } = at(step.id);
          return [
            step.label,
            `${formatMs(ms.median)} (${formatMs(ms.min)}–${formatMs(ms.max)})`,
            `${ratio(vsNode.median)} (${ratio(vsNode.min)}–${ratio(vsNode.max)})`,
            goals[step.id] ?? 'baseline',
          ];
        }),
      ),
      '',
      `Each row is a fresh process, from spawn to exit, run as \`node packages/spec-tools/bin/upstat-spec.js …\` (the`,
      `bin as installed, without a package manager's launcher). ${ROUNDS} rounds after a discarded warm-up, the four`,
      'processes alternating within each round; the ratio is taken per round and its median kept. Each starts without',
      `${START_COST_VARIABLES.join(' and ')}, which make every Node start do more work (see \`benchmarks/src/report.ts\`).`,
      `The diff compares two releases of a synthetic API (\`syntheticSpec\` from tests/support: ${SYNTHETIC.operations} operations,`,
      `${SYNTHETIC.schemas} schemas; ${sizes.map((size) => formatBytes(size)).join(' and ')} of JSON) in which the second removes an`,
      'operation, adds a response enum value and removes a property; the output of each process is checked once (the',
      'usage, the version, the breaking changes) before the timed rounds, and every run for its exit code.',
      `The goals are \`--help\` and \`--version\` within ${ratio(HELP_GOAL_RATIO, 1)} of a bare Node start, and the whole diff within`,
      `${formatMs(DIFF_GOAL_MS)} on the idle reference machine, where \`node -e 0\` takes about ${formatMs(REFERENCE_NODE_MS)}: ${formatMs(DIFF_GOAL_MS)} / ${formatMs(REFERENCE_NODE_MS)} =`,
      `${ratio(DIFF_GOAL_RATIO)}, the budget here. On a loaded machine every row grows, the ratios less.`,
    ].join('\n');

    return {
      id: 'spec-tools',
      title: 'upstat-spec start-up and whole-document diff',
      markdown,
      data: { rounds: ROUNDS, documentBytes: sizes, referenceNodeMs: REFERENCE_NODE_MS, diffGoalMs: DIFF_GOAL_MS, ...figures },
      budgets: [
        atMost(`\`upstat-spec --help\` ≤ ${ratio(HELP_GOAL_RATIO, 1)} \`node -e 0\``, at('help').vsNode.median, HELP_GOAL_RATIO, ratio),
        atMost(`\`upstat-spec --version\` ≤ ${ratio(HELP_GOAL_RATIO, 1)} \`node -e 0\``, at('version').vsNode.median, HELP_GOAL_RATIO, ratio),
        atMost(
          `\`upstat-spec diff\` of two ~900 KB documents ≤ ${ratio(DIFF_GOAL_RATIO)} \`node -e 0\` (${formatMs(DIFF_GOAL_MS)} at ${formatMs(REFERENCE_NODE_MS)})`,
          at('diff').vsNode.median,
          DIFF_GOAL_RATIO,
          ratio,
        ),
      ],
    };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

function expectOutput(ok: boolean, output: string): void {
  if (!ok) throw new Error(`upstat-spec printed something unexpected: ${output.slice(0, 300)}`);
}
