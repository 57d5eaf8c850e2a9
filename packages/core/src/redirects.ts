/**
 * Redirects for a credential in a header of its own (`X-Api-Key`, say). `fetch` drops `Authorization` when a
 * redirect leaves the request's origin, but sends every other header on: such a key would reach whatever server a
 * redirect names. For those credentials the client follows redirects itself, as `fetch` would, and drops the
 * credential's headers once a redirect leaves the origin (they are not restored if a later one comes back).
 */

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** As many redirects as `fetch` follows (the Fetch standard's limit). */
export const MAX_REDIRECTS = 20;

/**
 * Sends `request` through `send` with `redirect: 'manual'` and follows the redirects of a GET. The errors it throws
 * use the runtime's own words (`redirect count exceeded`, `URL scheme must be a HTTP(S) scheme`), which the client
 * turns into a `RedirectError`.
 */
export async function followRedirects(
  request: Request,
  send: (request: Request) => Promise<Response>,
  credentialHeaders: readonly string[],
): Promise<Response> {
  const origin = new URL(request.url).origin;
  let current = new Request(request, { redirect: 'manual' });
  for (let hops = 0; ; hops++) {
    const response = await send(current);
    const location = response.headers.get('location');
    if (!REDIRECT_STATUSES.has(response.status) || location === null) return response;
    await response.body?.cancel();
    if (hops >= MAX_REDIRECTS) throw new TypeError('redirect count exceeded');
    const next = new URL(location, current.url);
    if (next.protocol !== 'http:' && next.protocol !== 'https:') throw new TypeError('URL scheme must be a HTTP(S) scheme');
    const headers = new Headers(current.headers);
    if (next.origin !== origin) {
      for (const name of ['authorization', ...credentialHeaders]) headers.delete(name);
    }
    current = new Request(next, { method: 'GET', headers, redirect: 'manual', signal: current.signal });
  }
}
