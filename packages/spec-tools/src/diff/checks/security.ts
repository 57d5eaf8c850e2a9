import { isObject } from '../../load.js';
import { canonicalJson } from '../../canonical-json.js';
import { pointer } from '../pointer.js';
import type { DiffContext, Segments } from './context.js';
import { compareDocKeywords, components } from './document.js';

/** Security requirements (root and per operation) and security schemes. */

/** Security requirements as a canonical set of alternatives. */
function securityKey(security: unknown): string {
  if (!Array.isArray(security)) return '[]';
  return canonicalJson(
    security
      .filter(isObject)
      .map((requirement) =>
        canonicalJson(Object.fromEntries(Object.entries(requirement).map(([name, scopes]) => [name, Array.isArray(scopes) ? (scopes as unknown[]).map(String).sort() : []]))),
      )
      .sort(),
  );
}

export function compareSecurity(ctx: DiffContext, before: unknown, after: unknown, at: Segments, operation: string | undefined): void {
  const oldKey = securityKey(before);
  const newKey = securityKey(after);
  if (oldKey === newKey) return;
  ctx.emit('security-requirement-changed', pointer(...at), operation, `Security requirements changed from ${oldKey} to ${newKey}.`);
}

export function compareSecuritySchemes(ctx: DiffContext): void {
  const before = components(ctx.before, 'securitySchemes');
  const after = components(ctx.after, 'securitySchemes');
  // Descriptions and extensions are documentation; everything else is what the client must send.
  const strip = (scheme: unknown) => canonicalJson(isObject(scheme) ? Object.fromEntries(Object.entries(scheme).filter(([key]) => key !== 'description' && !key.startsWith('x-'))) : scheme);
  for (const name of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const at = ['components', 'securitySchemes', name];
    const oldScheme = ctx.resolveBefore(before[name]);
    const newScheme = ctx.resolveAfter(after[name]);
    if (oldScheme === undefined) {
      ctx.emit('security-scheme-added', pointer(...at), undefined, `Security scheme \`${name}\` was added.`);
    } else if (newScheme === undefined) {
      ctx.emit('security-scheme-removed', pointer(...at), undefined, `Security scheme \`${name}\` was removed.`);
    } else if (strip(oldScheme) !== strip(newScheme)) {
      ctx.emit('security-scheme-changed', pointer(...at), undefined, `Security scheme \`${name}\` changed.`);
    } else if (isObject(oldScheme) && isObject(newScheme)) {
      compareDocKeywords(ctx, oldScheme, newScheme, at, undefined, `security scheme \`${name}\``);
    }
  }
}
