import { isObject, type JsonObject } from '../load.js';
import { acceptChanges, overrideSeverity } from './accepted.js';
import { DEFAULT_POLICY, isCalendarDate, parseToday, STABILITY_LEVELS, utcToday, type DiffPolicy, type ResolvedPolicy, type SeverityOverride } from './policy-config.js';
import { unescapeSegment } from './pointer.js';
import { deref } from './refs.js';
import { declaredStabilityLevel, parseStabilityLevel } from './stability.js';
import { byReportOrder, summarize, type BreakKind, type DiffResult, type Severity, type SpecChange } from './types.js';

/**
 * The policy pass: runs on the classifier's output and rules on its breaking changes with what the vendor declared
 * in the documents (README, "Policy"):
 *  - deprecation and sunset: a removal (a rule id ending in `-removed`) of an item that the old document marks
 *    `deprecated: true` — the item itself or anything enclosing it on the change's pointer (an operation, parameter,
 *    property, header or schema) — is judged by its `x-sunset` date against `today`;
 *  - stability: a breaking change to an operation whose `x-stability-level` (on the operation, else its path item,
 *    in the old document, else the new one) is one of the policy's `stabilityDowngrade` levels.
 * A downgraded change keeps its rule id and says what the policy did in `policy` and in its message; every other
 * change is returned as it was, except that a removal of something deprecated says how its sunset was judged.
 */

export type PolicyApplied = 'sunset-passed' | 'deprecated-without-sunset' | 'stability-level';

/** What the policy did to a change. */
export interface PolicyRecord {
  applied: PolicyApplied;
  originalSeverity: Severity;
  originalBreaks?: BreakKind | undefined;
}

export interface PolicyChange extends SpecChange {
  /** Set when the policy changed the severity. */
  policy?: PolicyRecord | undefined;
}

export interface PolicyResult extends DiffResult {
  changes: PolicyChange[];
}

export interface PolicyOptions {
  /** Settings over DEFAULT_POLICY. */
  policy?: Partial<DiffPolicy> | undefined;
  /** `YYYY-MM-DD`; default today in UTC. A sunset on this date has passed. */
  today?: string | undefined;
  /** The policy file's severity overrides, applied before the policy judges a change (./accepted.ts). */
  severity?: readonly SeverityOverride[] | undefined;
}

const METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);
/** Keys whose value maps names to schemas: a member may itself be a boolean schema named, say, `deprecated`. */
const SCHEMA_MAPS = new Set(['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas', 'schemas']);
/** Keys whose value maps names to other objects (headers, media types, responses, paths). */
const OTHER_MAPS = new Set(['headers', 'content', 'responses', 'paths', 'webhooks', 'callbacks', 'components', 'encoding', 'links', 'examples']);
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (value: number) => String(value).padStart(2, '0');

/**
 * An `x-sunset` value as a `YYYY-MM-DD` date, or undefined when it is not one. Accepted: a full date (`2026-12-31`)
 * and an RFC 3339 date-time (its date as written), as oasdiff accepts; and the HTTP date of the RFC 8594 `Sunset`
 * header (`Thu, 31 Dec 2026 23:59:59 GMT`).
 */
export function parseSunset(value: unknown): string | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.toISOString().slice(0, 10);
  if (typeof value !== 'string') return undefined;
  const rfc3339 = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:[Zz]|[+-](\d{2}):(\d{2})))?$/.exec(value);
  const http = /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d{2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/.exec(value);
  let date: [number, number, number];
  let time: [number, number, number] = [0, 0, 0];
  if (rfc3339) {
    date = [Number(rfc3339[1]), Number(rfc3339[2]), Number(rfc3339[3])];
    if (rfc3339[4] !== undefined) time = [Number(rfc3339[4]), Number(rfc3339[5]), Number(rfc3339[6])];
    if (rfc3339[7] !== undefined && (Number(rfc3339[7]) > 23 || Number(rfc3339[8]) > 59)) return undefined;
  } else if (http) {
    date = [Number(http[3]), MONTHS.indexOf(http[2] as string) + 1, Number(http[1])];
    time = [Number(http[4]), Number(http[5]), Number(http[6])];
  } else {
    return undefined;
  }
  const [year, month, day] = date;
  // 60 seconds: a leap second is a valid RFC 3339 time.
  if (!isCalendarDate(year, month, day) || time[0] > 23 || time[1] > 59 || time[2] > 60) return undefined;
  return `${year}-${pad(month)}-${pad(day)}`;
}

/** Something on a change's pointer that the old document marks deprecated. */
interface Deprecated {
  /** `operation GET /a`, `query parameter \`q\``, `property \`name\``, … */
  label: string;
  /** The raw `x-sunset`, if any. */
  sunset: unknown;
}

/** A deprecated flag or sunset read from a `$ref` site (3.1 allows siblings) or else from what it points at. */
function flags(document: JsonObject, node: unknown): { deprecated: boolean; sunset: unknown; value: unknown } {
  const target = deref(document, node).value;
  const site = isObject(node) ? node : {};
  const resolved = isObject(target) ? target : {};
  return {
    deprecated: site.deprecated === true || resolved.deprecated === true,
    sunset: site['x-sunset'] ?? resolved['x-sunset'],
    value: target,
  };
}

function splitPointer(pointer: string): string[] {
  return pointer === '' ? [] : pointer.split('/').slice(1).map(unescapeSegment);
}

/** One step down a document: through `$ref`s where the segment is not beside them. */
function step(document: JsonObject, node: unknown, segment: string): { child: unknown; inArray: boolean } {
  const target = deref(document, node).value;
  if (Array.isArray(target)) return { child: /^\d+$/.test(segment) ? (target[Number(segment)] as unknown) : undefined, inArray: true };
  if (isObject(node) && Object.hasOwn(node, segment)) return { child: node[segment], inArray: false };
  if (isObject(target) && Object.hasOwn(target, segment)) return { child: target[segment], inArray: false };
  return { child: undefined, inArray: false };
}

const parameterKey = (document: JsonObject, entry: unknown): string | undefined => {
  const value = deref(document, entry).value;
  return isObject(value) ? `${String(value.in)}:${String(value.name)}` : undefined;
};

/**
 * Walks `pointer` through the old document and returns what it marks deprecated along the way, innermost first. The
 * walk stops where the document ends, so a pointer to something the old document lacks still finds what encloses it.
 * A pointer is into the new document except for what was removed (./types.ts); the one place the two differ is a
 * position in a `parameters` list, so unless `oldPositions`, a parameter is matched by `in` and `name` through the
 * new document's list.
 */
function deprecatedAlong(before: JsonObject, after: JsonObject, pointer: string, oldPositions: boolean): Deprecated[] {
  const segments = splitPointer(pointer);
  const found: Deprecated[] = [];
  let node: unknown = before;
  let other: unknown = after;
  let nodeIsMap = false;
  for (const [index, segment] of segments.entries()) {
    const first = step(before, node, segment);
    const { inArray } = first;
    let { child } = first;
    const otherChild = step(after, other, segment).child;
    if (inArray && segments[index - 1] === 'parameters' && !oldPositions) {
      const wanted = parameterKey(after, otherChild);
      const list = deref(before, node).value as unknown[];
      child = wanted === undefined ? undefined : list.find((entry) => parameterKey(before, entry) === wanted);
    }
    if (child === undefined) break;
    // `components` holds maps (`schemas`, `parameters`, …): its members are maps too.
    const childIsMap: boolean =
      (index === 1 && segments[0] === 'components') || (!nodeIsMap && !inArray && (SCHEMA_MAPS.has(segment) || OTHER_MAPS.has(segment)));
    if (!childIsMap) {
      const { deprecated, sunset, value } = flags(before, child);
      if (deprecated) found.unshift({ label: label(segments, index, nodeIsMap, value), sunset });
    }
    node = child;
    other = otherChild;
    nodeIsMap = childIsMap;
  }
  return found;
}

function label(segments: string[], index: number, parentIsMap: boolean, value: unknown): string {
  const segment = segments[index] as string;
  const parent = segments[index - 1];
  if (index === 2 && METHODS.has(segment) && segments[0] === 'paths') return `operation ${segment.toUpperCase()} ${String(segments[1])}`;
  if (index === 2 && METHODS.has(segment) && segments[0] === 'webhooks') return `webhook ${String(segments[1])} ${segment.toUpperCase()}`;
  if (parent === 'parameters' && /^\d+$/.test(segment) && isObject(value)) return `${String(value.in)} parameter \`${String(value.name)}\``;
  if (parentIsMap && parent === 'properties') return `property \`${segment}\``;
  if (parentIsMap && parent === 'headers') return `header ${segment}`;
  if (parentIsMap && parent === 'schemas' && index === 2 && segments[0] === 'components') return `schema \`${segment}\``;
  return `\`/${segments
    .slice(0, index + 1)
    .map((part) => part.replace(/~/g, '~0').replace(/\//g, '~1'))
    .join('/')}\``;
}

/** The operation a change is in: from its pointer (`/paths/{path}/{method}/…`), else from its `operation` label. */
function operationIn(document: JsonObject, change: SpecChange): { operation: JsonObject; pathItem: JsonObject; label: string } | undefined {
  const [root, key, method] = splitPointer(change.pointer);
  let where: [string, string, string] | undefined;
  if ((root === 'paths' || root === 'webhooks') && key !== undefined && method !== undefined && METHODS.has(method)) where = [root, key, method];
  else {
    const match = /^([A-Z]+) (\/.*)$/.exec(change.operation ?? '');
    if (match && METHODS.has((match[1] as string).toLowerCase())) where = ['paths', match[2] as string, (match[1] as string).toLowerCase()];
  }
  if (where === undefined) return undefined;
  const items = document[where[0]];
  const pathItem = isObject(items) ? deref(document, items[where[1]]).value : undefined;
  const operation = isObject(pathItem) ? pathItem[where[2]] : undefined;
  if (!isObject(pathItem) || !isObject(operation)) return undefined;
  const name = where[0] === 'paths' ? `operation ${where[2].toUpperCase()} ${where[1]}` : `webhook ${where[1]} ${where[2].toUpperCase()}`;
  return { operation, pathItem, label: name };
}

/** What a sunset ruling adds to a removal's message, and whether it downgrades it. */
interface Ruling {
  note: string;
  applied?: PolicyApplied;
}

const quote = (value: unknown): string => JSON.stringify(value);

function sunsetRuling(before: JsonObject, after: JsonObject, change: SpecChange, policy: DiffPolicy, today: string): Ruling | undefined {
  // Only a removed parameter's pointer gives its position in the old document's list (src/diff/checks/, parameters).
  const found = deprecatedAlong(before, after, change.pointer, change.rule.endsWith('-parameter-removed'));
  // A parameter shared by a path item is reported per operation: the operation's own deprecation counts too.
  const operation = operationIn(before, change);
  if (operation?.operation.deprecated === true && !found.some((item) => item.label === operation.label)) {
    found.push({ label: operation.label, sunset: operation.operation['x-sunset'] });
  }
  if (found.length === 0) return undefined;
  const dated = found.map((item) => ({ ...item, date: parseSunset(item.sunset) }));
  // The whole of a deprecated item may go after its sunset, so any part of it may too: any passed sunset wins.
  const passed = dated.find((item) => item.date !== undefined && item.date <= today);
  if (passed) {
    const note = `Removed after its sunset on ${String(passed.date)} (deprecated ${passed.label})`;
    return policy.afterSunset === 'non-breaking'
      ? { note: `${note}: not breaking under the policy.`, applied: 'sunset-passed' }
      : { note: `${note}, but the policy keeps it breaking (afterSunset).` };
  }
  const inner = dated[0] as (typeof dated)[number];
  if (inner.date !== undefined) return { note: `Removed before its sunset on ${inner.date} (deprecated ${inner.label}): breaking until then.` };
  if (inner.sunset !== undefined) {
    return {
      note: `Removed while deprecated (${inner.label}), but its x-sunset ${quote(inner.sunset)} is not a date (YYYY-MM-DD, an RFC 3339 date-time or an HTTP date): breaking.`,
    };
  }
  return policy.deprecatedWithoutSunset === 'non-breaking'
    ? { note: `Removed while deprecated without a sunset date (${inner.label}): not breaking under the policy (deprecatedWithoutSunset).`, applied: 'deprecated-without-sunset' }
    : { note: `Removed while deprecated without a sunset date (${inner.label}): breaking under the policy (deprecatedWithoutSunset).` };
}

function stabilityRuling(before: JsonObject, after: JsonObject, change: SpecChange, policy: DiffPolicy): Ruling | undefined {
  // The old document's level is what a client relied on; a stable operation relabelled draft in the same release
  // that breaks it still breaks.
  const operation = operationIn(before, change) ?? operationIn(after, change);
  if (operation === undefined) return undefined;
  const declared = declaredStabilityLevel(operation.operation, operation.pathItem);
  if (declared === undefined) return undefined;
  const level = parseStabilityLevel(declared.value);
  if (level === undefined) {
    return { note: `The x-stability-level ${quote(declared.value)} of ${operation.label} is not one of ${STABILITY_LEVELS.join(', ')}; the policy ignores it.` };
  }
  if (!policy.stabilityDowngrade.includes(level)) return undefined;
  return { note: `Not breaking under the policy: ${operation.label} is ${level} (x-stability-level).`, applied: 'stability-level' };
}

function judge(change: SpecChange, before: JsonObject, after: JsonObject, policy: DiffPolicy, today: string): PolicyChange {
  if (change.severity !== 'breaking') return change;
  const notes: string[] = [];
  const rulings = [change.rule.endsWith('-removed') ? sunsetRuling(before, after, change, policy, today) : undefined];
  if (rulings[0]?.applied === undefined) rulings.push(stabilityRuling(before, after, change, policy));
  let applied: PolicyApplied | undefined;
  for (const ruling of rulings) {
    if (ruling === undefined) continue;
    notes.push(ruling.note);
    applied ??= ruling.applied;
  }
  if (notes.length === 0) return change;
  const message = `${change.message} ${notes.join(' ')}`;
  if (applied === undefined) return { ...change, message };
  return { ...change, severity: 'non-breaking', breaks: undefined, message, policy: { applied, originalSeverity: change.severity, originalBreaks: change.breaks } };
}

/**
 * Applies a policy to a diff of `before` → `after` (the documents the diff was made from): returns the changes,
 * re-sorted as the classifier sorts them, and the summary counted with the new severities.
 */
export function applyPolicy(result: DiffResult, before: JsonObject, after: JsonObject, options: PolicyOptions = {}): PolicyResult {
  const policy: DiffPolicy = { ...DEFAULT_POLICY, ...options.policy };
  const today = options.today === undefined ? utcToday() : parseToday(options.today, 'today');
  const changes = result.changes
    .map((change) => judge(overrideSeverity(change, options.severity ?? []), before, after, policy, today))
    .sort(byReportOrder);
  return {
    ...result,
    changes,
    summary: summarize(changes),
  };
}

/**
 * What `diff`, `check`, `fetch` and `update` make of a classified diff under a resolved policy: the policy, with the
 * policy file's severity overrides, then the file's accepted changes (src/diff/accepted.ts).
 */
export function judgeDiff(
  result: DiffResult,
  before: JsonObject,
  after: JsonObject,
  resolved: Pick<ResolvedPolicy, 'policy' | 'today' | 'severity' | 'accepted'>,
): PolicyResult {
  const { policy, today, severity, accepted } = resolved;
  return acceptChanges(applyPolicy(result, before, after, { policy, today, severity }), accepted, today);
}

