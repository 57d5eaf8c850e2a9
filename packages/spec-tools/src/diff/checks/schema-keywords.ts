import { isObject, type JsonObject } from '../../load.js';
import { canonicalJson } from '../../canonical-json.js';
import { mergeAllOf, normalizeSchema, SCHEMA_MAP_KEYWORDS, SUBSCHEMA_KEYWORDS, type Constraints, type NormalSchema } from '../normalize.js';
import { pointer } from '../pointer.js';
import { bySide, rule, type RuleId } from '../rules.js';
import { list, sameJson, type DiffContext, type RelativeChange, type Segments, type Side } from './context.js';
import { sunsetChange } from './document.js';

/**
 * Schemas, keyword by keyword (OpenAPI 3.0 and 3.1 / JSON Schema 2020-12), compared recursively with the client's
 * asymmetry: on the request side narrowing breaks, on the response side widening breaks (`src/diff/rules.ts` holds
 * every verdict). `$ref`s are resolved, so moving a schema between inline and `components` changes nothing, and the
 * comparison of two `$ref`s is cached per side.
 */

/** Collects the changes of one schema comparison, relative to where it started. */
class Found {
  readonly changes: RelativeChange[] = [];
  constructor(readonly side: Side) {}

  get request(): boolean {
    return this.side === 'request';
  }

  push(id: RuleId, detail: string, at = '', field = ''): void {
    this.changes.push({ rule: id, at, field, detail });
  }

  /** Something that exists only in the old document: the pointer is read there (see `emitSchema`). */
  removal(id: RuleId, detail: string, at = '', field = ''): void {
    this.changes.push({ rule: id, at, field, detail, inOld: true });
  }

  /** Adds the changes of a comparison one level down, below pointer suffix `at` and property path `field`. */
  nested(inner: RelativeChange[], at: string, field: string): void {
    for (const change of inner) {
      this.changes.push({ ...change, at: `${at}${change.at}`, field: field === '' ? change.field : change.field === '' ? field : `${field}.${change.field}` });
    }
  }

  /** A constraint keyword changed: on the request side its direction decides; on the response side it never breaks. */
  constraint(direction: 'tightened' | 'loosened', at: string, detail: string, removed = false): void {
    const record = removed ? this.removal.bind(this) : this.push.bind(this);
    if (this.side === 'response') record('response-constraint-changed', detail, at);
    else record(direction === 'tightened' ? 'request-constraint-tightened' : 'request-constraint-loosened', detail, at);
  }

  widened(detail: string, at = ''): void {
    this.push(bySide(this.side, 'request-type-widened', 'response-type-widened'), detail, at);
  }

  narrowed(detail: string, at = ''): void {
    this.push(bySide(this.side, 'request-type-narrowed', 'response-type-narrowed'), detail, at);
  }
}

const joinField = (base: string, name: string) => (base === '' ? name : `${base}.${name}`);
const show = (value: unknown) => (value === undefined ? 'none' : canonicalJson(value));

function typeLabel(types: Set<string> | undefined): string {
  return types === undefined ? 'any' : [...types].sort().join(' | ');
}

/** Widening of a type set, with `integer` counted inside `number`. */
function covers(types: Set<string>, type: string): boolean {
  return types.has(type) || (type === 'integer' && types.has('number'));
}

const MIN_LIKE = new Set<keyof Constraints>(['minimum', 'exclusiveMinimum', 'minLength', 'minItems', 'minProperties', 'minContains']);
const MAX_LIKE = new Set<keyof Constraints>(['maximum', 'exclusiveMaximum', 'maxLength', 'maxItems', 'maxProperties', 'maxContains']);

/**
 * Whether a `pattern` matches every string. JSON Schema patterns are searched for, not anchored, so a pattern
 * without `$`, look-arounds or word boundaries that matches the empty string matches at the start of any string
 * (`.*`, `^.*`, `^[a-z]*`); `^.*$` and `^[\s\S]*$` are recognised by name.
 */
export function matchesEverything(pattern: string): boolean {
  if (['^.*$', '.*$', '^[\\s\\S]*$', '[\\s\\S]*$', '^(.*)$'].includes(pattern)) return true;
  if (/(?<!\\)\$|\(\?|\\[bB]/.test(pattern)) return false;
  try {
    return new RegExp(pattern, 'u').test('');
  } catch {
    return false; // not a valid ECMAScript pattern: compare it as text
  }
}

/** Whether going from `before` to `after` lets fewer values through (tightened) or more (loosened). */
function constraintDirection(key: keyof Constraints, before: unknown, after: unknown): 'tightened' | 'loosened' | undefined {
  if (sameJson(before, after)) return undefined;
  if (key === 'pattern') {
    const open = (pattern: unknown) => typeof pattern !== 'string' || matchesEverything(pattern);
    if (open(after)) return 'loosened';
    // A different pattern that is not clearly looser: values allowed before may now be refused.
    return 'tightened';
  }
  if (after === undefined) return 'loosened';
  if (before === undefined) return 'tightened';
  if (MIN_LIKE.has(key)) return (after as number) > (before as number) ? 'tightened' : 'loosened';
  if (MAX_LIKE.has(key)) return (after as number) < (before as number) ? 'tightened' : 'loosened';
  if (key === 'uniqueItems') return after === true ? 'tightened' : 'loosened';
  return 'tightened'; // a different multipleOf: values allowed before may now be refused
}

/**
 * Compares two schemas and records the changes found at `at` (in the new document; `oldAt` in the old one, for what
 * was removed), with `where` and `field` naming them for people. `rootDefault` is the rule for a change of the
 * compared schema's own `default` where it means more than `default-changed` (a parameter's).
 */
export function emitSchema(
  ctx: DiffContext,
  before: unknown,
  after: unknown,
  side: Side,
  at: Segments,
  oldAt: Segments,
  operation: string | undefined,
  where: string,
  field: string,
  rootDefault?: RuleId,
): void {
  // Two schemas that are the same, down to what their `$ref`s name, hold no change: not compared.
  if (ctx.unchanged.same(before, after)) return;
  const base = pointer(...at);
  const oldBase = pointer(...oldAt);
  const DEFAULT_AT = pointer('default');
  for (const change of compareSchema(ctx, before, after, side)) {
    const path = change.field === '' ? field : joinField(field, change.field);
    const id = rootDefault !== undefined && change.rule === 'default-changed' && change.at === DEFAULT_AT ? rootDefault : change.rule;
    ctx.emit(id, `${change.inOld ? oldBase : base}${change.at}`, operation, `${where}${path === '' ? '' : ` \`${path}\``}: ${change.detail}`);
  }
}

export function compareSchema(ctx: DiffContext, before: unknown, after: unknown, side: Side): RelativeChange[] {
  const oldRef = isObject(before) && typeof before.$ref === 'string' ? before.$ref : undefined;
  const newRef = isObject(after) && typeof after.$ref === 'string' ? after.$ref : undefined;
  if (oldRef !== undefined && newRef !== undefined) {
    const key = `${side}|${oldRef}|${newRef}`;
    const cached = ctx.refCache.get(key);
    if (cached) return cached;
    if (ctx.inProgress.has(key)) return []; // a recursive schema: the outer comparison covers it
    ctx.inProgress.add(key);
    const result = compareResolved(ctx, ctx.resolveBefore(before), ctx.resolveAfter(after), side);
    ctx.inProgress.delete(key);
    ctx.refCache.set(key, result);
    return result;
  }
  return compareResolved(ctx, ctx.resolveBefore(before), ctx.resolveAfter(after), side);
}

function docRule(key: string): RuleId {
  if (key === 'example' || key === 'examples') return 'example-changed';
  if (key === 'description') return 'description-changed';
  if (key === 'deprecated') return 'deprecated-changed';
  if (key.startsWith('x-')) return 'extension-changed';
  return 'docs-changed'; // title, $comment, externalDocs
}

/**
 * Two resolved schemas. `allOf` members are merged before comparing (./normalize.ts), which on the request side hides
 * what a member added to an `allOf` requires (a keyword the schema already has wins the merge). So there, each added
 * member is one change, judged by what it requires that the old schema did not, and the changes the merged comparison
 * finds only because of the added members are left out.
 */
function compareResolved(ctx: DiffContext, beforeRaw: unknown, afterRaw: unknown, side: Side): RelativeChange[] {
  const changes = compareMerged(ctx, beforeRaw, afterRaw, side);
  if (side !== 'request' || !isObject(beforeRaw) || !isObject(afterRaw) || !Array.isArray(afterRaw.allOf)) return changes;
  const added = addedAllOfMembers(ctx, beforeRaw, afterRaw.allOf);
  if (added.length === 0) return changes;
  const kept = afterRaw.allOf.filter((_, index) => !added.includes(index));
  const rest = Object.fromEntries(Object.entries(afterRaw).filter(([keyword]) => keyword !== 'allOf'));
  const key = (change: RelativeChange) => `${change.rule} ${change.at} ${change.field}`;
  const withoutAdded = new Set(compareMerged(ctx, beforeRaw, kept.length > 0 ? { ...rest, allOf: kept } : rest, side).map(key));
  const found = new Found(side);
  found.changes.push(...changes.filter((change) => withoutAdded.has(key(change))));
  const old = mergeAllOf(beforeRaw, ctx.resolveBefore);
  for (const index of added) {
    const requires = memberRequires(ctx, afterRaw.allOf[index], old, '');
    const narrowing = requires.filter((item) => item.kind === 'narrowing');
    const constraining = requires.filter((item) => item.kind === 'constraining');
    const what = (items: Requirement[]) => items.map((item) => item.what).join(', ');
    const at = pointer('allOf', index);
    if (narrowing.length > 0) found.push('request-all-of-added-narrowing', `an allOf member was added that ${what([...narrowing, ...constraining])}.`, at);
    else if (constraining.length > 0) found.push('request-all-of-added-constraining', `an allOf member was added that ${what(constraining)}.`, at);
    else found.push('request-all-of-added-optional', 'an allOf member was added that requires nothing the schema did not.', at);
  }
  return found.changes;
}

/**
 * The positions of the new `allOf` members that are not in the old one: members are matched by content, then by
 * `$ref`; members left unmatched on both sides are taken as changed in place (the merged comparison covers them), and
 * the new ones beyond those were added.
 */
function addedAllOfMembers(ctx: DiffContext, beforeRaw: JsonObject, newMembers: unknown[]): number[] {
  const refOf = (member: unknown) => (isObject(member) && typeof member.$ref === 'string' ? member.$ref : undefined);
  const olds = (Array.isArray(beforeRaw.allOf) ? beforeRaw.allOf : []).map((member: unknown) => ({ content: canonicalJson(ctx.resolveBefore(member)), ref: refOf(member) }));
  const unmatched: number[] = [];
  newMembers.forEach((member, index) => {
    const content = canonicalJson(ctx.resolveAfter(member));
    const ref = refOf(member);
    let match = olds.findIndex((old) => old.content === content);
    if (match === -1 && ref !== undefined) match = olds.findIndex((old) => old.ref === ref);
    if (match === -1) unmatched.push(index);
    else olds.splice(match, 1);
  });
  return unmatched.slice(olds.length);
}

interface Requirement {
  /** `narrowing`: a required property or a narrower type (the generated type changes); `constraining`: a validation keyword. */
  kind: 'narrowing' | 'constraining';
  what: string;
}

/** Keywords that constrain no value (annotations, and what generators read without validating). */
const ANNOTATIONS = new Set(['description', 'title', 'example', 'examples', 'deprecated', 'default', 'readOnly', 'writeOnly', '$comment', 'externalDocs', 'discriminator', 'xml', '$id', '$schema', '$anchor', '$defs', 'definitions', 'nullable']);
const NARROWING = new Set(['type', 'enum', 'const']);

/**
 * What an `allOf` member requires that `old` (the old schema, merged) did not: property names it requires, and every
 * other keyword it sets to something `old` does not have, recursing into properties `old` declares. A property only
 * the member declares is optional unless it is required; `nullable` only widens; any keyword not known to be an
 * annotation counts as a constraint.
 */
function memberRequires(ctx: DiffContext, member: unknown, old: JsonObject, prefix: string): Requirement[] {
  const resolved = ctx.resolveAfter(member);
  const schema = mergeAllOf(isObject(resolved) ? resolved : {}, ctx.resolveAfter);
  const names = (value: unknown) => (Array.isArray(value) ? value.map(String) : []);
  const oldRequired = new Set(names(old.required));
  const oldProperties = isObject(old.properties) ? old.properties : {};
  const properties = isObject(schema.properties) ? schema.properties : {};
  const requires: Requirement[] = [];
  for (const name of names(schema.required)) {
    if (oldRequired.has(name) || ctx.accessOf(properties[name] ?? oldProperties[name], ctx.resolveAfter).readOnly) continue;
    requires.push({ kind: 'narrowing', what: `requires \`${prefix}${name}\`` });
  }
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'required' || ANNOTATIONS.has(key) || key.startsWith('x-')) continue;
    if (key === 'properties') {
      for (const [name, property] of Object.entries(properties)) {
        const oldProperty = ctx.resolveBefore(oldProperties[name]);
        if (oldProperty === undefined) continue;
        requires.push(...memberRequires(ctx, property, mergeAllOf(isObject(oldProperty) ? oldProperty : {}, ctx.resolveBefore), `${prefix}${name}.`));
      }
      continue;
    }
    if (sameJson(value, old[key])) continue;
    requires.push({ kind: NARROWING.has(key) ? 'narrowing' : 'constraining', what: `sets \`${prefix}${key}\`` });
  }
  return requires;
}

function compareMerged(ctx: DiffContext, beforeRaw: unknown, afterRaw: unknown, side: Side): RelativeChange[] {
  const found = new Found(side);
  if (beforeRaw === undefined || afterRaw === undefined) {
    if (beforeRaw === afterRaw) return found.changes;
    // A schema appearing where there was none, or disappearing: any → something narrows, the reverse widens.
    if (beforeRaw === undefined) found.narrowed('a schema was added where any value was allowed.');
    else found.widened('the schema was removed; any value is now allowed.');
    return found.changes;
  }

  const before = normalizeSchema(beforeRaw, ctx.resolveBefore);
  const after = normalizeSchema(afterRaw, ctx.resolveAfter);

  for (const key of new Set([...Object.keys(before.docs), ...Object.keys(after.docs)])) {
    if (key === 'x-sunset' || sameJson(before.docs[key], after.docs[key])) continue;
    found.push(docRule(key), `${key} changed.`, pointer(key));
  }
  const sunset = sunsetChange(
    { sunset: before.docs['x-sunset'], deprecated: before.docs.deprecated === true },
    { sunset: after.docs['x-sunset'], deprecated: after.docs.deprecated === true },
  );
  if (sunset !== undefined) found.push(sunset.id, sunset.detail, pointer('x-sunset'));
  else if (!sameJson(before.docs['x-sunset'], after.docs['x-sunset'])) found.push('extension-changed', 'x-sunset changed.', pointer('x-sunset'));
  if (!sameJson(before.default, after.default)) {
    found.push('default-changed', `default changed from ${show(before.default)} to ${show(after.default)}.`, pointer('default'));
  }

  // Types and composition. A plain schema against a oneOf is compared member by member, and then
  // there is nothing more to compare at this level.
  if ((before.variants === undefined) !== (after.variants === undefined)) {
    comparePlainWithVariants(ctx, beforeRaw, before, afterRaw, after, found);
    return found.changes;
  }
  if (before.variants !== undefined) {
    matchMembers(ctx, members(before), members(after), found);
    compareNullability(before, after, found);
  } else compareTypes(before.types, after.types, found);

  compareFormat(before, after, found);
  compareEnums(before, after, found);
  compareExtensibleEnums(before.extensibleEnum, after.extensibleEnum, found);
  compareConstraints(before, after, found);
  if (before.contentEncoding !== after.contentEncoding || before.contentMediaType !== after.contentMediaType) {
    const key = before.contentEncoding === after.contentEncoding ? 'contentMediaType' : 'contentEncoding';
    found.push(
      bySide(side, 'request-content-encoding-changed', 'response-content-encoding-changed'),
      `${key} changed from ${before[key] ?? 'none'} to ${after[key] ?? 'none'}.`,
      pointer(key),
    );
  }
  compareRequiredGroups(before, after, found);
  compareProperties(ctx, before, after, found);

  if (before.items !== undefined || after.items !== undefined) {
    found.nested(compareSchema(ctx, before.items, after.items, side), pointer('items'), '[]');
  }
  if (before.prefixItems !== undefined || after.prefixItems !== undefined) comparePrefixItems(ctx, before.prefixItems ?? [], after.prefixItems ?? [], found);
  compareOpenEnded(ctx, 'additionalProperties', before.additionalProperties, after.additionalProperties, found);
  compareOpenEnded(ctx, 'unevaluatedProperties', before.unevaluatedProperties, after.unevaluatedProperties, found);
  compareOpenEnded(ctx, 'unevaluatedItems', before.unevaluatedItems, after.unevaluatedItems, found);
  compareSubschemas(ctx, before, after, found);
  compareSchemaMaps(ctx, before, after, found);
  if (before.dependentRequired !== undefined || after.dependentRequired !== undefined) {
    compareDependentRequired(before.dependentRequired ?? {}, after.dependentRequired ?? {}, found);
  }
  return found.changes;
}

function compareTypes(before: Set<string> | undefined, after: Set<string> | undefined, found: Found): void {
  if (before === undefined && after === undefined) return;
  const detail = `type changed from ${typeLabel(before)} to ${typeLabel(after)}.`;
  const at = pointer('type');
  if (before === undefined || after === undefined) {
    if (after !== undefined) found.narrowed(detail, at);
    else found.widened(detail, at);
    return;
  }
  const added = [...after].filter((type) => !covers(before, type));
  const removed = [...before].filter((type) => !covers(after, type));
  if (!found.request && added.includes('null')) found.push('response-became-nullable', 'the value became nullable.', at);
  // In a response, a new `null` is reported once, as `response-became-nullable`.
  if (added.some((type) => found.request || type !== 'null')) found.widened(detail, at);
  if (removed.length > 0) found.narrowed(detail, at);
}

function compareFormat(before: NormalSchema, after: NormalSchema, found: Found): void {
  if (before.format === after.format) return;
  const detail = `format changed from ${before.format ?? 'none'} to ${after.format ?? 'none'}.`;
  const at = pointer('format');
  if (found.request) found.push(after.format === undefined ? 'request-format-removed' : 'request-format-changed', detail, at);
  else found.push(before.format === undefined ? 'response-format-added' : 'response-format-changed', detail, at);
}

interface Member {
  node: unknown;
  /** Pointer suffix of the member (empty for a plain schema compared with a oneOf member). */
  at: string;
}

const members = (schema: NormalSchema): Member[] =>
  (schema.variants ?? []).map((variant) => ({ node: variant.node, at: pointer(schema.variantKeyword ?? 'oneOf', variant.index) }));

/**
 * One side is a plain schema, the other a oneOf/anyOf (e.g. `string` → `oneOf: [string, object]`):
 * the plain schema is compared with the member that matches it, and the other members widen or narrow.
 */
function comparePlainWithVariants(ctx: DiffContext, beforeRaw: unknown, before: NormalSchema, afterRaw: unknown, after: NormalSchema, found: Found): void {
  // The plain side without its docs and default, so they are not compared twice.
  const strip = (raw: unknown, schema: NormalSchema) => (isObject(raw) ? Object.fromEntries(Object.entries(raw).filter(([key]) => !(key in schema.docs) && key !== 'default')) : raw);
  const oldMembers = before.variants ? members(before) : [{ node: strip(beforeRaw, before), at: '' }];
  const newMembers = after.variants ? members(after) : [{ node: strip(afterRaw, after), at: '' }];
  matchMembers(ctx, oldMembers, newMembers, found);
  compareNullability(before, after, found);
}

/**
 * oneOf/anyOf on both sides: members are matched by content, then by type, and compared pairwise;
 * members left over widen (new) or narrow (old) the schema.
 */
function matchMembers(ctx: DiffContext, oldMembers: Member[], newMembers: Member[], found: Found): void {
  const describe = (resolve: (node: unknown) => unknown, member: Member) => {
    const resolved = resolve(member.node);
    const types = normalizeSchema(resolved, resolve).types;
    return { ...member, typeKey: typeLabel(types ? new Set([...types].filter((type) => type !== 'null')) : undefined), content: canonicalJson(resolved) };
  };
  const olds = oldMembers.map((member) => describe(ctx.resolveBefore, member));
  const unmatched = newMembers.map((member) => describe(ctx.resolveAfter, member));
  const leftover: typeof olds = [];
  for (const old of olds) {
    const exact = unmatched.findIndex((candidate) => candidate.content === old.content);
    const index = exact === -1 ? unmatched.findIndex((candidate) => candidate.typeKey === old.typeKey) : exact;
    const [match] = index === -1 ? [] : unmatched.splice(index, 1);
    if (match === undefined) leftover.push(old);
    else found.nested(compareSchema(ctx, old.node, match.node, found.side), match.at, '');
  }
  const types = (described: { typeKey: string }[]) => described.map((member) => member.typeKey).join(', ');
  if (unmatched.length > 0) found.widened(`the value may now also be: ${types(unmatched)}.`, unmatched[0]?.at ?? '');
  if (leftover.length > 0) found.narrowed(`the value may no longer be: ${types(leftover)}.`);
}

function compareNullability(before: NormalSchema, after: NormalSchema, found: Found): void {
  const nullBefore = before.types?.has('null') === true;
  const nullAfter = after.types?.has('null') === true;
  if (nullBefore === nullAfter) return;
  if (found.request) {
    if (nullAfter) found.widened('null is now allowed.');
    else found.narrowed('null is no longer accepted.');
  } else if (nullAfter) found.push('response-became-nullable', 'the value became nullable.');
  else found.narrowed('null is no longer allowed.');
}

/** `enum` and `const` (one allowed value). Added values point into the new document, removed ones into the old. */
function compareEnums(oldSchema: NormalSchema, newSchema: NormalSchema, found: Found): void {
  const { enum: before } = oldSchema;
  const { enum: after } = newSchema;
  if (before === undefined && after === undefined) return;
  if (after !== undefined && before === undefined) {
    found.push(bySide(found.side, 'request-enum-added', 'response-enum-added'), `the value is now limited to ${list(after.values())}.`, pointer(newSchema.enumKeyword));
    return;
  }
  if (after === undefined || before === undefined) {
    found.removal(bySide(found.side, 'request-enum-removed', 'response-enum-removed'), 'the value is no longer limited to a list of values.', pointer(oldSchema.enumKeyword));
    return;
  }
  const at = pointer(newSchema.enumKeyword);
  const added = [...after.keys()].filter((key) => !before.has(key)).map((key) => after.get(key));
  const removed = [...before.keys()].filter((key) => !after.has(key)).map((key) => before.get(key));
  if (added.length > 0) {
    found.push(
      bySide(found.side, 'request-enum-value-added', 'response-enum-value-added'),
      `enum gained ${list(added)}${found.request ? '.' : '; code handling every value exhaustively no longer compiles.'}`,
      at,
    );
  }
  if (removed.length > 0) {
    found.removal(bySide(found.side, 'request-enum-value-removed', 'response-enum-value-removed'), `enum lost ${list(removed)}.`, pointer(oldSchema.enumKeyword));
  }
}

function compareExtensibleEnums(before: Map<string, unknown> | undefined, after: Map<string, unknown> | undefined, found: Found): void {
  if (before === undefined && after === undefined) return;
  const at = pointer('x-extensible-enum');
  const oldValues = before ?? new Map<string, unknown>();
  const newValues = after ?? new Map<string, unknown>();
  const added = [...newValues.keys()].filter((key) => !oldValues.has(key)).map((key) => newValues.get(key));
  const removed = [...oldValues.keys()].filter((key) => !newValues.has(key)).map((key) => oldValues.get(key));
  if (added.length > 0) {
    found.push(bySide(found.side, 'request-extensible-enum-value-added', 'response-extensible-enum-value-added'), `x-extensible-enum gained ${list(added)}.`, at);
  }
  if (removed.length > 0) {
    found.removal(bySide(found.side, 'request-extensible-enum-value-removed', 'response-extensible-enum-value-removed'), `x-extensible-enum lost ${list(removed)}.`, at);
  }
}

function compareConstraints(before: NormalSchema, after: NormalSchema, found: Found): void {
  const keys = new Set([...Object.keys(before.constraints), ...Object.keys(after.constraints)]) as Set<keyof Constraints>;
  for (const key of keys) {
    const direction = constraintDirection(key, before.constraints[key], after.constraints[key]);
    if (direction === undefined) continue;
    found.constraint(direction, pointer(key), `${key} changed from ${String(before.constraints[key] ?? 'none')} to ${String(after.constraints[key] ?? 'none')}.`);
  }
}

/**
 * `oneOf: [{required: [a]}, {required: [b]}]`: which properties may be sent together. On the request side, a
 * `oneOf` under which a body the client could send before (any of its declared properties) matches two members
 * is refused: `oneOf` wants exactly one.
 */
function compareRequiredGroups(before: NormalSchema, after: NormalSchema, found: Found): void {
  const oldGroups = before.requiredGroups;
  const newGroups = after.requiredGroups;
  if (sameJson(oldGroups, newGroups)) return;
  const keyword = newGroups?.keyword ?? oldGroups?.keyword ?? 'oneOf';
  const at = pointer(keyword);
  const describe = (groups: string[][] | undefined) => (groups === undefined ? 'none' : groups.map((group) => `[${group.join(', ')}]`).join(' | '));
  const detail = `${keyword} of required properties changed from ${describe(oldGroups?.groups)} to ${describe(newGroups?.groups)}.`;
  if (found.request && newGroups?.keyword === 'oneOf') {
    const sendable = new Set([...Object.keys(before.properties), ...before.required]);
    const fitting = newGroups.groups.filter((group) => group.every((name) => sendable.has(name)));
    if (fitting.length >= 2) {
      found.push(
        'request-one-of-branches-overlap',
        `${detail} A body with ${fitting.flat().join(' and ')}, valid before, now matches ${fitting.length} members and is refused.`,
        at,
      );
      return;
    }
  }
  found.constraint(newGroups === undefined ? 'loosened' : 'tightened', at, detail);
}

/**
 * Object properties. A `readOnly` property is not part of a request and a `writeOnly` one not part of a response:
 * they are left out on that side (a required `readOnly` property added is no request requirement).
 */
function compareProperties(ctx: DiffContext, before: NormalSchema, after: NormalSchema, found: Found): void {
  const hidden = found.request ? 'readOnly' : 'writeOnly';
  const visible = (schema: NormalSchema, resolve: (node: unknown) => unknown) =>
    new Set(Object.keys(schema.properties).filter((name) => !ctx.accessOf(schema.properties[name], resolve)[hidden]));
  const oldNames = visible(before, ctx.resolveBefore);
  const newNames = visible(after, ctx.resolveAfter);
  for (const name of new Set([...oldNames, ...newNames])) {
    const at = pointer('properties', name);
    if (!newNames.has(name)) {
      found.removal(
        bySide(found.side, 'request-property-removed', 'response-property-removed'),
        found.request ? 'the property was removed; the server no longer accepts it.' : 'the property was removed from the response.',
        at,
        name,
      );
      continue;
    }
    const required = after.required.has(name);
    if (!oldNames.has(name)) {
      const detail = `a${required ? ' required' : 'n optional'} property was added.`;
      if (!found.request) found.push('response-property-added', detail, at, name);
      else found.push(required ? 'request-property-added-required' : 'request-property-added-optional', detail, at, name);
      continue;
    }
    if (before.required.has(name) !== required) {
      const id = required
        ? bySide(found.side, 'request-property-became-required', 'response-property-became-required')
        : bySide(found.side, 'request-property-became-optional', 'response-property-became-optional');
      found.push(id, `the property became ${required ? 'required' : 'optional'}.`, pointer('required'), name);
    }
    found.nested(compareSchema(ctx, before.properties[name], after.properties[name], found.side), at, name);
  }
  // Names required without a property schema on either side (`then: {required: [a]}`): a constraint on presence.
  if (before.required.size === 0 && after.required.size === 0) return;
  const declared = (name: string) => name in before.properties || name in after.properties;
  const added = [...after.required].filter((name) => !before.required.has(name) && !declared(name));
  const removed = [...before.required].filter((name) => !after.required.has(name) && !declared(name));
  if (added.length > 0) found.constraint('tightened', pointer('required'), `${added.join(', ')} must now be present.`);
  if (removed.length > 0) found.constraint('loosened', pointer('required'), `${removed.join(', ')} no longer need to be present.`);
}

/** `prefixItems` (tuples): positions compared pairwise; a position added narrows, one removed widens. */
function comparePrefixItems(ctx: DiffContext, before: unknown[], after: unknown[], found: Found): void {
  const common = Math.min(before.length, after.length);
  for (let index = 0; index < common; index++) {
    found.nested(compareSchema(ctx, before[index], after[index], found.side), pointer('prefixItems', index), `[${index}]`);
  }
  if (after.length > before.length) found.narrowed(`the tuple (prefixItems) gained ${after.length - before.length} position(s).`, pointer('prefixItems', common));
  if (before.length > after.length) {
    found.removal(bySide(found.side, 'request-type-widened', 'response-type-widened'), `the tuple (prefixItems) lost ${before.length - after.length} position(s).`, pointer('prefixItems', common));
  }
}

/** `additionalProperties`, `unevaluatedProperties`, `unevaluatedItems`: `false` closes, a schema is compared. */
function compareOpenEnded(ctx: DiffContext, keyword: string, before: unknown, after: unknown, found: Found): void {
  if (before === undefined && after === undefined) return;
  const at = pointer(keyword);
  const closed = (value: unknown) => value === false;
  const what = keyword === 'unevaluatedItems' ? 'items' : 'properties';
  if (closed(before) !== closed(after)) {
    if (closed(before)) found.widened(`${what} not listed are now allowed (${keyword}).`, at);
    else found.narrowed(`${what} not listed are no longer allowed (${keyword}).`, at);
    return;
  }
  if (isObject(before) || isObject(after)) {
    found.nested(compareSchema(ctx, isObject(before) ? before : {}, isObject(after) ? after : {}, found.side), at, keyword === 'additionalProperties' ? '*' : '');
  }
}

/**
 * Keywords holding one subschema. Adding one constrains (tightened), removing it frees (loosened); a change
 * inside `contains`, `propertyNames`, `then`, `else` or `contentSchema` is reported where it is, with the same
 * direction. Inside `if` it changes which branch applies, and inside `not` its direction flips: those are one
 * change each, at the first difference found.
 */
function compareSubschemas(ctx: DiffContext, before: NormalSchema, after: NormalSchema, found: Found): void {
  for (const keyword of SUBSCHEMA_KEYWORDS) {
    const oldSchema = before.subschemas[keyword];
    const newSchema = after.subschemas[keyword];
    if (oldSchema === undefined && newSchema === undefined) continue;
    const at = pointer(keyword);
    if (oldSchema === undefined || newSchema === undefined) {
      found.constraint(oldSchema === undefined ? 'tightened' : 'loosened', at, `${keyword} was ${oldSchema === undefined ? 'added' : 'removed'}.`, oldSchema !== undefined);
      continue;
    }
    const inner = compareSchema(ctx, oldSchema, newSchema, found.side);
    if (keyword !== 'if' && keyword !== 'not') {
      found.nested(inner, at, '');
      continue;
    }
    const docs = inner.filter((change) => rule(change.rule).severity === 'docs-only');
    const first = inner.find((change) => rule(change.rule).severity !== 'docs-only');
    found.nested(docs, at, '');
    if (first === undefined) continue;
    const id = keyword === 'if' ? bySide(found.side, 'request-condition-changed', 'response-condition-changed') : bySide(found.side, 'request-negation-changed', 'response-negation-changed');
    // The inner change's own consequence (e.g. "no longer compiles") does not hold under `if`/`not`: keep its first clause.
    const what = first.detail.replace(/;.*$/, '.');
    found.push(id, `${keyword === 'if' ? 'the condition (if)' : 'the excluded schema (not)'} changed: ${what}`, `${at}${first.at}`, first.field);
  }
}

/** `patternProperties` and `dependentSchemas`: entries added constrain, removed free, kept ones are compared. */
function compareSchemaMaps(ctx: DiffContext, before: NormalSchema, after: NormalSchema, found: Found): void {
  for (const keyword of SCHEMA_MAP_KEYWORDS) {
    if (before.schemaMaps[keyword] === undefined && after.schemaMaps[keyword] === undefined) continue;
    const oldMap = before.schemaMaps[keyword] ?? {};
    const newMap = after.schemaMaps[keyword] ?? {};
    for (const key of new Set([...Object.keys(oldMap), ...Object.keys(newMap)])) {
      const at = pointer(keyword, key);
      if (!(key in newMap)) found.constraint('loosened', at, `${keyword} entry ${JSON.stringify(key)} was removed.`, true);
      else if (!(key in oldMap)) found.constraint('tightened', at, `${keyword} entry ${JSON.stringify(key)} was added.`);
      else found.nested(compareSchema(ctx, oldMap[key], newMap[key], found.side), at, '');
    }
  }
}

/** `dependentRequired`: a property that, when present, makes others required. More names constrain more. */
function compareDependentRequired(before: Record<string, string[]>, after: Record<string, string[]>, found: Found): void {
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const oldNames = new Set(before[key] ?? []);
    const newNames = new Set(after[key] ?? []);
    const added = [...newNames].filter((name) => !oldNames.has(name));
    const removed = [...oldNames].filter((name) => !newNames.has(name));
    const at = pointer('dependentRequired', key);
    if (added.length > 0) found.constraint('tightened', at, `with ${key} present, ${added.join(', ')} must now be present too.`);
    if (removed.length > 0) found.constraint('loosened', at, `with ${key} present, ${removed.join(', ')} no longer need to be.`);
  }
}
