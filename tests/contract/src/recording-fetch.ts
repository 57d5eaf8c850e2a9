import type { FetchLike } from '@upstat/core';

export interface RecordedExchange {
  method: string;
  url: string;
  authorization: string | null;
  status: number;
  /** Prism's `sl-violations` header: present when a request or response broke the spec. */
  violations: string | null;
  bodyText: string;
}

/** A real `fetch` that remembers every exchange, so tests can count requests and inspect what was sent. */
export function recordingFetch(): { fetch: FetchLike; exchanges: RecordedExchange[] } {
  const exchanges: RecordedExchange[] = [];
  const fetchAndRecord: FetchLike = async (request) => {
    const response = await globalThis.fetch(request);
    const bodyText = await response.clone().text();
    exchanges.push({
      method: request.method,
      url: request.url,
      authorization: request.headers.get('authorization'),
      status: response.status,
      violations: response.headers.get('sl-violations'),
      bodyText,
    });
    return response;
  };
  return { fetch: fetchAndRecord, exchanges };
}
