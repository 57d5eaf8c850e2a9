/** A provider defined outside the repository: its definition alone makes a client and a facade plug-in. */
import { afterEach, describe, expect, it } from 'vitest';
import { NotFoundError } from '../src/errors.js';
import { createDefinitionClient, pluginFor } from '../src/plugin.js';
import { defineProvider } from '../src/provider.js';
import { sendJson, startLocalServer, type LocalServer } from '@upstat/test-support';

const definition = defineProvider({
  id: 'acme',
  name: 'Acme',
  typeName: 'Acme',
  summary: 'uploads',
  operation: { path: '/v1/accounts/{account_id}/uploads/{upload_id}', method: 'getUpload', title: 'Get upload' },
  credentials: [{ securityScheme: 'basic', scheme: { type: 'http', scheme: 'basic' }, options: ['tokenId', 'tokenSecret'], description: 'token id and secret' }],
  ref: { accountId: 'account_id', uploadId: 'upload_id' },
  example: { accountId: 'acct_1', uploadId: 'up_1' },
  states: { done: 'succeeded' },
  read: (body: { status: 'done' }) => ({ value: body.status }),
});

let server: LocalServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('createDefinitionClient and pluginFor', () => {
  it('call the status operation for a ref, with the path built from the ref and the credential its scheme says', async () => {
    server = await startLocalServer((request, response) => {
      if (request.url?.endsWith('/missing')) sendJson(response, 404, { message: 'no such upload' });
      else sendJson(response, 200, { status: 'done' });
    });
    const client = createDefinitionClient(definition, { tokenId: 'id_1', tokenSecret: 'secret_1' }, { baseUrl: server.url });
    expect(await client.status({ provider: 'acme', accountId: 'a/1', uploadId: 'up_1' })).toEqual({ status: 'done' });
    await expect(client.status({ provider: 'acme', accountId: 'a', uploadId: 'missing' })).rejects.toBeInstanceOf(NotFoundError);
    const fetcher = pluginFor(definition, { tokenId: 'id_1', tokenSecret: 'secret_1', baseUrl: server.url }).connect({});
    expect(await fetcher({ provider: 'acme', accountId: 'a', uploadId: 'up_2' }, {})).toEqual({ status: 'done' });
    expect(server.requests.map((request) => [request.target, request.headers.authorization])).toEqual([
      ['/v1/accounts/a%2F1/uploads/up_1', `Basic ${Buffer.from('id_1:secret_1').toString('base64')}`],
      ['/v1/accounts/a/uploads/missing', `Basic ${Buffer.from('id_1:secret_1').toString('base64')}`],
      ['/v1/accounts/a/uploads/up_2', `Basic ${Buffer.from('id_1:secret_1').toString('base64')}`],
    ]);
  });
});
