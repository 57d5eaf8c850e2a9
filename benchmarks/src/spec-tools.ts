// upstat-spec start-up, a whole-document diff and a provider's spec update, end to end. `upstat-spec --help`,
// `--version` and `diff A B --json` on two ~900 KB releases, each a fresh process from spawn to exit, against `node -e 0`
// (a bare Node start) and, for the diff, against a process that only reads and parses the same two documents: the
// diff's own work. They alternate within every round (A B C D E A B C D E …); ratios are taken per round and the median
// kept, so a load change during the run moves both sides of a ratio. Then `pnpm spec:update pandadoc` with whole
// releases in a copy of the repository (rewrites, builds and type-checks it), against `upstat-spec generate` of the
// same provider in the same rounds.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { copyRepo, PLANTED_RELEASE_SIZE, plantedReleases, wholePandadoc } from '@upstat/test-support';
import { atMost, formatBytes, formatMs, ratio, repoRoot, spread, START_COST_VARIABLES, table, type Budget, type SectionResult, type Spread } from './report.js';
import { scaled } from './scale.js';

/**
 * Measured rounds, after one discarded warm-up round (disk cache, first compile of each file). Twenty: a round's diff
 * ratio ranges over about 2.0×–2.8× on the 2-core machine, and the median of ten moved by ±0.1× from run to run, enough
 * to flip the 2.5× budget either way; each round costs well under a second.
 */
const ROUNDS = scaled(20, 4);
/** Measured spec updates (each rebuilds and type-checks a provider: seconds, not milliseconds), after a warm-up. */
const UPDATE_ROUNDS = scaled(5, 2);
/** The goals, on the idle reference machine. */
const HELP_GOAL_RATIO = 1.5;
/** The whole diff within this much of reading and parsing its two documents: what it adds is the comparison. */
const DIFF_GOAL_RATIO = 2.5;
/** `spec:update` of a whole PandaDoc release (issue 29), on that machine. */
const UPDATE_GOAL_MS = 15_000;
/** `upstat-spec generate` of PandaDoc on that machine; the update goal is turned into a ratio to it. */
const REFERENCE_GENERATE_MS = 1_400;
const UPDATE_GOAL_RATIO = UPDATE_GOAL_MS / REFERENCE_GENERATE_MS;
/** The documents: the sizes packages/spec-tools/test/diff-scale.test.ts diffs (about 900 KB of JSON each). */
const SYNTHETIC = PLANTED_RELEASE_SIZE;
/**
 * The diff's baseline: read each document given and parse it with JSON.parse, the parser `upstat-spec` uses for a
 * `.json` file (parseDocumentText in packages/spec-tools/src/load.ts), then print how many paths they hold in all.
 */
const PARSE_ONLY = [
  "const { readFileSync } = require('node:fs');",
  'let paths = 0;',
  "for (const file of process.argv.slice(1)) paths += Object.keys(JSON.parse(readFileSync(file, 'utf8')).paths).length;",
  'console.log(paths);',
].join(' ');


interface Step {
  id: string;
  label: string;
  args: string[];
  /** The step it is compared with (default `node -e 0`). */
  baseline?: string;
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
function timed(args: string[], cwd = repoRoot): Promise<{ ms: number; code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
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

async function runStep(step: Step, check: boolean, cwd = repoRoot): Promise<number> {
  const result = await timed(step.args, cwd);
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

    const paths = [before, after].reduce((sum, document) => sum + Object.keys(document.paths ?? {}).length, 0);

    const steps: Step[] = [
      { id: 'node', label: '`node -e 0`', args: ['-e', '0'], code: 0 },
      { id: 'help', label: '`upstat-spec --help`', args: [bin, '--help'], code: 0, verify: (out) => { expectOutput(out.startsWith('Usage: upstat-spec'), out); } },
      { id: 'version', label: '`upstat-spec --version`', args: [bin, '--version'], code: 0, verify: (out) => { expectOutput(out === `${version}\n`, out); } },
      {
        id: 'parse',
        label: 'read and parse A and B (`JSON.parse`)',
        args: ['-e', PARSE_ONLY, beforePath, afterPath],
        code: 0,
        verify: (out) => { expectOutput(out === `${paths}\n`, out); },
      },
      {
        id: 'diff',
        label: '`upstat-spec diff A B --json`',
        args: [bin, 'diff', beforePath, afterPath, '--json'],
        baseline: 'parse',
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
        const baseline = times[step.baseline ?? 'node'] ?? [];
        return [
          step.id,
          {
            ms: spread(ms),
            vsNode: spread(ms.map((value, index) => value / (node[index] ?? value))),
            vsBaseline: spread(ms.map((value, index) => value / (baseline[index] ?? value))),
          },
        ];
      }),
    ) as Record<string, { ms: Spread; vsNode: Spread; vsBaseline: Spread }>;
    const at = (id: string) => {
      const figure = figures[id];
      if (figure === undefined) throw new Error(`no figures for ${id}`);
      return figure;
    };
    const goals: Record<string, string> = {
      help: `≤ ${ratio(HELP_GOAL_RATIO, 1)} \`node -e 0\``,
      version: `≤ ${ratio(HELP_GOAL_RATIO, 1)} \`node -e 0\``,
      diff: `≤ ${ratio(DIFF_GOAL_RATIO, 1)} read and parse`,
    };
    const update = await benchUpdate();

    const markdown = [
      table(
        ['process', 'spawn to exit, median (min–max)', 'vs `node -e 0`, median (min–max)', 'vs read and parse, median (min–max)', 'budget'],
        steps.map((step) => {
          const { ms, vsNode, vsBaseline } = at(step.id);
          return [
            step.label,
            `${formatMs(ms.median)} (${formatMs(ms.min)}–${formatMs(ms.max)})`,
            `${ratio(vsNode.median)} (${ratio(vsNode.min)}–${ratio(vsNode.max)})`,
            step.baseline === 'parse' ? `${ratio(vsBaseline.median)} (${ratio(vsBaseline.min)}–${ratio(vsBaseline.max)})` : '—',
            goals[step.id] ?? 'baseline',
          ];
        }),
      ),
      '',
      `Each row is a fresh process, from spawn to exit, run as \`node packages/spec-tools/bin/upstat-spec.js …\` (the`,
      `bin as installed, without a package manager's launcher). ${ROUNDS} rounds after a discarded warm-up, the five`,
      'processes alternating within each round; the ratio is taken per round and its median kept. Each starts without',
      `${START_COST_VARIABLES.join(' and ')}, which make every Node start do more work (see \`benchmarks/src/report.ts\`).`,
      `The diff compares two releases of a synthetic API (\`syntheticSpec\` from tests/support: ${SYNTHETIC.operations} operations,`,
      `${SYNTHETIC.schemas} schemas; ${sizes.map((size) => formatBytes(size)).join(' and ')} of JSON) in which the second removes an`,
      'operation, adds a response enum value and removes a property; the output of each process is checked once (the',
      'usage, the version, the paths parsed, the breaking changes) before the timed rounds, and every run for its exit code.',
      `The goals are \`--help\` and \`--version\` within ${ratio(HELP_GOAL_RATIO, 1)} of a bare Node start, and the whole diff within`,
      `${ratio(DIFF_GOAL_RATIO, 1)} of a Node process that only reads the same two files and parses them with \`JSON.parse\` (the parser`,
      '`upstat-spec` uses for `.json` files): against a bare start, as before, the ratio mostly measured start-up noise;',
      'against reading and parsing, it measures the comparison itself, the start of both processes being alike.',
      '',
      update.markdown,
    ].join('\n');

    return {
      id: 'spec-tools',
      title: 'upstat-spec start-up, whole-document diff and spec update',
      markdown,
      data: { rounds: ROUNDS, documentBytes: sizes, ...figures, update: update.data },
      budgets: [
        atMost(`\`upstat-spec --help\` ≤ ${ratio(HELP_GOAL_RATIO, 1)} \`node -e 0\``, at('help').vsNode.median, HELP_GOAL_RATIO, ratio),
        atMost(`\`upstat-spec --version\` ≤ ${ratio(HELP_GOAL_RATIO, 1)} \`node -e 0\``, at('version').vsNode.median, HELP_GOAL_RATIO, ratio),
        atMost(
          `\`upstat-spec diff\` of two ~900 KB documents ≤ ${ratio(DIFF_GOAL_RATIO, 1)} reading and parsing them (same run)`,
          at('diff').vsBaseline.median,
          DIFF_GOAL_RATIO,
          ratio,
        ),
        update.budget,
      ],
    };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * `pnpm spec:update pandadoc <release>` in a copy of the repository: each round a new whole release (PandaDoc's 96
 * paths, as tests/spec-update updates with) whose version changes and whose covered operation's descriptions are
 * reworded or restored, the common vendor release: a patch, a new client build, and new JSDoc but no new type in the
 * client's declarations, so the type check covers the client only (scripts/spec-typecheck.mjs). Every round checks that
 * it did. The baseline, in the same rounds: `upstat-spec generate` of the same provider.
 */
async function benchUpdate(): Promise<{ markdown: string; data: unknown; budget: Budget }> {
  const copy = copyRepo();
  try {
    const { root } = copy;
    const packageDir = join(root, 'packages', 'pandadoc');
    // Every release from the committed spec, before any update replaces it.
    const releases: string[] = [];
    for (let round = 0; round <= UPDATE_ROUNDS; round++) {
      const path = join(root, `pandadoc-release-${round}.json`);
      await writeFile(path, JSON.stringify(wholePandadoc(root, { version: `8.8.${round}`, coveredDescriptions: round % 2 === 1 })));
      releases.push(path);
    }
    const generate: Step = { id: 'generate', label: '`upstat-spec generate` (PandaDoc)', args: [join(root, 'packages', 'spec-tools', 'bin', 'upstat-spec.js'), 'generate', '../../specs/pandadoc'], code: 0 };
    const updateStep = (round: number): Step => ({
      id: 'update',
      label: '`pnpm spec:update pandadoc <whole release>`',
      args: [join(root, 'scripts', 'spec.mjs'), 'update', 'pandadoc', releases[round] ?? '', '--today', '2026-11-30'],
      code: 0,
      verify: (out) => { expectOutput(out.includes('→ patch bump.') && out.includes('type check: passed\nchecked: @upstat/pandadoc only'), out); },
    });
    // The warm-up: the first release vendors the whole document (95 paths more than the committed one).
    await runStep(updateStep(0), true, root);
    await runStep(generate, true, packageDir);
    const updates: number[] = [];
    const generates: number[] = [];
    for (let round = 1; round <= UPDATE_ROUNDS; round++) {
      generates.push(await runStep(generate, false, packageDir));
      updates.push(await runStep(updateStep(round), true, root));
    }
    const update = spread(updates);
    const baseline = spread(generates);
    const vsGenerate = spread(updates.map((value, index) => value / (generates[index] ?? value)));
    const markdown = [
      table(
        ['process', 'spawn to exit, median (min–max)', 'vs `upstat-spec generate`, median (min–max)', 'budget'],
        [
          [generate.label, `${formatMs(baseline.median)} (${formatMs(baseline.min)}–${formatMs(baseline.max)})`, '—', 'baseline'],
          [
            '`pnpm spec:update pandadoc <whole release>`',
            `${formatMs(update.median)} (${formatMs(update.min)}–${formatMs(update.max)})`,
            `${ratio(vsGenerate.median)} (${ratio(vsGenerate.min)}–${ratio(vsGenerate.max)})`,
            `≤ ${ratio(UPDATE_GOAL_RATIO, 1)} (${formatMs(UPDATE_GOAL_MS)})`,
          ],
        ],
      ),
      '',
      `The update runs \`node scripts/spec.mjs update pandadoc <file>\` in a copy of the repository (\`copyRepo\`), ${UPDATE_ROUNDS}`,
      'rounds after a warm-up that vendors the whole document: each round a new release of it (96 paths; the version, and',
      "the covered operation's descriptions reworded or restored), so every round diffs, regenerates, rebuilds the client",
      "(turbo's cache cannot hold a build of it) and type-checks it, and is checked to have type-checked the client only:",
      'its declarations change only in their JSDoc. Its baseline, alternating with it, is `upstat-spec generate` of the',
      `same provider (the client's types regenerated). The goal: ${formatMs(UPDATE_GOAL_MS)} for such an update on the two-core reference`,
      `machine, where that generate takes about ${formatMs(REFERENCE_GENERATE_MS)}: ${ratio(UPDATE_GOAL_RATIO, 1)}, the budget here. Before the`,
      "declarations were compared without their comments, every dependent was rebuilt and type-checked: 93 s on that machine.",
    ].join('\n');
    return {
      markdown,
      data: { rounds: UPDATE_ROUNDS, goalMs: UPDATE_GOAL_MS, referenceGenerateMs: REFERENCE_GENERATE_MS, generate: baseline, update, vsGenerate },
      budget: atMost(
        `\`spec:update pandadoc <whole release>\` ≤ ${ratio(UPDATE_GOAL_RATIO, 1)} \`upstat-spec generate\` (${formatMs(UPDATE_GOAL_MS)} at ${formatMs(REFERENCE_GENERATE_MS)})`,
        vsGenerate.median,
        UPDATE_GOAL_RATIO,
        ratio,
      ),
    };
  } finally {
    copy.remove();
  }
}

function expectOutput(ok: boolean, output: string): void {
  if (!ok) throw new Error(`upstat-spec printed something unexpected: ${output.slice(0, 300)}`);
}
