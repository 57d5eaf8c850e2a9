import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json.js';

/**
 * A vendored spec must stay the vendor's document. Its PROVENANCE.md records a digest of the parsed
 * document (keys sorted, no whitespace), so pretty-printing is allowed but any change of content is not.
 */

export { canonicalJson };

/** `sha256:<hex>` of the canonical JSON of a parsed document. */
export function documentDigest(document: unknown): string {
  return `sha256:${createHash('sha256').update(canonicalJson(document)).digest('hex')}`;
}

const DIGEST_LINE = /^[-*]?\s*\**Document digest:?\**:?\s*`?(sha256:[0-9a-f]{64})`?/im;

/** The digest recorded in a PROVENANCE.md, if any. */
export function recordedDigest(provenance: string): string | undefined {
  return DIGEST_LINE.exec(provenance)?.[1];
}
