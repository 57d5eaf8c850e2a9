import { isObject, type JsonObject } from '../../load.js';
import { canonicalJson } from '../../canonical-json.js';
import { parseSunset } from '../policy.js';
import { pointer } from '../pointer.js';
import type { RuleId } from '../rules.js';
import { list, sameJson, type DiffContext, type Segments } from './context.js';

/**
 * The document as a whole: `info`, tags, external docs, extensions, servers, and the component names that become
 * generated type names. Also the documentation keywords every other family compares with `compareDocKeywords`.
 */

/** The documentation keywords of OpenAPI objects (operations, parameters, bodies, responses…) and their rules. */
const DOC_RULES: readonly (readonly [string, RuleId])[] = [
  ['summary', 'summary-changed'],
  ['description', 'description-changed'],
  ['externalDocs', 'docs-changed'],
  ['deprecated', 'deprecated-changed'],
  ['tags', 'tags-changed'],
  ['example', 'example-changed'],
  ['examples', 'example-changed'],
];

/** Reports a docs-only change when two documentation values differ (`info` field by field). */
export function compareDocs(ctx: DiffContext, before: unknown, after: unknown, at: Segments, operation: string | undefined, id: RuleId, what: string): void {
  if (sameJson(before, after)) return;
  if (isObject(before) && isObject(after) && id === 'info-changed') {
    for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
      compareDocs(ctx, before[key], after[key], [...at, key], operation, id, `info.${key}`);
    }
    return;
  }
  ctx.emit(id, pointer(...at), operation, `${what} changed.`);
}

/**
 * Extensions (`x-*`) and the usual documentation keywords of an object. `checkedElsewhere` names extensions a caller
 * compares itself (an operation's `x-stability-level`), so that they are not also reported as `extension-changed`.
 */
export function compareDocKeywords(
  ctx: DiffContext,
  before: JsonObject,
  after: JsonObject,
  at: Segments,
  operation: string | undefined,
  what: string,
  checkedElsewhere: readonly string[] = [],
): void {
  for (const [key, id] of DOC_RULES) {
    if (!(key in before) && !(key in after)) continue;
    compareDocs(ctx, before[key], after[key], [...at, key], operation, id, `${what} ${key}`);
  }
  compareExtensions(ctx, before, after, at, operation, checkedElsewhere);
}

export function compareExtensions(ctx: DiffContext, before: JsonObject, after: JsonObject, at: Segments, operation?: string, checkedElsewhere: readonly string[] = []): void {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)].filter((key) => key.startsWith('x-') && !checkedElsewhere.includes(key)));
  for (const key of keys) {
    // An operation's level is compared before its own and its path item's extensions (./operations-and-parameters.ts).
    if (key === 'x-stability-level' && reportedAt(ctx, pointer(...at, key), ['stability-level-invalid', 'stability-level-decreased'])) continue;
    if (key === 'x-sunset') {
      const sunset = sunsetChange({ sunset: before[key], deprecated: before.deprecated === true }, { sunset: after[key], deprecated: after.deprecated === true });
      if (sunset !== undefined) {
        ctx.emit(sunset.id, pointer(...at, key), operation, sunset.detail);
        continue;
      }
    }
    compareDocs(ctx, before[key], after[key], [...at, key], operation, 'extension-changed', `extension ${key}`);
  }
}

/** Whether one of `rules` was reported at `where` (only asked when a policy extension changed, which is rare). */
function reportedAt(ctx: DiffContext, where: string, rules: readonly RuleId[]): boolean {
  return ctx.changes.some((change) => change.pointer === where && rules.includes(change.rule as RuleId));
}

/** The `x-sunset` of something added (an operation, a parameter): reported when it is not a date. */
export function checkAddedSunset(ctx: DiffContext, added: JsonObject, at: Segments, operation: string | undefined): void {
  const sunset = sunsetChange({ sunset: undefined, deprecated: false }, { sunset: added['x-sunset'], deprecated: added.deprecated === true });
  if (sunset !== undefined) ctx.emit(sunset.id, pointer(...at, 'x-sunset'), operation, sunset.detail);
}

interface SunsetSide {
  /** The raw `x-sunset`. */
  sunset: unknown;
  deprecated: boolean;
}

/**
 * `x-sunset`, the date by which the policy pass (src/diff/policy.ts) judges a deprecated item's removal: a value it
 * cannot read as a date (set or changed to one, or carried by an item that became deprecated), or a date dropped from
 * an item that stays deprecated, is a rule of its own. Any other change of it is an `extension-changed` (undefined).
 * Used for OpenAPI objects here and for schemas by ./schema-keywords.ts.
 */
export function sunsetChange(before: SunsetSide, after: SunsetSide): { id: RuleId; detail: string } | undefined {
  const changed = !sameJson(before.sunset, after.sunset);
  if (after.sunset !== undefined && parseSunset(after.sunset) === undefined && (changed || (after.deprecated && !before.deprecated))) {
    return {
      id: 'sunset-invalid',
      detail: `x-sunset ${canonicalJson(after.sunset)} is not a date (YYYY-MM-DD, an RFC 3339 date-time or an HTTP date): the policy cannot judge a removal by it.`,
    };
  }
  if (before.sunset !== undefined && after.sunset === undefined && before.deprecated && after.deprecated) {
    return { id: 'sunset-removed', detail: `x-sunset ${canonicalJson(before.sunset)} was removed while the item stays deprecated: it may now go without a date.` };
  }
  return undefined;
}

/** `info`, tags, external docs and root extensions. */
export function compareDocument(ctx: DiffContext): void {
  compareDocs(ctx, ctx.before.info, ctx.after.info, ['info'], undefined, 'info-changed', 'info');
  compareDocs(ctx, ctx.before.tags, ctx.after.tags, ['tags'], undefined, 'tags-changed', 'tags');
  compareDocs(ctx, ctx.before.externalDocs, ctx.after.externalDocs, ['externalDocs'], undefined, 'docs-changed', 'externalDocs');
  compareExtensions(ctx, ctx.before, ctx.after, []);
}

function serverUrls(servers: unknown): string[] {
  if (!Array.isArray(servers)) return [];
  return servers.filter(isObject).map((server) => {
    let url = String(server.url);
    const variables = isObject(server.variables) ? server.variables : {};
    for (const [name, variable] of Object.entries(variables)) {
      if (isObject(variable)) url = url.split(`{${name}}`).join(String(variable.default));
    }
    return url;
  });
}

export function compareServers(ctx: DiffContext, before: unknown, after: unknown, at: Segments, operation: string | undefined): void {
  const oldUrls = serverUrls(before);
  const newUrls = serverUrls(after);
  if (canonicalJson(oldUrls) !== canonicalJson(newUrls)) {
    ctx.emit('server-changed', pointer(...at), operation, `Server URLs changed from ${list(oldUrls) || 'none'} to ${list(newUrls) || 'none'}; the client's default base URL changes.`);
  } else if (!sameJson(before, after)) {
    ctx.emit('docs-changed', pointer(...at), operation, 'Server descriptions changed.');
  }
}

export function components(document: JsonObject, kind: string): JsonObject {
  const group = isObject(document.components) ? document.components[kind] : undefined;
  return isObject(group) ? group : {};
}

/**
 * Component schema names become generated type names (`components['schemas']['X']`): removing or
 * renaming one breaks compilation. Additions are not reported on their own (they change nothing a
 * client sees until an operation uses them, and then that operation reports it).
 */
export function compareComponentNames(ctx: DiffContext): void {
  const before = components(ctx.before, 'schemas');
  const after = components(ctx.after, 'schemas');
  const added = Object.keys(after).filter((name) => !(name in before));
  const addedByContent = new Map(added.map((name) => [canonicalJson(after[name]), name]));
  for (const name of Object.keys(before).filter((candidate) => !(candidate in after))) {
    const renamedTo = addedByContent.get(canonicalJson(before[name]));
    const at = pointer('components', 'schemas', name);
    if (renamedTo === undefined) {
      ctx.emit('component-schema-removed', at, undefined, `Component schema \`${name}\` was removed; code using its generated type no longer compiles.`);
    } else {
      ctx.emit('component-schema-renamed', at, undefined, `Component schema \`${name}\` was renamed to \`${renamedTo}\`; code using its generated type no longer compiles.`);
    }
  }
}
