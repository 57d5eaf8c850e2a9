// The misbehaving server of the guarantees benchmark (src/guarantees.ts), in its own process so that its memory
// and event loop are not the client's. The first path segment picks the behaviour:
//   /ok/…          the status body passed as the first argument
//   /stream/…      a 200 whose body is STREAM_MB megabytes of spaces, written with back-pressure, until the client hangs up
//   /hang/…        accepts the request and never answers
//   /ratelimit/…   429 with Retry-After: 1
// Prints its port once listening; `written` lines on stdout report how many bytes each stream got out.
import { createServer } from 'node:http';

const STREAM_MB = 200;
const okBody = Buffer.from(process.argv[2] ?? '{}');
const chunk = Buffer.alloc(64 * 1024, 0x20);

const server = createServer((request, response) => {
  request.resume();
  const mode = (request.url ?? '/').split('/')[1];
  if (mode === 'ok') {
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': okBody.length });
    response.end(okBody);
  } else if (mode === 'stream') {
    response.writeHead(200, { 'content-type': 'application/json' });
    let written = 0;
    let closed = false;
    response.on('close', () => {
      closed = true;
      console.log(`written ${written}`);
    });
    const pump = () => {
      while (!closed && written < STREAM_MB * 1024 * 1024) {
        written += chunk.length;
        if (!response.write(chunk)) {
          response.once('drain', pump);
          return;
        }
      }
      if (!closed) response.end();
    };
    pump();
  } else if (mode === 'ratelimit') {
    response.writeHead(429, { 'content-type': 'application/json', 'retry-after': '1' });
    response.end('{}');
  }
  // hang: no answer at all
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  console.log(String(address.port));
});
process.on('disconnect', () => server.close());
process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close();
  process.exit(0);
});
