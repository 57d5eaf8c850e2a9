/**
 * The `User-Agent` every request sends: `upstat/<version of @upstat/core> (<package>/<its version>)`, e.g.
 * `upstat/0.3.0 (@upstat/pandadoc/0.2.1)`, so a vendor's support can tell which library and which client made
 * a request. A `User-Agent` in the client's `headers` (or a call's) replaces it.
 *
 * Versions are never written by hand: the build puts `@upstat/core`'s from its package.json into
 * `__UPSTAT_CORE_VERSION__` (`tsup.config.ts`, `vitest.config.ts`), so a version bump by changesets needs no
 * source change. A provider package passes its own name and version the same way (see `ProviderWiring.package`).
 */

// Replaced by the build (tsup `define`); left undeclared at run time when the source runs unbundled.
declare const __UPSTAT_CORE_VERSION__: string | undefined;

/** The version of `@upstat/core` this code was built as (`0.0.0-dev` when run from source without the build's define). */
export const CORE_VERSION: string = typeof __UPSTAT_CORE_VERSION__ === 'string' ? __UPSTAT_CORE_VERSION__ : '0.0.0-dev';

/** Which package sends the requests: its npm name and version. */
export interface PackageInfo {
  readonly name: string;
  /** Left out of the `User-Agent` when unknown. */
  readonly version?: string | undefined;
}

/** Characters a `User-Agent` product token or comment may not hold (RFC 9110 §10.1.5): kept out, never sent raw. */
const UNSAFE = /[^\x21-\x7e]|[()\\]/g;

/** The `User-Agent` for requests sent by `pkg` (or by core alone). */
export function userAgent(pkg?: PackageInfo): string {
  if (pkg === undefined) return `upstat/${CORE_VERSION}`;
  const name = pkg.name.replace(UNSAFE, '');
  const version = pkg.version?.replace(UNSAFE, '');
  return `upstat/${CORE_VERSION} (${name}${version ? `/${version}` : ''})`;
}
