// `npx pnpm bench [--check] [--quick] [--only id,id]`: runs every benchmark against its baseline in this same run,
// writes BENCHMARKS.md and BENCHMARKS.json at the repository root, and prints the budgets. --quick (CI's run) measures
// the same sections over fewer runs (src/scale.ts) and prints its report instead of writing it. With --check, a missed budget
// makes the exit code 1 (after naming each miss and by how much). Not a test: nothing here asserts on wall time.
import { writeFileSync } from 'node:fs';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { benchBuildCache } from './build-cache.js';
import { benchChaos } from './chaos.js';
import { benchGenerator } from './generator.js';
import { benchGuarantees } from './guarantees.js';
import { benchMocks } from './mocks.js';
import { benchRequests } from './requests.js';
import { repoRoot, START_COST_VARIABLES, table, type SectionResult } from './report.js';
import { QUICK } from './scale.js';
import { benchSize } from './size.js';
import { benchSpecTools } from './spec-tools.js';
import { benchTypes } from './types.js';
import { benchWaiter } from './waiter.js';
import { benchWatcher } from './watcher.js';

const BENCHMARKS: Record<string, () => Promise<SectionResult>> = {
  requests: benchRequests,
  waiter: benchWaiter,
  watcher: benchWatcher,
  chaos: benchChaos,
  guarantees: benchGuarantees,
  mocks: benchMocks,
  generator: benchGenerator,
  'spec-tools': benchSpecTools,
  types: benchTypes,
  size: benchSize,
  'build-cache': benchBuildCache,
};

const USAGE = `usage: npx pnpm bench [--check] [--quick] [--only ${Object.keys(BENCHMARKS).join(',')}]`;

function parse(): { check: boolean; only: string[] } {
  try {
    const { values } = parseArgs({ options: { check: { type: 'boolean', default: false }, quick: { type: 'boolean', default: false }, only: { type: 'string' } } });
    const only = values.only === undefined ? Object.keys(BENCHMARKS) : values.only.split(',').map((id) => id.trim());
    const unknown = only.filter((id) => !(id in BENCHMARKS));
    if (unknown.length > 0) throw new Error(`unknown benchmark ${unknown.join(', ')}`);
    return { check: values.check, only };
  } catch (error) {
    console.error(`bench: ${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    process.exit(2);
  }
}

function machine(): string {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  return `Node ${process.version} on ${process.platform}/${process.arch}, ${availableParallelism()} cores (${cpu}), ${Math.round(totalmem() / 2 ** 30)} GiB`;
}

async function main(): Promise<void> {
  const { check, only } = parse();
  // --quick is read where the counts are (src/scale.ts); parse() above only accepts it.
  const quick = QUICK;
  // Every process a section times starts as under turbo, however the bench was started (see report.ts).
  for (const name of START_COST_VARIABLES) Reflect.deleteProperty(process.env, name);
  const started = performance.now();
  const results: SectionResult[] = [];
  for (const id of only) {
    const run = BENCHMARKS[id];
    if (run === undefined) continue;
    const sectionStart = performance.now();
    console.log(`bench: ${id} …`);
    results.push(await run());
    console.log(`bench: ${id} done in ${((performance.now() - sectionStart) / 1000).toFixed(1)} s`);
  }
  const totalSeconds = (performance.now() - started) / 1000;

  const budgets = results.flatMap((result) => result.budgets.map((budget) => ({ section: result.title, ...budget })));
  const budgetTable = table(
    ['budget', 'measured', 'verdict'],
    budgets.map((budget) => [budget.name, budget.measured, budget.pass ? 'met' : `**missed** (${budget.miss ?? ''})`]),
  );
  const markdown = [
    '# Benchmarks',
    '',
    `Written by \`npx pnpm bench${quick ? ' --quick' : ''}\` (${new Date().toISOString().slice(0, 10)}, ${totalSeconds.toFixed(0)} s in all) on ${machine()}.`,
    'Every figure is measured next to its baseline in the same run and given as a ratio; absolute numbers vary by',
    'machine, ratios much less. `npx pnpm bench --check` fails when a budget below is missed. Raw figures: `BENCHMARKS.json`.',
    '',
    '## Budgets',
    '',
    budgetTable,
    '',
    ...results.flatMap((result) => [`## ${result.title}`, '', result.markdown.trim(), '']),
  ].join('\n');
  // Only a full run rewrites the committed report; `--only` and `--quick` print it instead.
  if (only.length === Object.keys(BENCHMARKS).length && !quick) {
    writeFileSync(join(repoRoot, 'BENCHMARKS.md'), markdown);
    writeFileSync(
      join(repoRoot, 'BENCHMARKS.json'),
      `${JSON.stringify({ machine: machine(), seconds: Math.round(totalSeconds), budgets, sections: Object.fromEntries(results.map((result) => [result.id, result.data])) }, null, 2)}\n`,
    );
    console.log(`bench: wrote BENCHMARKS.md and BENCHMARKS.json in ${totalSeconds.toFixed(0)} s`);
  } else {
    console.log(markdown);
  }

  console.log(`\n${budgetTable}\n`);
  const missed = budgets.filter((budget) => !budget.pass);
  for (const budget of missed) console.log(`bench: budget missed: ${budget.name}: ${budget.measured} (${budget.miss ?? ''})`);
  if (missed.length === 0) console.log(`bench: all ${budgets.length} budgets met`);
  if (check && missed.length > 0) process.exitCode = 1;
}

await main();
