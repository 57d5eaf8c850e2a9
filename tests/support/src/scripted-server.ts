/**
 * A real HTTP server on a loopback port answering a status endpoint the way a test scripts it, per upload (the last
 * segment of the request's path): a status (with byte progress), an HTTP error with an error envelope, a request that
 * is never answered, or a connection reset. It can also go away for a while (its port closed) and come back on the same
 * port. Every request is counted and timed, per upload. What a status body looks like is the caller's (`body`): the
 * provider's own example, from its definition.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';

export type Answer =
  /** 200 with the upload at this vendor status (and `fraction` of its bytes received), as `body` writes it. */
  | { status: string; fraction?: number }
  /** 200 with a body that is not a session. */
  | { body: unknown }
  /** An error status with Nullspace's error envelope; `retryAfter` as the header's value. */
  | { http: number; retryAfter?: string }
  /** The request is accepted and never answered. */
  | 'hang'
  /** The connection is destroyed before any answer. */
  | 'reset';

/** How the server answers the `n`-th request (from 1) for an upload. */
export type Script = (upload: string, n: number) => Answer;

export interface ScriptedServer {
  url: string;
  /** Requests received for an upload, so far. */
  requests(upload: string): number;
  /** Every request: which upload, and when it arrived (`performance.now()`). */
  readonly log: { upload: string; at: number }[];
  /** Resolves once the server has answered (or dropped) the `n`-th request for `upload`. */
  answered(upload: string, n: number): Promise<void>;
  /** Closes the port (connections dropped, new ones refused) for `ms`, then listens on the same port again. */
  down(ms: number): Promise<void>;
  close(): Promise<void>;
}

function send(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
}

/** The body of a 200 for `upload` at a vendor status, `fraction` of it done (when the script says). */
export type StatusBody = (upload: string, status: string, fraction: number | undefined) => unknown;

export async function scriptedServer(script: Script, body: StatusBody): Promise<ScriptedServer> {
  const counts = new Map<string, number>();
  const answers = new Map<string, number>();
  const watchers: { upload: string; n: number; resolve: () => void }[] = [];
  const log: ScriptedServer['log'] = [];
  const sockets = new Set<Socket>();

  const noteAnswered = (upload: string) => {
    const n = (answers.get(upload) ?? 0) + 1;
    answers.set(upload, n);
    for (const watcher of watchers.filter((entry) => entry.upload === upload && entry.n <= n)) {
      watchers.splice(watchers.indexOf(watcher), 1);
      watcher.resolve();
    }
  };

  const handle = (request: IncomingMessage, response: ServerResponse) => {
    const upload = decodeURIComponent((request.url ?? '').split('?')[0]?.split('/').at(-1) ?? '');
    const n = (counts.get(upload) ?? 0) + 1;
    counts.set(upload, n);
    log.push({ upload, at: performance.now() });
    const answer = script(upload, n);
    if (answer === 'hang') {
      // Never answered: the client's own time limit (or the wait's deadline) must end it.
      request.socket.once('close', () => {
        noteAnswered(upload);
      });
      return;
    }
    if (answer === 'reset') {
      request.socket.destroy();
      noteAnswered(upload);
      return;
    }
    if ('http' in answer) {
      send(
        response,
        answer.http,
        { error: { code: `http_${answer.http}`, message: `scripted ${answer.http}`, request_id: `req_${upload}_${n}`, retryable: answer.http >= 500 || answer.http === 429 } },
        answer.retryAfter === undefined ? {} : { 'retry-after': answer.retryAfter },
      );
    } else if ('body' in answer) send(response, 200, answer.body);
    else send(response, 200, body(upload, answer.status, answer.fraction));
    noteAnswered(upload);
  };

  let server: Server = createServer(handle);
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };
  server.on('connection', track);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const stop = (target: Server) =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      target.close(() => {
        resolve();
      });
    });

  return {
    url: `http://127.0.0.1:${port}`,
    log,
    requests: (upload) => counts.get(upload) ?? 0,
    answered: (upload, n) =>
      (answers.get(upload) ?? 0) >= n
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            watchers.push({ upload, n, resolve });
          }),
    down: async (ms) => {
      await stop(server);
      await new Promise((resolve) => setTimeout(resolve, ms));
      server = createServer(handle);
      server.on('connection', track);
      await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    },
    close: () => stop(server),
  };
}
