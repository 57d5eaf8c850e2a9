// How long until every provider's mock answers: @upstat/mocks (every mock hosted in one Node process through
// Prism's libraries, src/mocks-child.ts) against the way it was done before, one `prism mock` CLI process per spec
// started in parallel (the pinned @stoplight/prism-cli). Each start is a fresh process; they alternate A B A B.
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '@upstat/mocks';
import { PROVIDERS } from '@upstat/providers';
import { atMost, formatMs, ratio, spread, table, type SectionResult } from './report.js';
import { scaled } from './scale.js';

const RUNS = scaled(5, 2);
/** The goal for every mock ready on the idle reference machine. */
const READY_GOAL_MS = 1500;

const require = createRequire(import.meta.url);
const registryRequire = createRequire(require.resolve('@upstat/providers/package.json'));
const specPaths = PROVIDERS.map(({ definition }) => registryRequire.resolve(`@upstat/${definition.id}/openapi.json`));

function prismBin(): string {
  const manifestPath = require.resolve('@stoplight/prism-cli/package.json');
  const manifest = require(manifestPath) as { bin: string | Record<string, string> };
  const bin = typeof manifest.bin === 'string' ? manifest.bin : manifest.bin.prism;
  if (bin === undefined) throw new Error('@stoplight/prism-cli has no "prism" bin');
  return join(dirname(manifestPath), bin);
}

/** Resolves once `child` has printed `marker` on stdout; rejects if it exits first. */
function printed(child: ChildProcess, marker: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(marker)) resolve();
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      reject(new Error(`exited (${String(code)}) before printing ${JSON.stringify(marker)}:\n${output}`));
    });
  });
}

function stopped(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => {
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Milliseconds until one process hosting every mock says they are all ready. */
async function oneProcess(): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, [fileURLToPath(new URL('./mocks-child.js', import.meta.url))], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => { resolve(); }));
  await printed(child, 'ready');
  const ms = performance.now() - started;
  await exited;
  return ms;
}

/** Milliseconds until one `prism mock` process per spec, started together, all listen. */
async function processPerSpec(): Promise<number> {
  const bin = prismBin();
  const started = performance.now();
  const children: ChildProcess[] = [];
  try {
    await Promise.all(
      specPaths.map(async (specPath) => {
        const port = await freePort('127.0.0.1');
        const child = spawn(process.execPath, [bin, 'mock', specPath, '--host', '127.0.0.1', '--port', String(port), '--errors'], {
          stdio: ['ignore', 'pipe', 'ignore'],
        });
        children.push(child);
        await printed(child, 'Prism is listening on');
      }),
    );
    return performance.now() - started;
  } finally {
    await Promise.all(children.map(stopped));
  }
}

export async function benchMocks(): Promise<SectionResult> {
  const one: number[] = [];
  const each: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    one.push(await oneProcess());
    each.push(await processPerSpec());
  }
  const oneSpread = spread(one);
  const eachSpread = spread(each);
  const ratios = spread(one.map((ms, index) => ms / (each[index] ?? ms)));
  const markdown = [
    table(
      ['how', 'every mock ready, median (min–max)', 'vs one process per spec'],
      [
        ['@upstat/mocks: one Node process, Prism libraries', `${formatMs(oneSpread.median)} (${formatMs(oneSpread.min)}–${formatMs(oneSpread.max)})`, `${ratio(ratios.median)} (${ratio(ratios.min)}–${ratio(ratios.max)})`],
        ['one `prism mock` CLI process per spec', `${formatMs(eachSpread.median)} (${formatMs(eachSpread.min)}–${formatMs(eachSpread.max)})`, ratio(1)],
      ],
    ),
    '',
    `The mock of every provider of the registry (${PROVIDERS.length} specs), from spawning a fresh process until every`,
    "server listens: `startMockServers` in one process (module loading included) against the pinned Prism CLI's",
    `\`prism mock --errors\` started once per spec, in parallel; ${RUNS} runs each, alternating.`,
    `The goal is every mock ready within ${formatMs(READY_GOAL_MS)} on the idle reference machine; on a loaded machine`,
    'both columns grow, the ratio much less.',
  ].join('\n');
  return {
    id: 'mocks',
    title: 'Mock start-up',
    markdown,
    data: { runs: RUNS, oneProcessMs: oneSpread, processPerSpecMs: eachSpread, ratio: ratios, specs: PROVIDERS.length },
    budgets: [atMost('every mock ready (one process) ≤ the time of one process per spec', ratios.median, 1, ratio)],
  };
}
