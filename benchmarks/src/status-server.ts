// The server the request benchmark talks to, in its own process so that it does not share the event loop (or,
// on two cores, the core) of the client being measured. Answers every GET with one fixed JSON body (the spec's
// example, passed as the first argument) and prints its port once listening.
import { createServer } from 'node:http';

const body = Buffer.from(process.argv[2] ?? '{}');
const server = createServer((request, response) => {
  request.resume();
  response.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
  response.end(body);
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  console.log(String(address.port));
});
process.on('disconnect', () => server.close());
process.on('SIGTERM', () => {
  server.close();
  process.exit(0);
});
