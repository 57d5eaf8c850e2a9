import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startMockServers, stopMockServers, type MockServer } from '@upstat/mocks';
import { definition } from '@upstat/pandadoc';
import { createRefCodec } from 'upstat';
import { repoRoot } from './workspace.js';

/** The effective PandaDoc spec the client was generated from and that @upstat/pandadoc ships. */
export const PANDADOC_SPEC = join(repoRoot, 'packages', definition.id, 'openapi.json');

/** The definition's example ref (the identifiers of the spec's examples, so what Prism answers for), in its string form. */
export const PANDADOC_REF = createRefCodec([definition]).format({ provider: definition.id, ...definition.example });

/** What Prism answers for that ref: the spec's 200 example, whose status maps to the canonical `succeeded`. */
export const EXPECTED_STATUS = { state: 'succeeded', rawState: 'document_sections_upload.PROCESSED' } as const;

/** The spec's title, to recognise `@upstat/pandadoc/openapi.json` when a consumer imports it. */
export const pandadocSpecTitle = (): string => (JSON.parse(readFileSync(PANDADOC_SPEC, 'utf8')) as { info: { title: string } }).info.title;

/** A Prism mock of the PandaDoc spec on a free loopback port. */
export async function startPandaDocMock(): Promise<{ server: MockServer; stop: () => Promise<void> }> {
  const [server] = await startMockServers([{ name: definition.id, specPath: PANDADOC_SPEC }]);
  if (server === undefined) throw new Error('startMockServers started no server');
  return { server, stop: () => stopMockServers([server]) };
}
