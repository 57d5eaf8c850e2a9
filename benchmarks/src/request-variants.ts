// Shared by the request benchmark (src/requests.ts) and its workers (src/request-worker.ts).
import { createPandaDocClient, definition, pandadoc, type PandaDocRef, type paths } from '@upstat/pandadoc';
import { applyCredential } from '@upstat/core';
import createClient from 'openapi-fetch';
import { createUpstat } from 'upstat';

export const STATUS_PATH = definition.operation.path;
/** The definition's example upload: the identifiers of the spec's examples. */
const REF: PandaDocRef = { provider: definition.id, ...definition.example };
const DOCUMENT_ID = REF.documentId;
const UPLOAD_ID = REF.uploadId;
const API_KEY = 'bench-key';

export type Variant = 'raw fetch' | 'bare openapi-fetch' | 'provider client' | 'facade';
export const VARIANTS: readonly Variant[] = ['raw fetch', 'bare openapi-fetch', 'provider client', 'facade'];

/** What a worker is started with, and asked to do. */
export interface WorkerSetup {
  variant: Variant;
  baseUrl: string;
}
export interface Job {
  total: number;
  inFlight: number;
}
export type JobResult = { seconds: number } | { error: string };

/** One status call of a variant, reading the same parsed body as the others, from the same URL. */
export function makeCall(variant: Variant, baseUrl: string): () => Promise<unknown> {
  // What the client sends for the definition's first credential, so that every variant sends the same request.
  const { headers } = applyCredential(definition.credentials[0].scheme, [API_KEY]);
  switch (variant) {
    case 'raw fetch': {
      const url = `${baseUrl}/public/v1/documents/${DOCUMENT_ID}/sections/uploads/${UPLOAD_ID}`;
      return async () => {
        const response = await fetch(url, { headers });
        return (await response.json()) as unknown;
      };
    }
    case 'bare openapi-fetch': {
      const bare = createClient<paths>({ baseUrl, headers });
      return async () => {
        const { data } = await bare.GET(STATUS_PATH, { params: { path: { document_id: DOCUMENT_ID, upload_id: UPLOAD_ID } } });
        return data;
      };
    }
    case 'provider client': {
      const client = createPandaDocClient({ apiKey: API_KEY, baseUrl });
      return () => client.getSectionUploadStatus({ document_id: DOCUMENT_ID, upload_id: UPLOAD_ID });
    }
    case 'facade': {
      // No limit in the budget every call draws on: what is measured is the facade's own cost, not a rate.
      const upstat = createUpstat({ providers: [pandadoc({ apiKey: API_KEY, baseUrl })], budget: { pandadoc: { requestsPerSecond: Infinity, concurrency: Infinity } } });
      return () => upstat.status(REF);
    }
  }
}

/** Seconds for `total` calls with `inFlight` of them outstanding at any time. */
export async function timeCalls(call: () => Promise<unknown>, { total, inFlight }: Job): Promise<number> {
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
