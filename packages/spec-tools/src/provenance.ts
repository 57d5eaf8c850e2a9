import { createHash } from 'node:crypto';

/**
 * A vendored spec must stay the vendor's document. Its PROVENANCE.md records a digest of the parsed
 * document (keys sorted, no whitespace), so pretty-printing is allowed but any change of content is not.
 */

/** JSON text of a value with object keys sorted at every level and no whitespace. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, inner]) => inner !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, inner]) => `${JSON.stringify(key)}:${canonicalJson(inner)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** `sha256:<hex>` of the canonical JSON of a parsed document. */
export function documentDigest(document: unknown): string {
  return `sha256:${createHash('sha256').update(canonicalJson(document)).digest('hex')}`;
}

const DIGEST_LINE = /^[-*]?\s*\**Document digest:?\**:?\s*`?(sha256:[0-9a-f]{64})`?/im;

/** The digest recorded in a PROVENANCE.md, if any. */
export function recordedDigest(provenance: string): string | undefined {
  return DIGEST_LINE.exec(provenance)?.[1];
}
