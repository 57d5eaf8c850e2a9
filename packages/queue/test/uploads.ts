import { definition } from '@upstat/nullspace';
import { sendJson, startLocalServer, successExample } from '@upstat/test-support';

/** How one simulated upload behaves: it finishes at its `checks`-th status request, in state `final`. */
export interface UploadPlan {
  checks: number;
  final: 'completed' | 'failed';
}

/** An answer that replaces the normal one (a 429, a 503, a slow answer). */
export interface Override {
  status: number;
  headers?: Record<string, string>;
  body: unknown;
}

export interface UploadServer {
  url: string;
  /** Status requests received per upload id, unknown ones included. */
  counts: Map<string, number>;
  /** Every request, in arrival order: which upload, when (epoch ms), and how many were in flight with it. */
  log: { uploadId: string; at: number; inFlight: number }[];
  total(): number;
  maxInFlight(): number;
  close(): Promise<void>;
}

const CONTENT_LENGTH = 1_000_000;

/** A Nullspace upload session body: the spec's own example, at the given status and progress. */
export function sessionBody(uploadId: string, status: string, fraction: number): Record<string, unknown> {
  return {
    ...(successExample('nullspace', definition.operation.path) as Record<string, unknown>),
    upload_id: uploadId,
    status,
    content_length: CONTENT_LENGTH,
    accepted_bytes: Math.round(CONTENT_LENGTH * Math.min(1, fraction)),
  };
}

/**
 * A real HTTP server on a loopback port answering Nullspace's status endpoint for simulated uploads: each
 * request to an upload counts as one check; unknown uploads are 404. `override` may replace an answer;
 * `delayMs` holds each answer that long (to see concurrency).
 */
export async function startUploadServer(
  plans: ReadonlyMap<string, UploadPlan>,
  options: { override?: (uploadId: string, count: number) => Override | undefined; delayMs?: number } = {},
): Promise<UploadServer> {
  const counts = new Map<string, number>();
  const log: UploadServer['log'] = [];
  let inFlight = 0;
  const server = await startLocalServer((request, response) => {
    const match = /^\/v1\/sandboxes\/([^/]+)\/uploads\/([^/?]+)/.exec(request.url ?? '');
    if (match === null) {
      sendJson(response, 400, { error: { code: 'bad_request', message: 'unexpected path' } });
      return;
    }
    const uploadId = decodeURIComponent(match[2] ?? '');
    const count = (counts.get(uploadId) ?? 0) + 1;
    counts.set(uploadId, count);
    inFlight += 1;
    log.push({ uploadId, at: Date.now(), inFlight });
    const answer = () => {
      inFlight -= 1;
      const override = options.override?.(uploadId, count);
      if (override !== undefined) {
        sendJson(response, override.status, override.body, override.headers);
        return;
      }
      const plan = plans.get(uploadId);
      if (plan === undefined) {
        sendJson(response, 404, { error: { code: 'upload_not_found', message: `no upload ${uploadId}`, request_id: `req_${count}` } });
        return;
      }
      const done = count >= plan.checks;
      sendJson(response, 200, sessionBody(uploadId, done ? plan.final : 'uploading', done ? 1 : count / plan.checks));
    };
    if (options.delayMs === undefined) answer();
    else setTimeout(answer, options.delayMs);
  });
  return {
    url: server.url,
    counts,
    log,
    total: () => log.length,
    maxInFlight: () => Math.max(0, ...log.map((entry) => entry.inFlight)),
    close: () => server.close(),
  };
}

