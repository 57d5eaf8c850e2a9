import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { SpecToolError } from './errors.js';
import { assertOpenApi, isObject, parseDocumentText } from './load.js';

/**
 * `upstat-spec fetch`: downloads a vendor's published OpenAPI document (bounded in size, time and redirects),
 * checks that it is OpenAPI 3.0/3.1 and saves it, so that `check` and `update` can start from what the vendor
 * publishes rather than from a hand-copied file.
 */

export interface FetchOptions {
  /** Largest document accepted, in bytes. Default 50 MB. */
  maxBytes?: number;
  /** Limit for the whole download, redirects and body included. Default 60 s. */
  timeoutMs?: number;
  /** Redirects followed before giving up. Default 5. */
  maxRedirects?: number;
}

export interface FetchedDocument {
  /** The URL the document finally came from (after redirects), shown without credentials or query. */
  from: string;
  text: string;
  format: 'json' | 'yaml';
  bytes: number;
}

export const FETCH_DEFAULTS = { maxBytes: 50 * 1024 * 1024, timeoutMs: 60_000, maxRedirects: 5 } as const;

/** A URL as it may be printed: no user name, password, query or fragment (any of them may carry a token). */
export function displayUrl(url: string | URL): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}${parsed.search === '' ? '' : '?…'}`;
  } catch {
    return '<not a URL>';
  }
}

/** The body, read chunk by chunk so that a document larger than `maxBytes` is refused without holding it all. */
async function readBounded(response: Response, maxBytes: number, shown: string): Promise<Uint8Array> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel();
    throw new SpecToolError(`${shown}: the document is ${declared} bytes, more than the limit of ${maxBytes}`);
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  if (response.body === null) return new Uint8Array();
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw new SpecToolError(`${shown}: the document is more than the limit of ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  const body = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}

/** A body downloaded within the limits, and the URL it finally came from (for display: no credentials or query). */
export interface BoundedDownload {
  from: string;
  /** The URL it finally came from, as fetched (credentials and query included): not for messages. */
  url: string;
  body: Uint8Array;
  contentType: string | null;
}

/**
 * Downloads an http(s) URL within `maxBytes`, `timeoutMs` (redirects and body included) and `maxRedirects`. Every
 * failure is a SpecToolError that names the URL without credentials or query. Shared by `fetchSpec` and by the
 * bundler's URL `$ref`s (src/bundle.ts).
 */
export async function fetchBounded(url: string, options: FetchOptions = {}): Promise<BoundedDownload> {
  const { maxBytes, timeoutMs, maxRedirects } = { ...FETCH_DEFAULTS, ...options };
  let current: URL;
  try {
    current = new URL(url);
  } catch {
    throw new SpecToolError(`${JSON.stringify(displayUrl(url))} is not a URL`);
  }
  const signal = AbortSignal.timeout(timeoutMs);
  for (let redirects = 0; ; redirects++) {
    const shown = displayUrl(current);
    if (current.protocol !== 'http:' && current.protocol !== 'https:') throw new SpecToolError(`${shown}: only http(s) URLs can be fetched`);
    try {
      // fetch() refuses URLs with credentials (and would name them in its error): send them as Basic auth instead.
      const headers: Record<string, string> = { accept: 'application/json, application/yaml;q=0.9, */*;q=0.5' };
      const target = new URL(current);
      if (target.username !== '' || target.password !== '') {
        headers.authorization = `Basic ${btoa(`${decodeURIComponent(target.username)}:${decodeURIComponent(target.password)}`)}`;
        target.username = '';
        target.password = '';
      }
      const response = await fetch(target, { redirect: 'manual', signal, headers });
      const location = response.headers.get('location');
      if (response.status >= 300 && response.status < 400 && location !== null) {
        await response.body?.cancel();
        if (redirects >= maxRedirects) throw new SpecToolError(`${displayUrl(url)}: more than ${maxRedirects} redirects`);
        current = new URL(location, current);
        continue;
      }
      if (!response.ok) {
        await response.body?.cancel();
        throw new SpecToolError(`${shown}: HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`);
      }
      return { from: shown, url: current.href, body: await readBounded(response, maxBytes, shown), contentType: response.headers.get('content-type') };
    } catch (error) {
      if (error instanceof SpecToolError) throw error;
      const reason = (error as Error).name === 'TimeoutError' ? `no complete answer within ${timeoutMs} ms` : describeNetworkError(error).split(current.href).join(shown);
      throw new SpecToolError(`${shown}: cannot fetch (${reason})`);
    }
  }
}

/**
 * Downloads an OpenAPI 3.0/3.1 document (JSON or YAML) from an http(s) URL and checks that it is one. A document
 * split over files comes back bundled (its refs resolved against the URL it came from, src/bundle.ts), so that the
 * saved file stands alone.
 */
export async function fetchSpec(url: string, options: FetchOptions = {}): Promise<FetchedDocument> {
  const { from: shown, url: final, body } = await fetchBounded(url, options);
  const fetched = new TextDecoder().decode(body);
  const format = fetched.trimStart().startsWith('{') ? 'json' : 'yaml';
  const document = parseDocumentText(fetched, `${shown} (as ${format === 'json' ? 'document.json' : 'document.yaml'})`);
  if (!isObject(document)) throw new SpecToolError(`${shown}: expected a JSON/YAML object at the top level, not an OpenAPI document`);
  assertOpenApi(document, shown);
  const { bundleSpecText } = await import('./bundle.js');
  const { text } = await bundleSpecText({ document, text: fetched, isJson: format === 'json' }, final, { ...options, label: shown });
  return { from: shown, text, format, bytes: body.byteLength };
}

function describeNetworkError(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
  if (cause && typeof cause.code === 'string') return cause.code;
  if (cause && typeof cause.message === 'string') return cause.message;
  return (error as Error).message;
}

const PUBLISHED_AT = /^-\s*\*\*Published at:\*\*\s*<?(\S+?)>?\s*$/m;

/** The URL a PROVENANCE.md records under `- **Published at:** <url>`, if any. */
export function publishedAt(provenance: string): string | undefined {
  return PUBLISHED_AT.exec(provenance)?.[1];
}

/** The published URL of `specs/<provider>/`, or an error saying how to record one. */
export async function publishedUrl(root: string, provider: string): Promise<string> {
  const path = join(root, 'specs', provider, 'PROVENANCE.md');
  if (!existsSync(path)) throw new SpecToolError(`specs/${provider}/PROVENANCE.md: not found (is "${provider}" a spec directory under specs/?)`);
  const url = publishedAt(await readFile(path, 'utf8'));
  if (url === undefined) {
    throw new SpecToolError(
      `specs/${provider}/PROVENANCE.md records no "- **Published at:** <url>": the vendor publishes no document to fetch. ` +
        'Pass --url <url>, or check a file you have with `check <provider> <file>`.',
    );
  }
  return url;
}

/** Spec directories under `<root>/specs` whose PROVENANCE.md records a published URL: the ones `fetch` can update. */
export async function publishedSpecs(root: string): Promise<string[]> {
  const dir = join(root, 'specs');
  const names = existsSync(dir) ? (await readdir(dir, { withFileTypes: true })).filter((entry) => entry.isDirectory()).map((entry) => entry.name) : [];
  const found: string[] = [];
  for (const name of names.sort()) {
    const provenance = join(dir, name, 'PROVENANCE.md');
    if (existsSync(provenance) && publishedAt(await readFile(provenance, 'utf8')) !== undefined) found.push(name);
  }
  return found;
}

/**
 * Saves a fetched document. The default place, `specs/<provider>/.fetched/openapi.<json|yaml>` (git-ignored), is
 * emptied of earlier downloads first, so that it holds exactly one `openapi.*`.
 */
export async function saveFetched(root: string, provider: string, fetched: FetchedDocument, out: string | undefined): Promise<string> {
  let target: string;
  if (out === undefined) {
    const dir = join(root, 'specs', provider, '.fetched');
    if (existsSync(dir)) for (const name of await readdir(dir)) if (name.startsWith('openapi.')) await rm(join(dir, name));
    target = join(dir, `openapi.${fetched.format}`);
  } else {
    target = resolve(out);
    if (fetched.format === 'yaml' && /\.json$/i.test(target)) throw new SpecToolError(`${out}: the document is YAML; name the file .yaml`);
  }
  await mkdir(dirname(target), { recursive: true });
  await writeFile(target, fetched.text);
  return target;
}
