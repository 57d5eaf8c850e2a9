import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPandaDocClient, type paths } from '@upstat/pandadoc';
import createClient from 'openapi-fetch';
import { createUpstat } from 'upstat';
import { atMost, formatSpread, median, ratio, repoRoot, spread, table, type Budget, type SectionResult, type Spread } from './report.js';

const STATUS_PATH = '/public/v1/documents/{document_id}/sections/uploads/{upload_id}';
const DOCUMENT_ID = 'BhVzRcxH9Z2LgfPPGXFUBa';
const UPLOAD_ID = 'LQ6cUT7xevPLUEgJeF8Zrm';
const API_KEY = 'bench-key';

/** Requests per variant in each run, and runs; a run interleaves the variants in blocks. */
const SEQUENTIAL_REQUESTS = 4_800;
const CONCURRENT_REQUESTS = 12_800;
const IN_FLIGHT = 64;
const RUNS = 9;
const BLOCKS = 32;

type Variant = 'raw fetch' | 'bare openapi-fetch' | 'provider client' | 'facade';
const VARIANTS: readonly Variant[] = ['raw fetch', 'bare openapi-fetch', 'provider client', 'facade'];

/** The 200 example of PandaDoc's status operation, from the effective spec the client is generated from. */
function exampleBody(): string {
  const spec = JSON.parse(readFileSync(join(repoRoot, 'packages', 'pandadoc', 'openapi.json'), 'utf8')) as {
    paths: Record<string, { get: { responses: Record<string, { content: Record<string, { examples: Record<string, { value: unknown }> }> }> } }>;
  };
  const examples = spec.paths[STATUS_PATH]?.get.responses['200']?.content['application/json']?.examples ?? {};
  const first = Object.values(examples)[0];
  if (first === undefined) throw new Error(`PandaDoc's spec has no 200 example for ${STATUS_PATH}`);
  return JSON.stringify(first.value);
}

async function startServer(body: string): Promise<{ url: string; child: ChildProcess }> {
  const script = fileURLToPath(new URL('./status-server.js', import.meta.url));
  const child = spawn(process.execPath, [script, body], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<string>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => {
      reject(new Error(`the status server exited (${String(code)}) before listening`));
    });
    child.stdout.once('data', (chunk: Buffer) => {
      resolve(chunk.toString().trim());
    });
  });
  return { url: `http://127.0.0.1:${port}`, child };
}

/** One status call per variant, each reading the same typed body; all against the same URL. */
function makeCalls(baseUrl: string): Record<Variant, () => Promise<unknown>> {
  const url = `${baseUrl}/public/v1/documents/${DOCUMENT_ID}/sections/uploads/${UPLOAD_ID}`;
  const headers = { Authorization: `API-Key ${API_KEY}` };
  const bare = createClient<paths>({ baseUrl, headers });
  const client = createPandaDocClient({ apiKey: API_KEY, baseUrl });
  const upstat = createUpstat({ pandadoc: { apiKey: API_KEY, baseUrl } });
  const ref = { provider: 'pandadoc', documentId: DOCUMENT_ID, uploadId: UPLOAD_ID } as const;
  return {
    'raw fetch': async () => {
      const response = await fetch(url, { headers });
      return (await response.json()) as unknown;
    },
    'bare openapi-fetch': async () => {
      const { data } = await bare.GET(STATUS_PATH, { params: { path: { document_id: DOCUMENT_ID, upload_id: UPLOAD_ID } } });
      return data;
    },
    'provider client': () => client.getSectionUploadStatus({ document_id: DOCUMENT_ID, upload_id: UPLOAD_ID }),
    facade: () => upstat.status(ref),
  };
}

/** Seconds for `total` calls with `inFlight` of them outstanding at any time. */
async function timeCalls(call: () => Promise<unknown>, total: number, inFlight: number): Promise<number> {
  let started = 0;
  const worker = async () => {
    while (started < total) {
      started += 1;
      const result = await call();
      if (result === undefined) throw new Error('a status call returned nothing');
    }
  };
  const begin = performance.now();
  await Promise.all(Array.from({ length: Math.min(inFlight, total) }, worker));
  return (performance.now() - begin) / 1000;
}

interface ModeResult {
  requestsPerSecond: Record<Variant, Spread>;
  /** Time per request relative to bare openapi-fetch (and to raw fetch): >1 is slower. Per-run ratios. */
  vsBare: Record<Variant, Spread>;
  vsRaw: Record<Variant, Spread>;
}

/**
 * Each run sends `total` requests per variant in `BLOCKS` interleaved blocks (A B C D, B C D A, …), so that
 * the variants being compared always ran moments apart. A run's throughput is its total requests over its total
 * time; its ratios are the median over its blocks of the ratio between neighbouring blocks, so that a pause of the
 * machine (a major GC, the other core's work) that lands on one block does not decide the run.
 */
async function measureMode(calls: Record<Variant, () => Promise<unknown>>, total: number, inFlight: number): Promise<ModeResult> {
  for (const variant of VARIANTS) await timeCalls(calls[variant], total, inFlight); // warm-up: JIT, sockets
  const each = <T>(make: (variant: Variant) => T) => Object.fromEntries(VARIANTS.map((variant) => [variant, make(variant)])) as Record<Variant, T>;
  const runs: { requestsPerSecond: Record<Variant, number>; vsBare: Record<Variant, number>; vsRaw: Record<Variant, number> }[] = [];
  const block = Math.ceil(total / BLOCKS);
  for (let run = 0; run < RUNS; run++) {
    const blocks: Record<Variant, number>[] = [];
    for (let index = 0; index < BLOCKS; index++) {
      const seconds = each(() => 0);
      for (let offset = 0; offset < VARIANTS.length; offset++) {
        const variant = VARIANTS[(index + offset) % VARIANTS.length] as Variant;
        seconds[variant] = await timeCalls(calls[variant], block, inFlight);
      }
      blocks.push(seconds);
    }
    const totalSeconds = (variant: Variant) => blocks.reduce((sum, seconds) => sum + seconds[variant], 0);
    runs.push({
      requestsPerSecond: each((variant) => (block * BLOCKS) / totalSeconds(variant)),
      vsBare: each((variant) => median(blocks.map((seconds) => seconds[variant] / seconds['bare openapi-fetch']))),
      vsRaw: each((variant) => median(blocks.map((seconds) => seconds[variant] / seconds['raw fetch']))),
    });
  }
  return {
    requestsPerSecond: each((variant) => spread(runs.map((figures) => figures.requestsPerSecond[variant]))),
    vsBare: each((variant) => spread(runs.map((figures) => figures.vsBare[variant]))),
    vsRaw: each((variant) => spread(runs.map((figures) => figures.vsRaw[variant]))),
  };
}

export async function benchRequests(): Promise<SectionResult> {
  const server = await startServer(exampleBody());
  try {
    const calls = makeCalls(server.url);
    const sequential = await measureMode(calls, SEQUENTIAL_REQUESTS, 1);
    const concurrent = await measureMode(calls, CONCURRENT_REQUESTS, IN_FLIGHT);

    const rows = (mode: ModeResult) =>
      VARIANTS.map((variant) => [
        variant,
        formatSpread(mode.requestsPerSecond[variant], 0),
        `${formatSpread(mode.vsBare[variant])}×`,
        `${formatSpread(mode.vsRaw[variant])}×`,
      ]);
    const header = ['variant', 'requests/s, median (min–max)', 'time per request vs bare openapi-fetch', 'vs raw fetch'];
    const budgets: Budget[] = [];
    for (const [label, mode] of [['sequential', sequential], [`${IN_FLIGHT} in flight`, concurrent]] as const) {
      budgets.push(atMost(`provider client ≤ 1.05× bare openapi-fetch (${label})`, mode.vsBare['provider client'].median, 1.05, (value) => ratio(value, 3)));
      budgets.push(atMost(`facade ≤ 1.10× bare openapi-fetch (${label})`, mode.vsBare.facade.median, 1.1, (value) => ratio(value, 3)));
    }
    const markdown = [
      `### Sequential (one request at a time, ${SEQUENTIAL_REQUESTS} per run)`,
      '',
      table(header, rows(sequential)),
      '',
      `### ${IN_FLIGHT} in flight (${CONCURRENT_REQUESTS} per run)`,
      '',
      table(header, rows(concurrent)),
      '',
      `One \`GET\` of PandaDoc's section upload status, answered by a local \`node:http\` server (its own process) with the`,
      `spec's example body. Each variant reads the parsed JSON body: raw \`fetch\` + \`response.json()\`; bare openapi-fetch`,
      '(`createClient<paths>` on the same generated types, no middleware); the provider client (auth middleware, path',
      'guards, per-attempt timeout, retry loop, typed errors); the facade (`status(ref)`: the client plus the status',
      `model). After a warm-up, ${RUNS} runs, each sending every variant's requests in ${BLOCKS} interleaved blocks in rotating`,
      `order; a run's ratio is the median over its blocks of each block's time against the`,
      `neighbouring baseline block, and the table gives the median (min–max) over the runs. Bare openapi-fetch costs ${ratio(sequential.vsRaw['bare openapi-fetch'].median)} raw fetch here, sequentially (about 1.24× on the reference machine).`,
    ].join('\n');
    return { id: 'requests', title: 'Request overhead', markdown, data: { sequential, concurrent, inFlight: IN_FLIGHT, runs: RUNS, blocks: BLOCKS }, budgets };
  } finally {
    server.child.kill('SIGTERM');
  }
}
