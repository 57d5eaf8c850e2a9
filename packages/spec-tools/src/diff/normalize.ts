import { isObject, type JsonObject } from '../load.js';
import { canonicalJson } from '../provenance.js';

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
  multipleOf?: number;
  pattern?: string;
  uniqueItems?: boolean;
}

/** The parts of a schema that the comparison looks at, with 3.0 and 3.1 spellings made equal. */
export interface NormalSchema {
  /** Allowed JSON types (`null` included when nullable); undefined means any type. */
  types: Set<string> | undefined;
  format: string | undefined;
  /** Allowed values (canonical JSON text → value), from `enum` or `const`. */
  enum: Map<string, unknown> | undefined;
  properties: Record<string, unknown>;
  required: Set<string>;
  items: unknown;
  additionalProperties: unknown;
  /** Members of `oneOf`/`anyOf` (a `{ type: 'null' }` member is folded into `types` instead). */
  variants: unknown[] | undefined;
  variantKeyword: 'oneOf' | 'anyOf' | undefined;
  constraints: Constraints;
  default: unknown;
  /** Documentation-only keywords and extensions. */
  docs: Record<string, unknown>;
}

export const DOC_KEYWORDS = ['description', 'title', 'example', 'examples', 'deprecated', 'externalDocs', '$comment'] as const;
const NUMERIC_CONSTRAINTS = ['minimum', 'maximum', 'minLength', 'maxLength', 'minItems', 'maxItems', 'minProperties', 'maxProperties', 'multipleOf'] as const;

function isNullSchema(value: unknown): boolean {
  return isObject(value) && (value.type === 'null' || (Array.isArray(value.type) && value.type.length === 1 && value.type[0] === 'null')) && Object.keys(value).every((key) => key === 'type' || key === 'description');
}

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

  let variants: unknown[] | undefined;
  const variantKeyword = Array.isArray(schema.oneOf) ? 'oneOf' : Array.isArray(schema.anyOf) ? 'anyOf' : undefined;
  const composed = variantKeyword === undefined ? undefined : (schema[variantKeyword] as unknown[]);
  if (composed) {
    const nonNull = composed.filter((member) => !isNullSchema(resolve(member)));
    if (nonNull.length < composed.length) {
      // `oneOf: [X, {type: null}]` is 3.1's spelling of a nullable X.
      if (nonNull.length === 1 && types === undefined) {
        const only = normalizeSchema(resolve(nonNull[0]), resolve);
        return { ...only, types: only.types ? new Set([...only.types, 'null']) : undefined, docs: { ...only.docs, ...docsOf(schema) } };
      }
      types = new Set([...(types ?? []), 'null']);
    }
    variants = nonNull;
  }

  let enumValues: Map<string, unknown> | undefined;
  if (Array.isArray(schema.enum)) enumValues = new Map(schema.enum.map((value) => [canonicalJson(value), value]));
  else if ('const' in schema) enumValues = new Map([[canonicalJson(schema.const), schema.const]]);
  // A 3.0 nullable enum lists null among its values only implicitly.
  if (enumValues && types?.has('null')) enumValues.set('null', null);

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

  return {
    types,
    format: typeof schema.format === 'string' ? schema.format : undefined,
    enum: enumValues,
    properties: isObject(schema.properties) ? schema.properties : {},
    required: new Set(Array.isArray(schema.required) ? schema.required.filter((name): name is string => typeof name === 'string') : []),
    items: schema.items,
    additionalProperties: schema.additionalProperties,
    variants,
    variantKeyword: variants === undefined ? undefined : variantKeyword,
    constraints,
    default: schema.default,
    docs: docsOf(schema),
  };
}

function docsOf(schema: JsonObject): Record<string, unknown> {
  const docs: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if ((DOC_KEYWORDS as readonly string[]).includes(key) || key.startsWith('x-')) docs[key] = value;
  }
  return docs;
}

/** Folds `allOf` members into one schema: properties and required merged, other keywords first-wins. */
function mergeAllOf(schema: JsonObject, resolve: (node: unknown) => unknown): JsonObject {
  if (!Array.isArray(schema.allOf)) return schema;
  const { allOf, ...rest } = schema;
  const merged: JsonObject = { ...rest };
  const properties: JsonObject = isObject(rest.properties) ? { ...rest.properties } : {};
  const required = new Set<string>(Array.isArray(rest.required) ? (rest.required as string[]) : []);
  for (const member of allOf as unknown[]) {
    const part = mergeAllOf(isObject(resolve(member)) ? (resolve(member) as JsonObject) : {}, resolve);
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
