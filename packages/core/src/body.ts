/**
 * Reading a response body with a size limit, enforced while reading: nothing past the limit is buffered, and
 * the body is cancelled at the limit so the connection is released at once instead of downloading the rest.
 */

/** The largest success body a client accepts by default: status bodies are a few kilobytes. */
export const DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024;

/** How much of an error body is read: enough for any vendor's error JSON, never a whole HTML page or stream. */
export const ERROR_BODY_LIMIT_BYTES = 16 * 1024;

export interface BodyText {
  text: string;
  /** Bytes read (at most the limit). */
  bytes: number;
  /** The body went past the limit: `text` is only its start (empty when `Content-Length` said so up front). */
  overLimit: boolean;
}

const decoder = new TextDecoder();

function concat(chunks: readonly Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  const all = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    all.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return all;
}

/**
 * Reads up to `limit` bytes of `response`'s body as UTF-8 text. `framed` says the response came from Node's
 * own fetch, which never delivers more bytes than a `Content-Length` declares (HTTP framing): the declared
 * length can then be trusted, unless the body is compressed (it counts encoded bytes; a zip bomb is not framed
 * by it). A `Response` built by a custom fetch is not framed: its header can say anything. With `keepStart`, a longer body gives its
 * first `limit` bytes; without, reading stops as soon as the limit is passed (or before reading, when the
 * declared `Content-Length` is over it) and `text` is empty. Either way the rest is cancelled, not read.
 */
export async function readBodyText(response: Response, limit: number, keepStart: boolean, framed = false): Promise<BodyText> {
  const body = response.body;
  if (body === null) return { text: '', bytes: 0, overLimit: false };
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (!keepStart && declared > limit) {
    await body.cancel().catch(() => undefined);
    return { text: '', bytes: 0, overLimit: true };
  }
  // A framed response (see below) whose declared length fits is read whole, without counting chunks: the
  // common case, and measurably cheaper per request.
  if (framed && declared <= limit && response.headers.get('content-encoding') === null) {
    const text = await response.text();
    return { text, bytes: declared, overLimit: false };
  }
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  let overLimit = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (bytes + value.byteLength > limit) {
        overLimit = true;
        if (keepStart) {
          chunks.push(value.subarray(0, limit - bytes));
          bytes = limit;
        }
        break;
      }
      chunks.push(value);
      bytes += value.byteLength;
    }
  } finally {
    if (overLimit) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
  if (overLimit && !keepStart) return { text: '', bytes, overLimit };
  return { text: chunks.length === 0 ? '' : decoder.decode(concat(chunks, bytes)), bytes, overLimit };
}
