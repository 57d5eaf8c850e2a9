#!/usr/bin/env node
// The main job (README, first command): start one Prism mock server per effective spec on loopback,
// fetch a status from each through its typed client, print it, and stop the mocks. No API keys needed;
// no request leaves the machine.
import { createRequire } from 'node:module';
import { createDocument360Client } from '@upstat/document360';
import { createNullspaceClient } from '@upstat/nullspace';
import { createPandaDocClient } from '@upstat/pandadoc';
import { createSendaiClient } from '@upstat/sendai';
import { startMockServers, stopMockServers } from '@upstat/spec-tools';

const require = createRequire(import.meta.url);
const specPath = (id) => require.resolve(`@upstat/${id}/openapi.json`);

// Mocks accept any well-formed credential; these placeholders are never real keys.
const providers = [
  {
    id: 'pandadoc',
    name: 'PandaDoc',
    ref: 'document BhVzRcxH9Z2LgfPPGXFUBa, upload LQ6cUT7xevPLUEgJeF8Zrm',
    fetch: (baseUrl) =>
      createPandaDocClient({ baseUrl, apiKey: 'mock-api-key' })
        .getSectionUploadStatus({ document_id: 'BhVzRcxH9Z2LgfPPGXFUBa', upload_id: 'LQ6cUT7xevPLUEgJeF8Zrm' })
        .then((body) => ({ status: body.status, detail: `section "${body.name}" of document ${body.document_uuid}` })),
  },
  {
    id: 'document360',
    name: 'Document360',
    ref: 'project 7f0c3b8e-2d4a-4c1e-9b6f-1a2b3c4d5e6f, task a3b4c5d6-1234-5678-9abc-def012345678',
    fetch: (baseUrl) =>
      createDocument360Client({ baseUrl, token: 'mock-token' })
        .getTaskStatus({ project_id: '7f0c3b8e-2d4a-4c1e-9b6f-1a2b3c4d5e6f', task_id: 'a3b4c5d6-1234-5678-9abc-def012345678' })
        .then((body) => ({ status: body.data.status, detail: `request ${body.request_id}` })),
  },
  {
    id: 'sendai',
    name: 'Send.ai',
    ref: 'team team_123456, project proj_123456, upload upl_abcdef123456',
    fetch: (baseUrl) =>
      createSendaiClient({ baseUrl, apiKey: 'mock-api-key' })
        .getUpload({ team_id: 'team_123456', project_id: 'proj_123456', upload_id: 'upl_abcdef123456' })
        .then((body) => ({ status: body.payload?.status, detail: `upload "${body.payload?.name}"` })),
  },
  {
    id: 'nullspace',
    name: 'Nullspace',
    ref: 'sandbox sb_a1b2c3d4, upload upl_7Qm2x9K4',
    fetch: (baseUrl) =>
      createNullspaceClient({ baseUrl, apiKey: 'mock-api-key' })
        .getUploadSession({ id: 'sb_a1b2c3d4', upload_id: 'upl_7Qm2x9K4' })
        .then((body) => ({
          status: body.status,
          detail: `${body.accepted_bytes} of ${body.content_length} bytes (${Math.floor((100 * body.accepted_bytes) / body.content_length)}%)`,
        })),
  },
];

console.log('upstat: starting Prism mock servers from the four effective specs (loopback only, no API keys needed)…');
const servers = await startMockServers(providers.map(({ id }) => ({ name: id, specPath: specPath(id) })));
let failed = 0;
try {
  const rows = await Promise.all(
    providers.map(async (provider) => {
      const server = servers.find((candidate) => candidate.name === provider.id);
      try {
        const { status, detail } = await provider.fetch(server.url);
        return [provider.name, String(status), `${provider.ref} · ${detail} · ${server.url}`];
      } catch (error) {
        failed += 1;
        return [provider.name, 'ERROR', `${error.name}: ${error.message}`];
      }
    }),
  );
  const width = Math.max(...rows.map(([, status]) => status.length));
  console.log('');
  for (const [name, status, detail] of rows) console.log(`  ${name.padEnd(12)} ${status.padEnd(width)}  ${detail}`);
  console.log('');
} finally {
  await stopMockServers(servers);
}
if (failed > 0) {
  console.error(`upstat: ${failed} provider(s) failed`);
  process.exitCode = 1;
} else {
  console.log('upstat: all four providers answered; mocks stopped.');
}
