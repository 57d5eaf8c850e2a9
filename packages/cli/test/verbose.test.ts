/**
 * `--verbose`: each HTTP attempt on stderr (method, URL, attempt, status, duration, request id), stdout untouched,
 * and never the credential, although the server echoes it in a header, the status text and the body.
 */
import { randomBytes } from 'node:crypto';
import { startLocalServer, type LocalServer } from '@upstat/test-support';
import { afterEach, describe, expect, it } from 'vitest';
import { jsonLine, upstat } from './support.js';

let server: LocalServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const REF = 'sendai:team_1/proj_1/upl_1';

describe('upstat --verbose', () => {
  it('logs every attempt, retries included, on stderr only, with the request id and never the key', async () => {
    const key = randomBytes(16).toString('hex');
    let served = 0;
    server = await startLocalServer((request, response) => {
      served += 1;
      const auth = request.headers.authorization ?? '';
      const echo = { 'content-type': 'application/json', 'x-request-id': `req-${served}-${auth}`, 'x-echo': auth, 'retry-after': '0' };
      if (served === 1) {
        response.writeHead(503, `Unavailable for ${auth}`, echo);
        response.end(JSON.stringify({ message: `down for ${auth}` }));
        return;
      }
      response.writeHead(200, `OK ${auth}`, echo);
      response.end(JSON.stringify({ payload: { id: 'upl_1', name: `for ${key}`, status: 'COMPLETED' } }));
    });
    const run = await upstat(['status', REF, '--verbose', '--json'], { UPSTAT_SENDAI_API_KEY: key, UPSTAT_SENDAI_BASE_URL: server.url });
    expect(run.code, run.stderr).toBe(0);
    expect(served).toBe(2);
    expect(jsonLine(run.stdout)).toMatchObject({ type: 'status', state: 'succeeded' });
    const lines = run.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    const url = `${server.url}/v2/team_1/project/proj_1/upload/upl_1`;
    expect(lines[0]).toMatch(new RegExp(`^upstat: GET ${url.replaceAll('/', '\\/')} → 503 server in \\d+(ms|s) \\(sendai, attempt 1, request id req-1-.*, retry in \\d+ms\\)$`));
    expect(lines[1]).toMatch(new RegExp(`^upstat: GET ${url.replaceAll('/', '\\/')} → 200 in \\d+(ms|s) \\(sendai, attempt 2, request id req-2-.*\\)$`));
    expect(run.stderr).not.toContain(key);
    expect(run.stdout).not.toContain(key);
  });

  it('UPSTAT_LOG=debug logs as --verbose does; any other value does not', async () => {
    server = await startLocalServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ payload: { id: 'upl_1', name: 'Invoice', status: 'COMPLETED' } }));
    });
    const env = { UPSTAT_SENDAI_API_KEY: 'k', UPSTAT_SENDAI_BASE_URL: server.url };
    const debug = await upstat(['status', REF], { ...env, UPSTAT_LOG: 'debug' });
    expect(debug.code).toBe(0);
    expect(debug.stderr).toMatch(/^upstat: GET http:\/\/127\.0\.0\.1:\d+\/v2\/team_1\/project\/proj_1\/upload\/upl_1 → 200 /m);
    const info = await upstat(['status', REF], { ...env, UPSTAT_LOG: 'info' });
    expect(info.stderr).toBe('');
  });

  it('a connection that fails is logged with its kind', async () => {
    server = await startLocalServer((request) => {
      request.socket.destroy();
    });
    const run = await upstat(['status', REF, '--verbose'], { UPSTAT_SENDAI_API_KEY: 'k', UPSTAT_SENDAI_BASE_URL: server.url });
    expect(run.code).toBe(7);
    expect(run.stderr).toMatch(/^upstat: GET http:\/\/127\.0\.0\.1:\d+\/v2\/team_1\/project\/proj_1\/upload\/upl_1 → connection: .* \(sendai, attempt 1, retry in \d+ms\)$/m);
  });
});
