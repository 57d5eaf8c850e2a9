import type { BreakKind, Severity } from './types.js';

/**
 * The rules catalogue of `upstat-spec diff`: every rule the classifier can report, one row each, with its severity.
 * Checks (`src/diff/checks/*.ts`) only say *which* rule fired and where; how much it matters is decided here and
 * nowhere else. The README's rule table is generated from this list (`rulesMarkdown`, checked by `test/rules.test.ts`,
 * which also fails when a rule has no fixture in `test/fixtures/diff/`).
 *
 * Severity is judged from the side of a client using generated types, which is not symmetric:
 *  - "request side": what the client sends. Narrowing breaks (the server accepts less than the client may send).
 *  - "response side": what the client receives. Widening breaks (the client may receive what its types do not say).
 * In a webhook or a callback the roles swap: the server sends the request and the client's handler receives it, so
 * a webhook's request body is compared on the response side and its responses on the request side.
 */

export type Family = 'document' | 'security' | 'operations' | 'bodies' | 'responses' | 'schema' | 'webhooks';

/** What the check modules are called (`src/diff/checks/<module>.ts`), for the table. */
export const FAMILY_MODULES: Record<Family, string> = {
  document: 'document',
  security: 'security',
  operations: 'operations-and-parameters',
  bodies: 'bodies-and-media-types',
  responses: 'responses',
  schema: 'schema-keywords',
  webhooks: 'webhooks-and-callbacks',
};

interface Verdict {
  severity: Severity;
  breaks?: BreakKind;
}
interface SideRule extends Verdict {
  id: string;
}
interface RowBase {
  family: Family;
  /** What the rule detects, one line. */
  detects: string;
  /** Why it has this severity, one line. */
  rationale: string;
}
/** A rule that is the same wherever it fires (document, operation, security…). */
interface PlainRow extends RowBase, SideRule {}
/** A change to a schema or a body that is judged differently in what the client sends and what it receives. */
interface SidedRow extends RowBase {
  request?: SideRule;
  response?: SideRule;
}
type Row = PlainRow | SidedRow;

const BREAKS_COMPILE = { severity: 'breaking', breaks: 'compile' } as const;
const BREAKS_RUNTIME = { severity: 'breaking', breaks: 'runtime' } as const;
const NON_BREAKING = { severity: 'non-breaking' } as const;
const DOCS_ONLY = { severity: 'docs-only' } as const;

const CATALOGUE = [
  // ------------------------------------------------------------------ document
  { family: 'document', id: 'info-changed', ...DOCS_ONLY, detects: 'A field of `info` (title, version, contact, licence…) changed.', rationale: 'Nothing generated from `info` is used by calling code.' },
  { family: 'document', id: 'tags-changed', ...DOCS_ONLY, detects: 'The document\'s or an operation\'s tags changed.', rationale: 'Tags group documentation; generated names do not use them.' },
  { family: 'document', id: 'docs-changed', ...DOCS_ONLY, detects: '`externalDocs`, a server description, or a schema `title`/`$comment` changed.', rationale: 'Documentation only.' },
  { family: 'document', id: 'description-changed', ...DOCS_ONLY, detects: 'A `description` changed anywhere.', rationale: 'Documentation only.' },
  { family: 'document', id: 'summary-changed', ...DOCS_ONLY, detects: 'A `summary` changed anywhere.', rationale: 'Documentation only.' },
  { family: 'document', id: 'example-changed', ...DOCS_ONLY, detects: 'An `example` or `examples` changed anywhere.', rationale: 'Examples are not validated against and generate nothing.' },
  { family: 'document', id: 'deprecated-changed', ...DOCS_ONLY, detects: '`deprecated` was set or cleared anywhere.', rationale: 'A marker; what removing a deprecated item means is for the deprecation policy to decide.' },
  { family: 'document', id: 'extension-changed', ...DOCS_ONLY, detects: 'An `x-*` extension changed (other than `x-extensible-enum`).', rationale: 'Extensions are not part of the generated types.' },
  { family: 'document', id: 'server-changed', ...BREAKS_RUNTIME, detects: 'The server URLs (variables at their defaults) changed, at the root, a path or an operation.', rationale: 'The client\'s default base URL changes; calls go elsewhere.' },
  { family: 'document', id: 'component-schema-removed', ...BREAKS_COMPILE, detects: 'A `components.schemas` entry was removed.', rationale: 'Its generated type `components["schemas"][name]` disappears.' },
  { family: 'document', id: 'component-schema-renamed', ...BREAKS_COMPILE, detects: 'A `components.schemas` entry was removed and one with the same content added under another name.', rationale: 'The generated type name changes.' },
  { family: 'document', id: 'default-changed', ...NON_BREAKING, detects: 'A schema\'s `default` changed.', rationale: 'Behaviour when a value is omitted changes, but no sent or received value becomes invalid.' },
  // The policy extensions: what src/diff/policy.ts reads to excuse a change. A value it cannot read, or a promise
  // withdrawn, is breaking so that the CI gate stops on it (and it can be accepted like any rule): ignored, it would let
  // a later release through on terms nobody checked.
  { family: 'document', id: 'sunset-invalid', ...BREAKS_RUNTIME, detects: 'An `x-sunset` (operation, parameter, header, schema or property) was set to something that is not a date (`YYYY-MM-DD`, an RFC 3339 date-time or an HTTP date), or an item carrying one became deprecated.', rationale: 'The policy judges a deprecated item\'s removal by its `x-sunset`: a date it cannot read promises nothing, so it is reported, not silently ignored.' },
  { family: 'document', id: 'sunset-removed', ...BREAKS_RUNTIME, detects: 'An `x-sunset` was removed from an item that stays deprecated.', rationale: 'The removal would then be judged by `deprecatedWithoutSunset` (which a policy may make non-breaking), not by the promised date: dropping the date withdraws the promise. After the old date has passed, the policy excuses it as it would the removal.' },

  // ------------------------------------------------------------------ security
  { family: 'security', id: 'security-requirement-changed', ...BREAKS_RUNTIME, detects: 'The security requirements (root or operation) changed.', rationale: 'Calls authenticated as before may be refused.' },
  { family: 'security', id: 'security-scheme-added', ...BREAKS_RUNTIME, detects: 'A security scheme was added.', rationale: 'A new way to authenticate usually comes with a requirement the client does not meet.' },
  { family: 'security', id: 'security-scheme-removed', ...BREAKS_RUNTIME, detects: 'A security scheme was removed.', rationale: 'Clients authenticating with it are refused.' },
  { family: 'security', id: 'security-scheme-changed', ...BREAKS_RUNTIME, detects: 'A security scheme\'s type, location, name, flows or scopes changed.', rationale: 'The credential the client sends is no longer the one expected.' },

  // ------------------------------------------------------------------ operations and parameters
  { family: 'operations', id: 'operation-removed', ...BREAKS_COMPILE, detects: 'An operation (path + method) was removed.', rationale: 'Its entry in the generated `paths` type disappears and calls to it fail.' },
  { family: 'operations', id: 'operation-added', ...NON_BREAKING, detects: 'An operation was added.', rationale: 'Existing calls are unaffected.' },
  { family: 'operations', id: 'operation-id-changed', ...BREAKS_COMPILE, detects: 'An operation\'s `operationId` changed or was removed.', rationale: 'Code using its generated `operations[id]` type no longer compiles.' },
  { family: 'operations', id: 'path-parameter-renamed', ...BREAKS_COMPILE, detects: 'A path template\'s parameter was renamed (`/books/{bookId}` → `/books/{id}`), same position and schema.', rationale: 'Same wire format, but openapi-fetch calls are keyed by the path template and the `params.path` name, so calling code no longer compiles.' },
  { family: 'operations', id: 'request-parameter-removed', ...BREAKS_COMPILE, detects: 'A parameter was removed.', rationale: 'Code passing it no longer compiles; the server ignores or refuses it.' },
  { family: 'operations', id: 'request-parameter-location-changed', ...BREAKS_COMPILE, detects: 'A parameter moved, e.g. from query to header.', rationale: 'It moves to another `params` group in the generated types.' },
  { family: 'operations', id: 'request-parameter-added-required', ...BREAKS_COMPILE, detects: 'A required parameter was added.', rationale: 'Existing calls lack it.' },
  { family: 'operations', id: 'request-parameter-added-optional', ...NON_BREAKING, detects: 'An optional parameter was added.', rationale: 'Existing calls stay valid.' },
  { family: 'operations', id: 'request-parameter-became-required', ...BREAKS_COMPILE, detects: 'A parameter became required.', rationale: 'Calls that omit it no longer compile.' },
  { family: 'operations', id: 'request-parameter-became-optional', ...NON_BREAKING, detects: 'A parameter became optional.', rationale: 'Existing calls stay valid.' },
  { family: 'operations', id: 'request-parameter-style-changed', ...BREAKS_RUNTIME, detects: 'A parameter\'s `style`, `explode` or `allowReserved` changed.', rationale: 'The same value is serialised differently on the wire.' },
  { family: 'operations', id: 'request-parameter-default-changed', ...BREAKS_RUNTIME, detects: 'The `default` of a parameter\'s schema changed.', rationale: 'The server assumes the new value for calls that omit the parameter: the same call behaves differently.' },
  { family: 'operations', id: 'stability-level-invalid', ...BREAKS_RUNTIME, detects: 'An operation\'s or path item\'s `x-stability-level` was set to something other than `draft`, `alpha`, `beta` or `stable`.', rationale: 'The policy excuses changes by the old document\'s level: one it cannot read excuses nothing, so a typo (`Beta`) is reported, not silently ignored.' },
  { family: 'operations', id: 'stability-level-decreased', ...BREAKS_RUNTIME, detects: 'The `x-stability-level` that applies to an operation (its own, else its path item\'s) was lowered, e.g. `stable` → `beta`; none counts as `stable`.', rationale: 'The old document\'s level decides what the policy excuses in the next release, so lowering it is where the promise is withdrawn.' },

  // ------------------------------------------------------------------ bodies and media types
  { family: 'bodies', id: 'request-body-removed', ...BREAKS_COMPILE, detects: 'The request body was removed.', rationale: 'Code passing a body no longer compiles.' },
  { family: 'bodies', id: 'request-body-added-required', ...BREAKS_COMPILE, detects: 'A required request body was added.', rationale: 'Existing calls send none.' },
  { family: 'bodies', id: 'request-body-added-optional', ...NON_BREAKING, detects: 'An optional request body was added.', rationale: 'Existing calls stay valid.' },
  { family: 'bodies', id: 'request-body-became-required', ...BREAKS_COMPILE, detects: 'The request body became required.', rationale: 'Calls without a body no longer compile.' },
  { family: 'bodies', id: 'request-body-became-optional', ...NON_BREAKING, detects: 'The request body became optional.', rationale: 'Existing calls stay valid.' },
  {
    family: 'bodies',
    detects: 'A media type was removed from a body.',
    request: { id: 'request-media-type-removed', ...BREAKS_COMPILE },
    response: { id: 'response-media-type-removed', ...BREAKS_COMPILE },
    rationale: 'Its generated body type disappears; in a response the client may receive a body it cannot parse.',
  },
  {
    family: 'bodies',
    detects: 'A media type was added to a body.',
    request: { id: 'request-media-type-added', ...NON_BREAKING },
    response: { id: 'response-media-type-added', ...NON_BREAKING },
    rationale: 'Requests: one more option. Responses: only sent when the client asks for it (content negotiation).',
  },

  // ------------------------------------------------------------------ responses
  { family: 'responses', id: 'response-success-status-added', ...BREAKS_COMPILE, detects: 'A 2XX response was added.', rationale: 'The typed success body (`data`) becomes a union with the new response.' },
  { family: 'responses', id: 'response-success-status-removed', ...BREAKS_COMPILE, detects: 'A 2XX response was removed.', rationale: 'The typed success body changes; code reading it no longer compiles.' },
  { family: 'responses', id: 'response-error-status-added', ...NON_BREAKING, detects: 'A non-2XX response was added.', rationale: 'Errors are handled by status class (`@upstat/core` maps them), not per declared code.' },
  { family: 'responses', id: 'response-error-status-removed', ...NON_BREAKING, detects: 'A non-2XX response was removed.', rationale: 'Errors are handled by status class, not per declared code.' },
  { family: 'responses', id: 'response-header-removed', ...BREAKS_RUNTIME, detects: 'A response header was removed.', rationale: 'Code reading it gets nothing (headers are not typed by openapi-fetch).' },
  { family: 'responses', id: 'response-header-added', ...NON_BREAKING, detects: 'A response header was added.', rationale: 'Nothing reads it yet.' },

  // ------------------------------------------------------------------ schema keywords
  {
    family: 'schema',
    detects: 'A schema allows more: a type, a `oneOf`/`anyOf` member, a `prefixItems` position removed, `additionalProperties`/`unevaluatedProperties`/`unevaluatedItems` opened, or a schema removed.',
    request: { id: 'request-type-widened', ...NON_BREAKING },
    response: { id: 'response-type-widened', ...BREAKS_COMPILE },
    rationale: 'Requests: the server accepts more. Responses: the client may receive values its types do not describe.',
  },
  {
    family: 'schema',
    detects: 'A schema allows less: a type or member removed, a `prefixItems` position added, extra properties/items closed, or a schema added where any value was allowed.',
    request: { id: 'request-type-narrowed', ...BREAKS_COMPILE },
    response: { id: 'response-type-narrowed', ...NON_BREAKING },
    rationale: 'Requests: values the client sends may be refused and its types change. Responses: the client receives a subset.',
  },
  {
    family: 'schema',
    detects: 'A value became nullable (3.0 `nullable`, a 3.1 `null` type, or a `null` member).',
    response: { id: 'response-became-nullable', ...BREAKS_COMPILE },
    rationale: 'The generated type gains `| null`; code using the value without a check no longer compiles.',
  },
  { family: 'schema', detects: 'A `format` was added or changed.', request: { id: 'request-format-changed', ...BREAKS_RUNTIME }, rationale: 'Values the client sends may no longer be accepted.' },
  { family: 'schema', detects: 'A `format` was removed.', request: { id: 'request-format-removed', ...NON_BREAKING }, rationale: 'The server accepts more.' },
  { family: 'schema', detects: 'A `format` was removed or changed.', response: { id: 'response-format-changed', ...BREAKS_RUNTIME }, rationale: 'Code parsing the value (dates, UUIDs…) may fail on what it now receives.' },
  { family: 'schema', detects: 'A `format` was added.', response: { id: 'response-format-added', ...NON_BREAKING }, rationale: 'The client receives a subset of what it did.' },
  {
    family: 'schema',
    detects: 'A value became limited to a list (`enum` or `const` added).',
    request: { id: 'request-enum-added', ...BREAKS_COMPILE },
    response: { id: 'response-enum-added', ...NON_BREAKING },
    rationale: 'Requests: the generated type becomes a union of literals. Responses: a subset.',
  },
  {
    family: 'schema',
    detects: 'A value is no longer limited to a list (`enum`/`const` removed).',
    request: { id: 'request-enum-removed', ...NON_BREAKING },
    response: { id: 'response-enum-removed', ...BREAKS_COMPILE },
    rationale: 'Responses: exhaustive handling of the literal union no longer compiles.',
  },
  {
    family: 'schema',
    detects: 'An `enum`/`const` gained a value.',
    request: { id: 'request-enum-value-added', ...NON_BREAKING },
    response: { id: 'response-enum-value-added', ...BREAKS_COMPILE },
    rationale: 'Responses: code handling every value exhaustively (the facade\'s status maps) no longer compiles.',
  },
  {
    family: 'schema',
    detects: 'An `enum`/`const` lost a value.',
    request: { id: 'request-enum-value-removed', ...BREAKS_COMPILE },
    response: { id: 'response-enum-value-removed', ...NON_BREAKING },
    rationale: 'Requests: code sending that literal no longer compiles.',
  },
  {
    family: 'schema',
    detects: 'An `x-extensible-enum` gained a value.',
    request: { id: 'request-extensible-enum-value-added', ...NON_BREAKING },
    response: { id: 'response-extensible-enum-value-added', ...NON_BREAKING },
    rationale: 'An extensible enum promises new values: clients must already handle unknown ones, and the generated type is a plain string.',
  },
  {
    family: 'schema',
    detects: 'An `x-extensible-enum` lost a value.',
    request: { id: 'request-extensible-enum-value-removed', ...BREAKS_RUNTIME },
    response: { id: 'response-extensible-enum-value-removed', ...NON_BREAKING },
    rationale: 'Requests: the server stops accepting a value the client may send (the type is a string, so it still compiles).',
  },
  {
    family: 'schema',
    detects: 'A constraint lets fewer values through: `minimum`/`maximum` (exclusive too), `min`/`maxLength`, `min`/`maxItems`, `min`/`maxProperties`, `min`/`maxContains`, `multipleOf`, `uniqueItems`, a different `pattern`, or `contains`, `dependentRequired`, `dependentSchemas`, `patternProperties`, `propertyNames`, `if`/`then`/`else`, `not`, `oneOf`-of-`required` added.',
    request: { id: 'request-constraint-tightened', ...BREAKS_RUNTIME },
    rationale: 'Values the client sends may be refused; types do not carry constraints, so it still compiles.',
  },
  { family: 'schema', detects: 'A constraint lets more values through (raised/lowered bound, pattern removed or matching anything, a constraint keyword removed).', request: { id: 'request-constraint-loosened', ...NON_BREAKING }, rationale: 'The server accepts more.' },
  { family: 'schema', detects: 'Any constraint changed in a response (the same keywords).', response: { id: 'response-constraint-changed', ...NON_BREAKING }, rationale: 'Generated types do not carry constraints and the client does not validate responses.' },
  {
    family: 'schema',
    detects: 'The condition of an `if` changed (which values get `then` and which `else`).',
    request: { id: 'request-condition-changed', ...BREAKS_RUNTIME },
    response: { id: 'response-condition-changed', ...NON_BREAKING },
    rationale: 'Requests: values may now meet the other branch and be refused (the direction cannot be told in general). Responses: not in the types.',
  },
  {
    family: 'schema',
    detects: 'The schema inside a `not` changed.',
    request: { id: 'request-negation-changed', ...BREAKS_RUNTIME },
    response: { id: 'response-negation-changed', ...NON_BREAKING },
    rationale: 'Requests: a change under `not` flips direction and may refuse values sent before. Responses: not in the types.',
  },
  {
    family: 'schema',
    detects: 'A string\'s `contentEncoding` or `contentMediaType` changed.',
    request: { id: 'request-content-encoding-changed', ...BREAKS_RUNTIME },
    response: { id: 'response-content-encoding-changed', ...BREAKS_RUNTIME },
    rationale: 'Both sides encode or decode the string\'s content (e.g. base64) differently.',
  },
  {
    family: 'schema',
    detects: 'A `oneOf` whose members only require properties (`oneOf: [{required: [a]}, {required: [b]}]`) now lets a body the client could send match two members.',
    request: { id: 'request-one-of-branches-overlap', ...BREAKS_RUNTIME },
    rationale: 'A body with both properties matched before and now matches two members, which `oneOf` refuses.',
  },
  {
    family: 'schema',
    detects: 'An object property was removed.',
    request: { id: 'request-property-removed', ...BREAKS_COMPILE },
    response: { id: 'response-property-removed', ...BREAKS_COMPILE },
    rationale: 'Code setting or reading it no longer compiles.',
  },
  {
    family: 'schema',
    detects: 'An `allOf` member was added that requires a property or restricts the type (`type`, `enum`, `const`) beyond what the schema did.',
    request: { id: 'request-all-of-added-narrowing', ...BREAKS_COMPILE },
    rationale: 'The generated type becomes an intersection with the member: bodies without the property, or values outside the type, no longer compile.',
  },
  {
    family: 'schema',
    detects: 'An `allOf` member was added that adds a constraint the schema did not have (`pattern`, bounds, lengths, `format`, `not`, closed properties…).',
    request: { id: 'request-all-of-added-constraining', ...BREAKS_RUNTIME },
    rationale: 'Values the client sends may be refused; constraints are not in the types, so it still compiles.',
  },
  {
    family: 'schema',
    detects: 'An `allOf` member was added that requires nothing the schema did not (optional properties, annotations, or what was already required).',
    request: { id: 'request-all-of-added-optional', ...NON_BREAKING },
    rationale: 'Every body valid before is still valid.',
  },
  { family: 'schema', detects: 'A required property was added (a `readOnly` one is not a request field).', request: { id: 'request-property-added-required', ...BREAKS_COMPILE }, rationale: 'Existing bodies lack it.' },
  { family: 'schema', detects: 'An optional property was added.', request: { id: 'request-property-added-optional', ...NON_BREAKING }, rationale: 'Existing bodies stay valid.' },
  { family: 'schema', detects: 'A property was added (a `writeOnly` one is not a response field).', response: { id: 'response-property-added', ...NON_BREAKING }, rationale: 'The client reads what it knows and ignores the rest.' },
  {
    family: 'schema',
    detects: 'A property became required.',
    request: { id: 'request-property-became-required', ...BREAKS_COMPILE },
    response: { id: 'response-property-became-required', ...NON_BREAKING },
    rationale: 'Requests: bodies without it no longer compile. Responses: the client always gets it now.',
  },
  {
    family: 'schema',
    detects: 'A property became optional.',
    request: { id: 'request-property-became-optional', ...NON_BREAKING },
    response: { id: 'response-property-became-optional', ...BREAKS_COMPILE },
    rationale: 'Responses: the generated type gains `?`; code using it without a check no longer compiles.',
  },

  // ------------------------------------------------------------------ webhooks and callbacks
  { family: 'webhooks', id: 'webhook-added', ...NON_BREAKING, detects: 'A 3.1 webhook (name + method) was added.', rationale: 'The client receives nothing new until it subscribes.' },
  { family: 'webhooks', id: 'webhook-removed', ...BREAKS_COMPILE, detects: 'A 3.1 webhook (name + method) was removed.', rationale: 'Its generated `webhooks[name]` type disappears and the client\'s handler is no longer called.' },
  { family: 'webhooks', id: 'callback-added', ...NON_BREAKING, detects: 'An operation callback (name + expression + method) was added.', rationale: 'A new call the client may implement.' },
  { family: 'webhooks', id: 'callback-removed', ...BREAKS_RUNTIME, detects: 'An operation callback (name + expression + method) was removed.', rationale: 'The server stops calling the client\'s handler.' },
  { family: 'webhooks', id: 'callback-parameter-removed', ...BREAKS_RUNTIME, detects: 'A parameter the server sends to a webhook or callback handler was removed.', rationale: 'The client is the receiver: a handler reading it gets nothing.' },
  { family: 'webhooks', id: 'callback-parameter-added', ...NON_BREAKING, detects: 'A parameter the server sends to a webhook or callback handler was added.', rationale: 'The client is the receiver: it ignores what it does not read.' },
  { family: 'webhooks', id: 'callback-response-removed', ...BREAKS_RUNTIME, detects: 'A response a webhook or callback handler may return was removed.', rationale: 'The client is the responder: a handler returning it is now off-contract.' },
  { family: 'webhooks', id: 'callback-response-added', ...NON_BREAKING, detects: 'A response a webhook or callback handler may return was added.', rationale: 'The client is the responder: one more thing it may answer.' },
] as const satisfies readonly Row[];

type IdsOf<R> = R extends { id: infer I extends string } ? I : never;
type RowIds<R> = R extends unknown ? IdsOf<R> | (R extends { request: infer Q } ? IdsOf<Q> : never) | (R extends { response: infer S } ? IdsOf<S> : never) : never;

/** Every rule id, as literal types: a check emitting an id not in the catalogue does not compile. */
export type RuleId = RowIds<(typeof CATALOGUE)[number]>;

/** One rule, with the side it applies to (`undefined` when the same everywhere). */
export interface Rule extends Verdict {
  id: RuleId;
  family: Family;
  side: 'request' | 'response' | undefined;
  detects: string;
  rationale: string;
}

const RULES = new Map<string, Rule>();
for (const row of CATALOGUE as readonly Row[]) {
  const entries: [SideRule, Rule['side']][] = 'id' in row ? [[row, undefined]] : [];
  if (!('id' in row)) {
    if (row.request !== undefined) entries.push([row.request, 'request']);
    if (row.response !== undefined) entries.push([row.response, 'response']);
  }
  for (const [entry, side] of entries) {
    if (RULES.has(entry.id)) throw new Error(`rules catalogue: duplicate rule id ${entry.id}`);
    RULES.set(entry.id, {
      id: entry.id as RuleId,
      family: row.family,
      side,
      severity: entry.severity,
      ...(entry.breaks === undefined ? {} : { breaks: entry.breaks }),
      detects: row.detects,
      rationale: row.rationale,
    });
  }
}

/** The catalogue row of a rule id. */
export function rule(id: RuleId): Rule {
  const found = RULES.get(id);
  if (found === undefined) throw new Error(`rules catalogue: no rule ${id}`);
  return found;
}

/** Every rule, in catalogue order. */
export function allRules(): Rule[] {
  return [...RULES.values()];
}

/** The rule for the side a schema is compared on, both spelled out so that grepping an id finds the check. */
export function bySide<Q extends RuleId, S extends RuleId>(side: 'request' | 'response', request: Q, response: S): Q | S {
  return side === 'request' ? request : response;
}

const verdictText = (verdict: Verdict | undefined) =>
  verdict === undefined ? '—' : verdict.breaks === undefined ? verdict.severity : `${verdict.severity} (${verdict.breaks})`;

/**
 * The README's rule table, generated from the catalogue: one row per catalogue row, with the severity on the request
 * side (what the client sends) and on the response side (what it receives); a rule that is the same everywhere shows
 * one severity in both columns.
 */
export function rulesMarkdown(): string {
  const escape = (text: string) => text.replace(/\|/g, '\\|');
  const lines = [
    '| rule | checks | detects | request side | response side | why |',
    '|---|---|---|---|---|---|',
  ];
  for (const row of CATALOGUE as readonly Row[]) {
    const ids = 'id' in row ? [row.id] : [row.request?.id, row.response?.id].filter((id): id is string => id !== undefined);
    const request = 'id' in row ? row : row.request;
    const response = 'id' in row ? row : row.response;
    lines.push(
      `| ${ids.map((id) => `\`${id}\``).join('<br>')} | ${FAMILY_MODULES[row.family]} | ${escape(row.detects)} | ${verdictText(request)} | ${verdictText(response)} | ${escape(row.rationale)} |`,
    );
  }
  return `${lines.join('\n')}\n`;
}
