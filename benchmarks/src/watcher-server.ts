// The server of the watcher benchmark, in its own process (so it does not share the event loop or, on two cores,
// the core of the client being measured). Answers Send.ai's status path for simulated uploads:
// - `m<n>`: never finishes (PROCESSING), for the memory runs;
// - `l<n>`: finishes `finishDelay(n)` after its first check, then answers COMPLETED.
// Records, on the epoch clock (`Date.now()`, comparable with the client's in another process on the same machine),
// every request's arrival and each upload's finishing time. `GET /stats` returns them as JSON. Prints its port once
// listening. (Requests in flight are bounded by the client's budget; the watcher tests count them.)
import { createServer } from 'node:http';

/** 1 s to 3 s, spread evenly over the uploads (deterministic, so every run sees the same uploads). */
const finishDelay = (n: number): number => 1_000 + ((n * 7919) % 2_000);

const arrivals: number[] = [];
const finishAt = new Map<string, number>();

const server = createServer((request, response) => {
  request.resume();
  const url = request.url ?? '';
  if (url === '/stats') {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ arrivals, finishAt: Object.fromEntries(finishAt) }));
    return;
  }
  const now = Date.now();
  arrivals.push(now);
  const upload = url.split('/').pop() ?? '';
  let done = false;
  if (upload.startsWith('l')) {
    let at = finishAt.get(upload);
    if (at === undefined) {
      at = now + finishDelay(Number(upload.slice(1)));
      finishAt.set(upload, at);
    }
    done = now >= at;
  }
  const body = JSON.stringify({ payload: { status: done ? 'COMPLETED' : 'PROCESSING' } });
  response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  response.end(body);
});
server.keepAliveTimeout = 60_000;
server.listen({ port: 0, host: '127.0.0.1', backlog: 16_384 }, () => {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  console.log(String(address.port));
});
process.on('SIGTERM', () => {
  server.close();
  process.exit(0);
});
