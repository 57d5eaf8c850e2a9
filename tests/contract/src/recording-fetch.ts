import type { FetchLike } from '@upstat/core';

export interface RecordedExchange {
  method: string;
  url: string;
  /** Every request header, by lower-case name. */
  headers: Record<string, string>;
  status: number;
  /** Prism's `sl-violations` header: present when a request or response broke the spec. */
  violations: string | null;
  bodyText: string;
}

/**
 * A real `fetch` that remembers every exchange, so tests can count requests and inspect what was sent. OAuth2 token
 * requests (form-encoded POSTs, which a client-credentials client sends through the same fetch) are kept apart.
 */
export function recordingFetch(): { fetch: FetchLike; exchanges: RecordedExchange[]; tokenExchanges: RecordedExchange[] } {
  const exchanges: RecordedExchange[] = [];
  const tokenExchanges: RecordedExchange[] = [];
  const fetchAndRecord: FetchLike = async (request) => {
    const response = await globalThis.fetch(request);
    const bodyText = await response.clone().text();
    const isToken = request.method === 'POST' && (request.headers.get('content-type') ?? '').includes('application/x-www-form-urlencoded');
    (isToken ? tokenExchanges : exchanges).push({
      method: request.method,
      url: request.url,
      headers: Object.fromEntries(request.headers),
      status: response.status,
      violations: response.headers.get('sl-violations'),
      bodyText,
    });
    return response;
  };
  return { fetch: fetchAndRecord, exchanges, tokenExchanges };
}
