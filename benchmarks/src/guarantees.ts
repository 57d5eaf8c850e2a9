// What the README's failure guarantees cost and how tightly they hold, against a misbehaving server in its own
// process (src/hostile-server.ts): the peak memory of a call whose body is a 200 MB stream (upstat against bare
// openapi-fetch, each in a fresh process, src/memory-child.ts), and how far `wait` ends from its `timeoutMs`
// against a server that never answers and one that keeps asking for a Retry-After.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { DEFAULT_MAX_RESPONSE_BYTES, WaitTimeoutError } from '@upstat/core';
import { definition, sendai } from '@upstat/sendai';
import { createUpstat } from 'upstat';
import { successExample } from '@upstat/test-support';
import { atMost, formatBytes, formatMs, spread, table, type Budget, type SectionResult, type Spread } from './report.js';
import { scaled } from './scale.js';

const MEMORY_RUNS = scaled(3, 1);
const OVERSHOOT_RUNS = scaled(15, 5);
/** What the limit may cost beyond itself: chunks in flight, the decoder, the runtime's own buffers. */
const MEMORY_SLACK_BYTES = 16 * 1024 * 1024;
/** The longest an ended wait may run past its timeoutMs: timer and event-loop latency only. */
const OVERSHOOT_BUDGET_MS = 100;

interface HostileServer {
  url: string;
  child: ChildProcess;
  /** Bytes each finished stream got out, in order. */
  written: number[];
}

async function startHostileServer(): Promise<HostileServer> {
  const script = fileURLToPath(new URL('./hostile-server.js', import.meta.url));
  const body = JSON.stringify(successExample(definition.id, definition.operation.path));
  const child = spawn(process.execPath, [script, body], { stdio: ['ignore', 'pipe', 'inherit'] });
  const written: number[] = [];
  const port = await new Promise<string>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => {
      reject(new Error(`the hostile server exited (${String(code)}) before listening`));
    });
    let first = true;
    child.stdout.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n').filter(Boolean)) {
        if (first) {
          first = false;
          resolve(line.trim());
        } else if (line.startsWith('written ')) written.push(Number(line.slice('written '.length)));
      }
    });
  });
  return { url: `http://127.0.0.1:${port}`, child, written };
}

function runChild(variant: string, url: string): Promise<{ growthBytes: number; outcome: string }> {
  const script = fileURLToPath(new URL('./memory-child.js', import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, variant, url], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code === 0) resolve(JSON.parse(output) as { growthBytes: number; outcome: string });
      else reject(new Error(`memory child (${variant}) exited with ${String(code)}`));
    });
  });
}

/** How long after `timeoutMs` each wait ended (negative: before it), over `OVERSHOOT_RUNS` waits. */
async function overshoot(baseUrl: string, timeoutMs: number): Promise<{ spread: Spread; outcomes: string[] }> {
  const upstat = createUpstat({ providers: [sendai({ apiKey: 'bench-key', baseUrl })] });
  const values: number[] = [];
  const outcomes = new Set<string>();
  for (let run = 0; run < OVERSHOOT_RUNS; run++) {
    const started = performance.now();
    const outcome = await upstat.wait('sendai:team_1/proj_1/upl_1', { timeoutMs }).then(
      () => 'resolved',
      (error: unknown) => (error instanceof WaitTimeoutError ? 'WaitTimeoutError' : error instanceof Error ? error.name : 'error'),
    );
    values.push(performance.now() - started - timeoutMs);
    outcomes.add(outcome);
  }
  return { spread: spread(values), outcomes: [...outcomes] };
}

export async function benchGuarantees(): Promise<SectionResult> {
  const server = await startHostileServer();
  try {
    const memory: Record<string, { growth: Spread; outcome: string }> = {};
    for (const variant of ['upstat', 'bare openapi-fetch']) {
      const runs: number[] = [];
      let outcome = '';
      for (let run = 0; run < MEMORY_RUNS; run++) {
        const result = await runChild(variant, server.url);
        runs.push(result.growthBytes);
        outcome = result.outcome;
      }
      memory[variant] = { growth: spread(runs), outcome };
    }
    const upstatWritten = server.written.slice(0, MEMORY_RUNS);

    const hanging = await overshoot(`${server.url}/hang`, 300);
    const rateLimited = await overshoot(`${server.url}/ratelimit`, 1_500);

    const upstatPeak = memory.upstat?.growth.max ?? Number.NaN;
    const budgets: Budget[] = [
      atMost(
        `peak memory of a 200 MB body ≤ the ${formatBytes(DEFAULT_MAX_RESPONSE_BYTES)} limit + ${formatBytes(MEMORY_SLACK_BYTES)}`,
        upstatPeak,
        DEFAULT_MAX_RESPONSE_BYTES + MEMORY_SLACK_BYTES,
        formatBytes,
      ),
      atMost(`wait ends ≤ ${OVERSHOOT_BUDGET_MS} ms after timeoutMs, hanging server (max)`, hanging.spread.max, OVERSHOOT_BUDGET_MS, formatMs),
      atMost(`wait ends ≤ ${OVERSHOOT_BUDGET_MS} ms after timeoutMs, Retry-After server (max)`, rateLimited.spread.max, OVERSHOOT_BUDGET_MS, formatMs),
    ];
    const ms = (value: number) => `${value >= 0 ? '+' : '−'}${Math.abs(value).toFixed(0)} ms`;
    const markdown = [
      '### Memory while a server streams a 200 MB body',
      '',
      table(
        ['client', 'peak RSS growth, median (min–max)', 'how the call ended'],
        Object.entries(memory).map(([variant, figures]) => [
          variant,
          `${formatBytes(figures.growth.median)} (${formatBytes(figures.growth.min)}–${formatBytes(figures.growth.max)})`,
          figures.outcome,
        ]),
      ),
      '',
      `The server got ${upstatWritten.map(formatBytes).join(', ')} out to upstat before the connection was closed.`,
      '',
      '### How far `wait` ends from its `timeoutMs`',
      '',
      table(
        ['server', 'timeoutMs', 'end − timeoutMs, median', 'min', 'max', 'outcome'],
        [
          ['never answers', '300 ms', ms(hanging.spread.median), ms(hanging.spread.min), ms(hanging.spread.max), hanging.outcomes.join(', ')],
          ['429, Retry-After: 1', '1500 ms', ms(rateLimited.spread.median), ms(rateLimited.spread.min), ms(rateLimited.spread.max), rateLimited.outcomes.join(', ')],
        ],
      ),
      '',
      'The server runs in its own process. Memory: each client in a fresh process makes two ordinary status calls (warm-up),',
      'then one call whose 200 body is 200 MB of spaces; the figure is the growth of the peak RSS (`maxRSS`) over the',
      `warmed-up process, ${MEMORY_RUNS} processes per client. Bare openapi-fetch buffers the whole body; upstat stops at its`,
      `\`maxResponseBytes\` limit (default ${formatBytes(DEFAULT_MAX_RESPONSE_BYTES)}) and cancels the rest. Deadlines: ${OVERSHOOT_RUNS} waits per`,
      'server through the facade with default options otherwise. Against the server that never answers, the attempt is cut off',
      'at the deadline; against the one that asks for Retry-After: 1 on every request, the second retry would pass the deadline,',
      'so the wait ends as soon as that is known (hence a negative figure) rather than sleeping past it.',
    ].join('\n');
    return {
      id: 'guarantees',
      title: 'Failure guarantees',
      markdown,
      data: { memory, upstatWritten, hanging, rateLimited, memoryRuns: MEMORY_RUNS, overshootRuns: OVERSHOOT_RUNS },
      budgets,
    };
  } finally {
    server.child.kill('SIGTERM');
  }
}
