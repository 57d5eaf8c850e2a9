import { isObject, type JsonObject } from '../load.js';
import { canonicalJson } from '../canonical-json.js';

/** Numeric and string constraints, in OpenAPI 3.1 form (3.0's boolean exclusive bounds converted). */
export interface Constraints {
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  minProperties?: number;
  maxProperties?: number;
  minContains?: number;
  maxContains?: number;
  multipleOf?: number;
  pattern?: string;
  uniqueItems?: boolean;
}

/** A `oneOf`/`anyOf` member, with its index in the keyword's array (for pointers). */
export interface Variant {
  node: unknown;
  index: number;
}

/** The parts of a schema that the comparison looks at, with 3.0 and 3.1 spellings made equal. */
export interface NormalSchema {
  /** Allowed JSON types (`null` included when nullable); undefined means any type. */
  types: Set<string> | undefined;
  format: string | undefined;
  /** Allowed values (canonical JSON text → value), from `enum` or `const`. */
  enum: Map<string, unknown> | undefined;
  /** Which keyword holds the allowed values. */
  enumKeyword: 'enum' | 'const';
  /** Documented values of an `x-extensible-enum` (open: other values may come). */
  extensibleEnum: Map<string, unknown> | undefined;
  properties: Record<string, unknown>;
  required: Set<string>;
  items: unknown;
  prefixItems: unknown[] | undefined;
  additionalProperties: unknown;
  unevaluatedProperties: unknown;
  unevaluatedItems: unknown;
  /** Members of `oneOf`/`anyOf` (a `{ type: 'null' }` member is folded into `types`, duplicates dropped). */
  variants: Variant[] | undefined;
  variantKeyword: 'oneOf' | 'anyOf' | undefined;
  /**
   * `oneOf`/`anyOf` whose members only list `required` names (`oneOf: [{required: [a]}, {required: [b]}]`): a
   * constraint on which properties may be present together, not a union of types.
   */
  requiredGroups: { keyword: 'oneOf' | 'anyOf'; groups: string[][] } | undefined;
  constraints: Constraints;
  /** Keywords holding one subschema each (JSON Schema 2020-12 applicators and content). */
  subschemas: Partial<Record<SubschemaKeyword, unknown>>;
  /** Keywords holding a map of name (or pattern) → subschema. */
  schemaMaps: Partial<Record<SchemaMapKeyword, Record<string, unknown>>>;
  dependentRequired: Record<string, string[]> | undefined;
  contentEncoding: string | undefined;
  contentMediaType: string | undefined;
  default: unknown;
  /** Documentation-only keywords and extensions. */
  docs: Record<string, unknown>;
}

export const SUBSCHEMA_KEYWORDS = ['contains', 'propertyNames', 'if', 'then', 'else', 'not', 'contentSchema'] as const;
export type SubschemaKeyword = (typeof SUBSCHEMA_KEYWORDS)[number];
export const SCHEMA_MAP_KEYWORDS = ['patternProperties', 'dependentSchemas'] as const;
export type SchemaMapKeyword = (typeof SCHEMA_MAP_KEYWORDS)[number];

export const DOC_KEYWORDS = ['description', 'title', 'example', 'examples', 'deprecated', 'externalDocs', '$comment'] as const;
const NUMERIC_CONSTRAINTS = ['minimum', 'maximum', 'minLength', 'maxLength', 'minItems', 'maxItems', 'minProperties', 'maxProperties', 'minContains', 'maxContains', 'multipleOf'] as const;
/** Extensions that carry meaning for the comparison rather than documentation. */
const SEMANTIC_EXTENSIONS = new Set(['x-extensible-enum']);

function isNullSchema(value: unknown): boolean {
  return isObject(value) && (value.type === 'null' || (Array.isArray(value.type) && value.type.length === 1 && value.type[0] === 'null')) && Object.keys(value).every((key) => key === 'type' || key === 'description');
}

/** A member that only says which properties must be present (`{required: [a]}`), with no type of its own. */
function requiredOnly(value: unknown): string[] | undefined {
  if (!isObject(value) || !Array.isArray(value.required)) return undefined;
  if (!Object.keys(value).every((key) => key === 'required' || key === 'description' || key === 'title')) return undefined;
  return value.required.map(String).sort();
}

const stringArray = (value: unknown) => (Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : []);

/**
 * Normalises one (already dereferenced) schema object. `resolve` dereferences nested members where the
 * normalisation itself needs them (allOf members, oneOf null members).
 */
export function normalizeSchema(input: unknown, resolve: (node: unknown) => unknown): NormalSchema {
  const schema = mergeAllOf(isObject(input) ? input : {}, resolve);
  let types: Set<string> | undefined;
  if (typeof schema.type === 'string') types = new Set([schema.type]);
  else if (Array.isArray(schema.type)) types = new Set(schema.type.filter((type): type is string => typeof type === 'string'));
  if (schema.nullable === true && types) types.add('null');

  let variants: Variant[] | undefined;
  let requiredGroups: NormalSchema['requiredGroups'];
  const variantKeyword = Array.isArray(schema.oneOf) ? 'oneOf' : Array.isArray(schema.anyOf) ? 'anyOf' : undefined;
  const composed = variantKeyword === undefined ? undefined : (schema[variantKeyword] as unknown[]);
  if (composed && variantKeyword) {
    const groups = composed.map((member) => requiredOnly(resolve(member)));
    if (groups.length > 0 && groups.every((group) => group !== undefined)) {
      requiredGroups = { keyword: variantKeyword, groups };
    } else {
      const members = composed.map((node, index) => ({ node, index }));
      const nonNull = members.filter((member) => !isNullSchema(resolve(member.node)));
      if (nonNull.length < members.length) {
        // `oneOf: [X, {type: null}]` is 3.1's spelling of a nullable X.
        if (nonNull.length === 1 && types === undefined) {
          const only = normalizeSchema(resolve(nonNull[0]?.node), resolve);
          return { ...only, types: only.types ? new Set([...only.types, 'null']) : undefined, docs: { ...only.docs, ...docsOf(schema) } };
        }
        types = new Set([...(types ?? []), 'null']);
      }
      // A member identical to an earlier one (after resolving its `$ref`) adds no value the schema did not allow.
      const seen = new Set<string>();
      variants = nonNull.filter((member) => {
        const content = canonicalJson(resolve(member.node));
        if (seen.has(content)) return false;
        seen.add(content);
        return true;
      });
    }
  }

  const valuesOf = (list: unknown[]) => new Map(list.map((value) => [canonicalJson(value), value]));
  let enumValues: Map<string, unknown> | undefined;
  if (Array.isArray(schema.enum)) enumValues = valuesOf(schema.enum);
  else if ('const' in schema) enumValues = valuesOf([schema.const]);
  // A 3.0 nullable enum lists null among its values only implicitly.
  if (enumValues && types?.has('null')) enumValues.set('null', null);
  const extensible = schema['x-extensible-enum'];

  const constraints: Constraints = {};
  for (const key of NUMERIC_CONSTRAINTS) if (typeof schema[key] === 'number') constraints[key] = schema[key];
  if (typeof schema.pattern === 'string') constraints.pattern = schema.pattern;
  if (schema.uniqueItems === true) constraints.uniqueItems = true;
  // 3.0: exclusiveMaximum: true + maximum: n  ≡  3.1: exclusiveMaximum: n
  if (schema.exclusiveMinimum === true && typeof schema.minimum === 'number') {
    constraints.exclusiveMinimum = schema.minimum;
    delete constraints.minimum;
  } else if (typeof schema.exclusiveMinimum === 'number') constraints.exclusiveMinimum = schema.exclusiveMinimum;
  if (schema.exclusiveMaximum === true && typeof schema.maximum === 'number') {
    constraints.exclusiveMaximum = schema.maximum;
    delete constraints.maximum;
  } else if (typeof schema.exclusiveMaximum === 'number') constraints.exclusiveMaximum = schema.exclusiveMaximum;

  const subschemas: NormalSchema['subschemas'] = {};
  for (const key of SUBSCHEMA_KEYWORDS) if (schema[key] !== undefined) subschemas[key] = schema[key];
  const schemaMaps: NormalSchema['schemaMaps'] = {};
  for (const key of SCHEMA_MAP_KEYWORDS) {
    const value = schema[key];
    if (isObject(value)) schemaMaps[key] = value;
  }
  const dependentRequired = isObject(schema.dependentRequired)
    ? Object.fromEntries(Object.entries(schema.dependentRequired).map(([name, names]) => [name, stringArray(names).sort()]))
    : undefined;

  return {
    types,
    format: typeof schema.format === 'string' ? schema.format : undefined,
    enum: enumValues,
    enumKeyword: Array.isArray(schema.enum) || !('const' in schema) ? 'enum' : 'const',
    extensibleEnum: Array.isArray(extensible) ? valuesOf(extensible) : undefined,
    properties: isObject(schema.properties) ? schema.properties : {},
    required: new Set(stringArray(schema.required)),
    items: schema.items,
    prefixItems: Array.isArray(schema.prefixItems) ? schema.prefixItems : undefined,
    additionalProperties: schema.additionalProperties,
    unevaluatedProperties: schema.unevaluatedProperties,
    unevaluatedItems: schema.unevaluatedItems,
    variants,
    variantKeyword: variants === undefined ? undefined : variantKeyword,
    requiredGroups,
    constraints,
    subschemas,
    schemaMaps,
    dependentRequired,
    contentEncoding: typeof schema.contentEncoding === 'string' ? schema.contentEncoding : undefined,
    contentMediaType: typeof schema.contentMediaType === 'string' ? schema.contentMediaType : undefined,
    default: schema.default,
    docs: docsOf(schema),
  };
}

function docsOf(schema: JsonObject): Record<string, unknown> {
  const docs: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if ((DOC_KEYWORDS as readonly string[]).includes(key) || (key.startsWith('x-') && !SEMANTIC_EXTENSIONS.has(key))) docs[key] = value;
  }
  return docs;
}

/** Folds `allOf` members into one schema: properties and required merged, other keywords first-wins. */
export function mergeAllOf(schema: JsonObject, resolve: (node: unknown) => unknown): JsonObject {
  if (!Array.isArray(schema.allOf)) return schema;
  const { allOf, ...rest } = schema;
  const merged: JsonObject = { ...rest };
  const properties: JsonObject = isObject(rest.properties) ? { ...rest.properties } : {};
  const required = new Set<string>(stringArray(rest.required));
  for (const member of allOf as unknown[]) {
    const resolved = resolve(member);
    const part = mergeAllOf(isObject(resolved) ? resolved : {}, resolve);
    for (const [key, value] of Object.entries(part)) {
      if (key === 'properties' && isObject(value)) Object.assign(properties, value);
      else if (key === 'required' && Array.isArray(value)) value.forEach((name) => required.add(String(name)));
      else if (!(key in merged)) merged[key] = value;
    }
  }
  if (Object.keys(properties).length > 0) merged.properties = properties;
  if (required.size > 0) merged.required = [...required];
  return merged;
}

/** Whether a schema (dereferenced) is marked `readOnly` or `writeOnly`, through `allOf` too. */
export function accessOf(input: unknown, resolve: (node: unknown) => unknown): { readOnly: boolean; writeOnly: boolean } {
  const schema = mergeAllOf(isObject(input) ? input : {}, resolve);
  return { readOnly: schema.readOnly === true, writeOnly: schema.writeOnly === true };
}
