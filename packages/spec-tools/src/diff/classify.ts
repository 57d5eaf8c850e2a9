import { isObject, type JsonObject } from '../load.js';
import { canonicalJson } from '../provenance.js';
import { DOC_KEYWORDS, normalizeSchema, type Constraints, type NormalSchema } from './normalize.js';
import { pointer } from './pointer.js';
import { assertRefsResolve, deref } from './refs.js';
import { SEVERITY_ORDER, type BreakKind, type DiffResult, type Severity, type SpecChange } from './types.js';

/**
 * Classifies the differences between two OpenAPI 3.0/3.1 documents from the side of a client that
 * sends requests and reads responses through generated types:
 *  - requests: narrowing breaks (the server accepts less than the client may send);
 *  - responses: widening breaks (the client may receive what its types do not describe);
 *  - names the generated code exposes (operations, operationIds, component schemas) break compilation;
 *  - servers and security break at run time;
 *  - descriptions, summaries, examples, tags, extensions and `info` are docs-only.
 * `$ref`s are resolved, so moving a schema between inline and `components` changes nothing.
 */

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
type Side = 'request' | 'response';

/** A change found inside a schema, relative to where the comparison started (so it can be cached per $ref pair). */
interface RelativeChange {
  rule: string;
  severity: Severity;
  breaks?: BreakKind;
  /** JSON pointer suffix below the schema where the comparison started. */
  at: string;
  /** Property path below that schema, e.g. `payload.status` (empty at the root). */
  field: string;
  detail: string;
}

type Push = (change: Omit<RelativeChange, 'at' | 'field'> & Partial<Pick<RelativeChange, 'at' | 'field'>>) => void;
type Nested = (inner: RelativeChange[], at: string, field: string) => void;
interface Member {
  node: unknown;
  /** Pointer suffix of the member (empty for a plain schema compared with a oneOf member). */
  at: string;
}

const list = (values: Iterable<unknown>) =>
  [...values].map((value) => (typeof value === 'string' ? `'${value}'` : canonicalJson(value))).join(', ');
const joinField = (base: string, name: string) => (base === '' ? name : `${base}.${name}`);

function typeLabel(types: Set<string> | undefined): string {
  return types === undefined ? 'any' : [...types].sort().join(' | ');
}

/** Widening of a type set, with `integer` counted inside `number`. */
function covers(types: Set<string>, type: string): boolean {
  return types.has(type) || (type === 'integer' && types.has('number'));
}

const MIN_LIKE = ['minimum', 'exclusiveMinimum', 'minLength', 'minItems', 'minProperties'] as const;
const MAX_LIKE = ['maximum', 'exclusiveMaximum', 'maxLength', 'maxItems', 'maxProperties'] as const;

/** Whether going from `before` to `after` lets fewer values through (tightened) or more (loosened). */
function constraintDirection(key: keyof Constraints, before: unknown, after: unknown): 'tightened' | 'loosened' | undefined {
  if (canonicalJson(before) === canonicalJson(after)) return undefined;
  if (after === undefined) return 'loosened';
  if (before === undefined) return 'tightened';
  if ((MIN_LIKE as readonly string[]).includes(key)) return (after as number) > (before as number) ? 'tightened' : 'loosened';
  if ((MAX_LIKE as readonly string[]).includes(key)) return (after as number) < (before as number) ? 'tightened' : 'loosened';
  if (key === 'uniqueItems') return after === true ? 'tightened' : 'loosened';
  return 'tightened'; // a different pattern or multipleOf: values allowed before may now be refused
}

export class SpecDiff {
  private readonly changes: SpecChange[] = [];
  /** Schema comparisons between two `$ref`s, cached: large specs reach the same pair from many places. */
  private readonly refCache = new Map<string, RelativeChange[]>();
  private readonly inProgress = new Set<string>();

  constructor(
    private readonly before: JsonObject,
    private readonly after: JsonObject,
  ) {}

  run(): DiffResult {
    this.compareDocs(this.before.info, this.after.info, ['info'], undefined, 'info-changed', 'info');
    this.compareDocs(this.before.tags, this.after.tags, ['tags'], undefined, 'tags-changed', 'tags');
    this.compareDocs(this.before.externalDocs, this.after.externalDocs, ['externalDocs'], undefined, 'docs-changed', 'externalDocs');
    this.compareExtensions(this.before, this.after, []);
    this.compareServers(this.before.servers, this.after.servers, ['servers'], undefined);
    this.compareSecurity(this.before.security, this.after.security, ['security'], undefined);
    this.compareSecuritySchemes();
    this.compareComponentNames();
    this.comparePaths();
    const changes = this.changes.sort(
      (a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || (a.operation ?? '').localeCompare(b.operation ?? '') || a.pointer.localeCompare(b.pointer),
    );
    return {
      changes,
      summary: {
        breaking: changes.filter((change) => change.severity === 'breaking').length,
        nonBreaking: changes.filter((change) => change.severity === 'non-breaking').length,
        docsOnly: changes.filter((change) => change.severity === 'docs-only').length,
      },
    };
  }

  private add(change: SpecChange): void {
    this.changes.push(change.breaks === undefined ? { ...change, breaks: undefined } : change);
  }

  private resolveBefore = (node: unknown) => deref(this.before, node).value;
  private resolveAfter = (node: unknown) => deref(this.after, node).value;

  // ---------------------------------------------------------------- documentation

  /** Reports a docs-only change when two documentation values differ. */
  private compareDocs(before: unknown, after: unknown, at: (string | number)[], operation: string | undefined, rule: string, what: string): void {
    if (canonicalJson(before) === canonicalJson(after)) return;
    if (isObject(before) && isObject(after) && rule === 'info-changed') {
      for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
        this.compareDocs(before[key], after[key], [...at, key], operation, rule, `info.${key}`);
      }
      return;
    }
    this.add({ rule, severity: 'docs-only', pointer: pointer(...at), operation, message: `${what} changed.` });
  }

  /** Extensions (`x-*`) and the usual documentation keywords of an object. */
  private compareDocKeywords(before: JsonObject, after: JsonObject, at: (string | number)[], operation: string | undefined, what: string): void {
    for (const key of ['summary', 'description', 'externalDocs', 'deprecated', 'tags', 'example', 'examples']) {
      if (!(key in before) && !(key in after)) continue;
      const rule = key === 'example' || key === 'examples' ? 'example-changed' : key === 'tags' ? 'tags-changed' : `${key === 'externalDocs' ? 'docs' : key}-changed`;
      this.compareDocs(before[key], after[key], [...at, key], operation, rule, `${what} ${key}`);
    }
    this.compareExtensions(before, after, at, operation);
  }

  private compareExtensions(before: JsonObject, after: JsonObject, at: (string | number)[], operation?: string): void {
    const keys = new Set([...Object.keys(before), ...Object.keys(after)].filter((key) => key.startsWith('x-')));
    for (const key of keys) this.compareDocs(before[key], after[key], [...at, key], operation, 'extension-changed', `extension ${key}`);
  }

  // ---------------------------------------------------------------- environment

  private serverUrls(servers: unknown): string[] {
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

  private compareServers(before: unknown, after: unknown, at: (string | number)[], operation: string | undefined): void {
    const oldUrls = this.serverUrls(before);
    const newUrls = this.serverUrls(after);
    if (canonicalJson(oldUrls) !== canonicalJson(newUrls)) {
      this.add({
        rule: 'server-changed',
        severity: 'breaking',
        breaks: 'runtime',
        pointer: pointer(...at),
        operation,
        message: `Server URLs changed from ${list(oldUrls) || 'none'} to ${list(newUrls) || 'none'}; the client's default base URL changes.`,
      });
    } else if (canonicalJson(before) !== canonicalJson(after)) {
      this.add({ rule: 'docs-changed', severity: 'docs-only', pointer: pointer(...at), operation, message: 'Server descriptions changed.' });
    }
  }

  /** Security requirements as a canonical set of alternatives. */
  private securityKey(security: unknown): string {
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

  private compareSecurity(before: unknown, after: unknown, at: (string | number)[], operation: string | undefined): void {
    if (this.securityKey(before) === this.securityKey(after)) return;
    this.add({
      rule: 'security-requirement-changed',
      severity: 'breaking',
      breaks: 'runtime',
      pointer: pointer(...at),
      operation,
      message: `Security requirements changed from ${this.securityKey(before)} to ${this.securityKey(after)}.`,
    });
  }

  private compareSecuritySchemes(): void {
    const before = this.components(this.before, 'securitySchemes');
    const after = this.components(this.after, 'securitySchemes');
    for (const name of new Set([...Object.keys(before), ...Object.keys(after)])) {
      const at = ['components', 'securitySchemes', name];
      const oldScheme = this.resolveBefore(before[name]);
      const newScheme = this.resolveAfter(after[name]);
      if (oldScheme === undefined || newScheme === undefined) {
        this.add({
          rule: oldScheme === undefined ? 'security-scheme-added' : 'security-scheme-removed',
          severity: 'breaking',
          breaks: 'runtime',
          pointer: pointer(...at),
          message: `Security scheme \`${name}\` was ${oldScheme === undefined ? 'added' : 'removed'}.`,
        });
        continue;
      }
      const strip = (scheme: unknown) => canonicalJson(isObject(scheme) ? Object.fromEntries(Object.entries(scheme).filter(([key]) => key !== 'description' && !key.startsWith('x-'))) : scheme);
      if (strip(oldScheme) !== strip(newScheme)) {
        this.add({ rule: 'security-scheme-changed', severity: 'breaking', breaks: 'runtime', pointer: pointer(...at), message: `Security scheme \`${name}\` changed.` });
      } else if (isObject(oldScheme) && isObject(newScheme)) {
        this.compareDocKeywords(oldScheme, newScheme, at, undefined, `security scheme \`${name}\``);
      }
    }
  }

  // ---------------------------------------------------------------- generated names

  private components(document: JsonObject, kind: string): JsonObject {
    const components = isObject(document.components) ? document.components : {};
    const group = components[kind];
    return isObject(group) ? group : {};
  }

  /**
   * Component schema names become generated type names (`components['schemas']['X']`): removing or
   * renaming one breaks compilation. Additions are not reported on their own (they change nothing a
   * client sees until an operation uses them, and then that operation reports it).
   */
  private compareComponentNames(): void {
    const before = this.components(this.before, 'schemas');
    const after = this.components(this.after, 'schemas');
    const added = Object.keys(after).filter((name) => !(name in before));
    const addedByContent = new Map(added.map((name) => [canonicalJson(after[name]), name]));
    for (const name of Object.keys(before).filter((candidate) => !(candidate in after))) {
      const renamedTo = addedByContent.get(canonicalJson(before[name]));
      this.add({
        rule: renamedTo === undefined ? 'component-schema-removed' : 'component-schema-renamed',
        severity: 'breaking',
        breaks: 'compile',
        pointer: pointer('components', 'schemas', name),
        message:
          renamedTo === undefined
            ? `Component schema \`${name}\` was removed; code using its generated type no longer compiles.`
            : `Component schema \`${name}\` was renamed to \`${renamedTo}\`; code using its generated type no longer compiles.`,
      });
    }
  }

  // ---------------------------------------------------------------- operations

  private comparePaths(): void {
    const before = isObject(this.before.paths) ? this.before.paths : {};
    const after = isObject(this.after.paths) ? this.after.paths : {};
    for (const path of new Set([...Object.keys(before), ...Object.keys(after)])) {
      const oldItem = this.resolveBefore(before[path]);
      const newItem = this.resolveAfter(after[path]);
      const oldPathItem = isObject(oldItem) ? oldItem : {};
      const newPathItem = isObject(newItem) ? newItem : {};
      for (const method of METHODS) {
        const oldOperation = oldPathItem[method];
        const newOperation = newPathItem[method];
        if (!isObject(oldOperation) && !isObject(newOperation)) continue;
        const operation = `${method.toUpperCase()} ${path}`;
        const at = ['paths', path, method];
        if (!isObject(newOperation)) {
          this.add({ rule: 'operation-removed', severity: 'breaking', breaks: 'compile', pointer: pointer(...at), operation, message: `Operation ${operation} was removed.` });
        } else if (!isObject(oldOperation)) {
          this.add({ rule: 'operation-added', severity: 'non-breaking', pointer: pointer(...at), operation, message: `Operation ${operation} was added.` });
        } else {
          this.compareOperation(oldPathItem, oldOperation, newPathItem, newOperation, at, operation);
        }
      }
      if (isObject(oldItem) && isObject(newItem)) this.compareDocKeywords(oldPathItem, newPathItem, ['paths', path], undefined, `path ${path}`);
    }
  }

  private compareOperation(oldItem: JsonObject, oldOp: JsonObject, newItem: JsonObject, newOp: JsonObject, at: string[], operation: string): void {
    if (oldOp.operationId !== newOp.operationId && oldOp.operationId !== undefined) {
      this.add({
        rule: 'operation-id-changed',
        severity: 'breaking',
        breaks: 'compile',
        pointer: pointer(...at, 'operationId'),
        operation,
        message: `operationId changed from ${canonicalJson(oldOp.operationId)} to ${newOp.operationId === undefined ? 'none' : canonicalJson(newOp.operationId)}; code using its generated \`operations[...]\` type no longer compiles.`,
      });
    }
    this.compareDocKeywords(oldOp, newOp, at, operation, 'operation');
    // Servers and security set below the root are compared where they are set.
    if (oldOp.servers !== undefined || newOp.servers !== undefined || oldItem.servers !== undefined || newItem.servers !== undefined) {
      this.compareServers(oldOp.servers ?? oldItem.servers ?? this.before.servers, newOp.servers ?? newItem.servers ?? this.after.servers, [...at, 'servers'], operation);
    }
    if (oldOp.security !== undefined || newOp.security !== undefined) {
      this.compareSecurity(oldOp.security ?? this.before.security, newOp.security ?? this.after.security, [...at, 'security'], operation);
    }
    this.compareParameters(oldItem, oldOp, newItem, newOp, at, operation);
    this.compareRequestBody(oldOp.requestBody, newOp.requestBody, [...at, 'requestBody'], operation);
    this.compareResponses(oldOp.responses, newOp.responses, [...at, 'responses'], operation);
  }

  /** Path-level and operation-level parameters merged (the operation's win), keyed by `in:name`. */
  private parameters(document: JsonObject, item: JsonObject, op: JsonObject, at: string[]): Map<string, { value: JsonObject; at: (string | number)[] }> {
    const merged = new Map<string, { value: JsonObject; at: (string | number)[] }>();
    const collect = (list: unknown, base: (string | number)[]) => {
      if (!Array.isArray(list)) return;
      list.forEach((entry, index) => {
        const value = deref(document, entry).value;
        if (isObject(value)) merged.set(`${String(value.in)}:${String(value.name)}`, { value, at: [...base, 'parameters', index] });
      });
    };
    collect(item.parameters, at.slice(0, -1));
    collect(op.parameters, at);
    return merged;
  }

  private compareParameters(oldItem: JsonObject, oldOp: JsonObject, newItem: JsonObject, newOp: JsonObject, at: string[], operation: string): void {
    const before = this.parameters(this.before, oldItem, oldOp, at);
    const after = this.parameters(this.after, newItem, newOp, at);
    const movedNames = new Set<string>();
    for (const [key, { value, at: where }] of before) {
      if (after.has(key)) continue;
      const name = String(value.name);
      const moved = [...after.values()].find((candidate) => candidate.value.name === name && !before.has(`${String(candidate.value.in)}:${name}`));
      if (moved) {
        movedNames.add(name);
        this.add({
          rule: 'request-parameter-location-changed',
          severity: 'breaking',
          breaks: 'compile',
          pointer: pointer(...moved.at),
          operation,
          message: `Parameter \`${name}\` moved from ${String(value.in)} to ${String(moved.value.in)}.`,
        });
        continue;
      }
      this.add({
        rule: 'request-parameter-removed',
        severity: 'breaking',
        breaks: 'compile',
        pointer: pointer(...where),
        operation,
        message: `${String(value.in)} parameter \`${name}\` was removed.`,
      });
    }
    for (const [key, { value, at: where }] of after) {
      const name = String(value.name);
      const old = before.get(key);
      if (old === undefined) {
        if (movedNames.has(name)) continue;
        const required = value.required === true;
        this.add({
          rule: required ? 'request-parameter-added-required' : 'request-parameter-added-optional',
          severity: required ? 'breaking' : 'non-breaking',
          breaks: required ? 'compile' : undefined,
          pointer: pointer(...where),
          operation,
          message: `${required ? 'Required' : 'Optional'} ${String(value.in)} parameter \`${name}\` was added.`,
        });
        continue;
      }
      const wasRequired = old.value.required === true;
      const isRequired = value.required === true;
      if (wasRequired !== isRequired) {
        this.add({
          rule: isRequired ? 'request-parameter-became-required' : 'request-parameter-became-optional',
          severity: isRequired ? 'breaking' : 'non-breaking',
          breaks: isRequired ? 'compile' : undefined,
          pointer: pointer(...where, 'required'),
          operation,
          message: `Parameter \`${name}\` became ${isRequired ? 'required' : 'optional'}.`,
        });
      }
      for (const key of ['style', 'explode', 'allowReserved'] as const) {
        if (canonicalJson(old.value[key]) !== canonicalJson(value[key])) {
          this.add({
            rule: 'request-parameter-style-changed',
            severity: 'breaking',
            breaks: 'runtime',
            pointer: pointer(...where, key),
            operation,
            message: `Parameter \`${name}\` serialisation changed (${key}: ${String(old.value[key])} → ${String(value[key])}).`,
          });
        }
      }
      this.compareDocKeywords(old.value, value, where, operation, `parameter \`${name}\``);
      this.emitSchema(old.value.schema, value.schema, 'request', [...where, 'schema'], operation, `parameter \`${name}\``, '');
    }
  }

  private content(document: JsonObject, body: unknown): JsonObject {
    const resolved = deref(document, body).value;
    return isObject(resolved) && isObject(resolved.content) ? resolved.content : {};
  }

  private compareRequestBody(before: unknown, after: unknown, at: string[], operation: string): void {
    const oldBody = this.resolveBefore(before);
    const newBody = this.resolveAfter(after);
    if (!isObject(oldBody) && !isObject(newBody)) return;
    if (!isObject(newBody)) {
      this.add({ rule: 'request-body-removed', severity: 'breaking', breaks: 'compile', pointer: pointer(...at), operation, message: 'The request body was removed.' });
      return;
    }
    const isRequired = newBody.required === true;
    if (!isObject(oldBody)) {
      this.add({
        rule: isRequired ? 'request-body-added-required' : 'request-body-added-optional',
        severity: isRequired ? 'breaking' : 'non-breaking',
        breaks: isRequired ? 'compile' : undefined,
        pointer: pointer(...at),
        operation,
        message: `A${isRequired ? ' required' : 'n optional'} request body was added.`,
      });
      return;
    }
    if ((oldBody.required === true) !== isRequired) {
      this.add({
        rule: isRequired ? 'request-body-became-required' : 'request-body-became-optional',
        severity: isRequired ? 'breaking' : 'non-breaking',
        breaks: isRequired ? 'compile' : undefined,
        pointer: pointer(...at, 'required'),
        operation,
        message: `The request body became ${isRequired ? 'required' : 'optional'}.`,
      });
    }
    this.compareDocKeywords(oldBody, newBody, at, operation, 'request body');
    this.compareContent(this.content(this.before, oldBody), this.content(this.after, newBody), 'request', [...at, 'content'], operation, 'request body');
  }

  private compareContent(before: JsonObject, after: JsonObject, side: Side, at: (string | number)[], operation: string, where: string): void {
    for (const mediaType of new Set([...Object.keys(before), ...Object.keys(after)])) {
      const oldMedia = before[mediaType];
      const newMedia = after[mediaType];
      if (!isObject(newMedia)) {
        this.add({
          rule: `${side}-media-type-removed`,
          severity: 'breaking',
          breaks: 'compile',
          pointer: pointer(...at, mediaType),
          operation,
          message: `${where}: media type ${mediaType} was removed.`,
        });
        continue;
      }
      if (!isObject(oldMedia)) {
        this.add({ rule: `${side}-media-type-added`, severity: 'non-breaking', pointer: pointer(...at, mediaType), operation, message: `${where}: media type ${mediaType} was added.` });
        continue;
      }
      this.compareDocKeywords(oldMedia, newMedia, [...at, mediaType], operation, `${where} (${mediaType})`);
      this.emitSchema(oldMedia.schema, newMedia.schema, side, [...at, mediaType, 'schema'], operation, `${where} (${mediaType})`, '');
    }
  }

  private compareResponses(before: unknown, after: unknown, at: string[], operation: string): void {
    const oldResponses = isObject(before) ? before : {};
    const newResponses = isObject(after) ? after : {};
    const isSuccess = (code: string) => /^2(\d\d|XX)$/i.test(code);
    for (const code of new Set([...Object.keys(oldResponses), ...Object.keys(newResponses)])) {
      const where = [...at, code];
      const oldResponse = this.resolveBefore(oldResponses[code]);
      const newResponse = this.resolveAfter(newResponses[code]);
      if (!isObject(oldResponse) || !isObject(newResponse)) {
        const added = !isObject(oldResponse);
        const success = isSuccess(code);
        this.add({
          rule: `response-${success ? 'success' : 'error'}-status-${added ? 'added' : 'removed'}`,
          severity: success ? 'breaking' : 'non-breaking',
          breaks: success ? 'compile' : undefined,
          pointer: pointer(...where),
          operation,
          message: `${success ? 'Success' : 'Error'} response ${code} was ${added ? 'added' : 'removed'}${success ? '; the typed success body changes' : ''}.`,
        });
        continue;
      }
      this.compareDocKeywords(oldResponse, newResponse, where, operation, `response ${code}`);
      this.compareHeaders(oldResponse.headers, newResponse.headers, [...where, 'headers'], operation, `response ${code}`);
      this.compareContent(this.content(this.before, oldResponse), this.content(this.after, newResponse), 'response', [...where, 'content'], operation, `response ${code}`);
    }
  }

  private compareHeaders(before: unknown, after: unknown, at: (string | number)[], operation: string, where: string): void {
    const oldHeaders = isObject(before) ? before : {};
    const newHeaders = isObject(after) ? after : {};
    const byName = (headers: JsonObject) => new Map(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), { name, value }]));
    const oldByName = byName(oldHeaders);
    const newByName = byName(newHeaders);
    for (const key of new Set([...oldByName.keys(), ...newByName.keys()])) {
      const old = oldByName.get(key);
      const now = newByName.get(key);
      if (now === undefined && old !== undefined) {
        this.add({ rule: 'response-header-removed', severity: 'breaking', breaks: 'runtime', pointer: pointer(...at, old.name), operation, message: `${where}: header ${old.name} was removed.` });
      } else if (old === undefined && now !== undefined) {
        this.add({ rule: 'response-header-added', severity: 'non-breaking', pointer: pointer(...at, now.name), operation, message: `${where}: header ${now.name} was added.` });
      } else if (old !== undefined && now !== undefined) {
        const oldHeader = this.resolveBefore(old.value);
        const newHeader = this.resolveAfter(now.value);
        if (isObject(oldHeader) && isObject(newHeader)) {
          this.compareDocKeywords(oldHeader, newHeader, [...at, now.name], operation, `${where} header ${now.name}`);
          this.emitSchema(oldHeader.schema, newHeader.schema, 'response', [...at, now.name, 'schema'], operation, `${where} header ${now.name}`, '');
        }
      }
    }
  }

  // ---------------------------------------------------------------- schemas

  /** Compares two schemas and records the changes found at `at`. */
  private emitSchema(before: unknown, after: unknown, side: Side, at: (string | number)[], operation: string | undefined, where: string, field: string): void {
    if (before === undefined && after === undefined) return;
    for (const change of this.compareSchema(before, after, side)) {
      const path = change.field === '' ? field : joinField(field, change.field);
      this.add({
        rule: change.rule,
        severity: change.severity,
        breaks: change.breaks,
        pointer: `${pointer(...at)}${change.at}`,
        operation,
        message: `${where}${path === '' ? '' : ` \`${path}\``}: ${change.detail}`,
      });
    }
  }

  private compareSchema(before: unknown, after: unknown, side: Side): RelativeChange[] {
    const oldRef = isObject(before) && typeof before.$ref === 'string' ? before.$ref : undefined;
    const newRef = isObject(after) && typeof after.$ref === 'string' ? after.$ref : undefined;
    if (oldRef !== undefined && newRef !== undefined) {
      const key = `${side}|${oldRef}|${newRef}`;
      const cached = this.refCache.get(key);
      if (cached) return cached;
      if (this.inProgress.has(key)) return []; // a recursive schema: the outer comparison covers it
      this.inProgress.add(key);
      const result = this.compareResolved(this.resolveBefore(before), this.resolveAfter(after), side);
      this.inProgress.delete(key);
      this.refCache.set(key, result);
      return result;
    }
    return this.compareResolved(this.resolveBefore(before), this.resolveAfter(after), side);
  }

  private compareResolved(beforeRaw: unknown, afterRaw: unknown, side: Side): RelativeChange[] {
    const changes: RelativeChange[] = [];
    const push: Push = (change) => {
      changes.push({ at: '', field: '', ...change });
    };
    const nested: Nested = (inner, at, field) => {
      for (const change of inner) changes.push({ ...change, at: `${at}${change.at}`, field: field === '' ? change.field : change.field === '' ? field : `${field}.${change.field}` });
    };
    const breaking = (breaks: BreakKind) => ({ severity: 'breaking' as const, breaks });
    const request = side === 'request';

    if (beforeRaw === undefined || afterRaw === undefined) {
      if (beforeRaw === afterRaw) return changes;
      // A schema appearing where there was none, or disappearing: any → something narrows, the reverse widens.
      const narrowed = beforeRaw === undefined;
      push({
        rule: `${side}-type-${narrowed ? 'narrowed' : 'widened'}`,
        ...(request === narrowed ? breaking('compile') : { severity: 'non-breaking' as const }),
        detail: narrowed ? 'a schema was added where any value was allowed.' : 'the schema was removed; any value is now allowed.',
      });
      return changes;
    }

    const before = normalizeSchema(beforeRaw, this.resolveBefore);
    const after = normalizeSchema(afterRaw, this.resolveAfter);

    // Documentation keywords and extensions.
    for (const key of new Set([...Object.keys(before.docs), ...Object.keys(after.docs)])) {
      if (canonicalJson(before.docs[key]) === canonicalJson(after.docs[key])) continue;
      const rule = key === 'example' || key === 'examples' ? 'example-changed' : key.startsWith('x-') ? 'extension-changed' : `${(DOC_KEYWORDS as readonly string[]).includes(key) ? key : 'docs'}-changed`;
      push({ rule, severity: 'docs-only', at: pointer(key), detail: `${key} changed.` });
    }
    if (canonicalJson(before.default) !== canonicalJson(after.default)) {
      push({ rule: 'default-changed', severity: 'non-breaking', at: pointer('default'), detail: `default changed from ${before.default === undefined ? 'none' : canonicalJson(before.default)} to ${after.default === undefined ? 'none' : canonicalJson(after.default)}.` });
    }

    // Types and composition. A plain schema against a oneOf is compared member by member, and then
    // there is nothing more to compare at this level.
    if ((before.variants === undefined) !== (after.variants === undefined)) {
      this.comparePlainWithVariants(beforeRaw, before, afterRaw, after, side, push, nested);
      return changes;
    }
    if (before.variants !== undefined) this.compareVariants(before, after, side, push, nested);
    else this.compareTypes(before.types, after.types, side, push);

    // Format.
    if (before.format !== after.format) {
      const narrowed = before.format === undefined;
      const widened = after.format === undefined;
      const breaks = request ? !widened : !narrowed;
      push({
        rule: `${side}-format-changed`,
        ...(breaks ? breaking('runtime') : { severity: 'non-breaking' as const }),
        at: pointer('format'),
        detail: `format changed from ${before.format ?? 'none'} to ${after.format ?? 'none'}.`,
      });
    }

    // Enumerations.
    this.compareEnums(before.enum, after.enum, side, push);

    // Constraints.
    const keys = new Set([...Object.keys(before.constraints), ...Object.keys(after.constraints)]) as Set<keyof Constraints>;
    for (const key of keys) {
      const direction = constraintDirection(key, before.constraints[key], after.constraints[key]);
      if (direction === undefined) continue;
      const detail = `${key} changed from ${String(before.constraints[key] ?? 'none')} to ${String(after.constraints[key] ?? 'none')}.`;
      if (request) {
        push({
          rule: `request-constraint-${direction}`,
          ...(direction === 'tightened' ? breaking('runtime') : { severity: 'non-breaking' as const }),
          at: pointer(key),
          detail,
        });
      } else {
        push({ rule: 'response-constraint-changed', severity: 'non-breaking', at: pointer(key), detail });
      }
    }

    // Object properties.
    for (const name of new Set([...Object.keys(before.properties), ...Object.keys(after.properties)])) {
      const inBefore = name in before.properties;
      const inAfter = name in after.properties;
      const at = pointer('properties', name);
      if (!inAfter) {
        push({
          rule: `${side}-property-removed`,
          ...breaking('compile'),
          at,
          field: name,
          detail: request ? 'the property was removed; the server no longer accepts it.' : 'the property was removed from the response.',
        });
        continue;
      }
      const required = after.required.has(name);
      if (!inBefore) {
        if (request) {
          push({
            rule: required ? 'request-property-added-required' : 'request-property-added-optional',
            ...(required ? breaking('compile') : { severity: 'non-breaking' as const }),
            at,
            field: name,
            detail: `a${required ? ' required' : 'n optional'} property was added.`,
          });
        } else {
          push({ rule: 'response-property-added', severity: 'non-breaking', at, field: name, detail: `a${required ? ' required' : 'n optional'} property was added.` });
        }
        continue;
      }
      const wasRequired = before.required.has(name);
      if (wasRequired !== required) {
        const breaks = request ? required : !required;
        push({
          rule: `${side}-property-became-${required ? 'required' : 'optional'}`,
          ...(breaks ? breaking('compile') : { severity: 'non-breaking' as const }),
          at: pointer('required'),
          field: name,
          detail: `the property became ${required ? 'required' : 'optional'}.`,
        });
      }
      nested(this.compareSchema(before.properties[name], after.properties[name], side), at, name);
    }

    // Array items and additional properties.
    if (before.items !== undefined || after.items !== undefined) {
      nested(this.compareSchema(before.items, after.items, side), pointer('items'), '[]');
    }
    this.compareAdditional(before.additionalProperties, after.additionalProperties, side, push, nested);
    return changes;
  }

  private compareTypes(before: Set<string> | undefined, after: Set<string> | undefined, side: Side, push: Push): void {
    const request = side === 'request';
    if (before === undefined && after === undefined) return;
    if (before === undefined || after === undefined) {
      const narrowed = after !== undefined;
      push({
        rule: `${side}-type-${narrowed ? 'narrowed' : 'widened'}`,
        ...(request === narrowed ? { severity: 'breaking' as const, breaks: 'compile' as const } : { severity: 'non-breaking' as const }),
        at: pointer('type'),
        detail: `type changed from ${typeLabel(before)} to ${typeLabel(after)}.`,
      });
      return;
    }
    const added = [...after].filter((type) => !covers(before, type));
    const removed = [...before].filter((type) => !covers(after, type));
    const detail = `type changed from ${typeLabel(before)} to ${typeLabel(after)}.`;
    if (!request && added.includes('null')) {
      push({ rule: 'response-became-nullable', severity: 'breaking', breaks: 'compile', at: pointer('type'), detail: 'the value became nullable.' });
    }
    const widened = added.filter((type) => request || type !== 'null');
    if (widened.length > 0) {
      push({ rule: `${side}-type-widened`, ...(request ? { severity: 'non-breaking' as const } : { severity: 'breaking' as const, breaks: 'compile' as const }), at: pointer('type'), detail });
    }
    if (removed.length > 0) {
      push({ rule: `${side}-type-narrowed`, ...(request ? { severity: 'breaking' as const, breaks: 'compile' as const } : { severity: 'non-breaking' as const }), at: pointer('type'), detail });
    }
  }

  /**
   * oneOf/anyOf on both sides: members are matched by content, then by type, and compared pairwise;
   * members left over widen (new) or narrow (old) the schema.
   */
  private compareVariants(before: NormalSchema, after: NormalSchema, side: Side, push: Push, nested: Nested): void {
    this.matchMembers(
      (before.variants ?? []).map((node, index) => ({ node, at: pointer(before.variantKeyword ?? 'oneOf', index) })),
      (after.variants ?? []).map((node, index) => ({ node, at: pointer(after.variantKeyword ?? 'oneOf', index) })),
      side,
      push,
      nested,
    );
    this.compareNullability(before, after, side, push);
  }

  /**
   * One side is a plain schema, the other a oneOf/anyOf (e.g. `string` → `oneOf: [string, object]`):
   * the plain schema is compared with the member that matches it, and the other members widen or narrow.
   */
  private comparePlainWithVariants(beforeRaw: unknown, before: NormalSchema, afterRaw: unknown, after: NormalSchema, side: Side, push: Push, nested: Nested): void {
    const strip = (raw: unknown, schema: NormalSchema) => {
      // The plain side without its docs, so they are not compared twice.
      if (!isObject(raw)) return raw;
      return Object.fromEntries(Object.entries(raw).filter(([key]) => !(key in schema.docs) && key !== 'default'));
    };
    const oldMembers = before.variants
      ? before.variants.map((node, index) => ({ node, at: pointer(before.variantKeyword ?? 'oneOf', index) }))
      : [{ node: strip(beforeRaw, before), at: '' }];
    const newMembers = after.variants
      ? after.variants.map((node, index) => ({ node, at: pointer(after.variantKeyword ?? 'oneOf', index) }))
      : [{ node: strip(afterRaw, after), at: '' }];
    this.matchMembers(oldMembers, newMembers, side, push, nested);
    this.compareNullability(before, after, side, push);
  }

  private matchMembers(oldMembers: Member[], newMembers: Member[], side: Side, push: Push, nested: Nested): void {
    const request = side === 'request';
    const describeMember = (document: 'before' | 'after', member: Member) => {
      const resolve = document === 'before' ? this.resolveBefore : this.resolveAfter;
      const types = normalizeSchema(resolve(member.node), resolve).types;
      return { ...member, typeKey: typeLabel(types ? new Set([...types].filter((type) => type !== 'null')) : undefined), content: canonicalJson(resolve(member.node)) };
    };
    const olds = oldMembers.map((member) => describeMember('before', member));
    const unmatched = newMembers.map((member) => describeMember('after', member));
    const leftover: typeof olds = [];
    for (const old of olds) {
      const exact = unmatched.findIndex((candidate) => candidate.content === old.content);
      const index = exact === -1 ? unmatched.findIndex((candidate) => candidate.typeKey === old.typeKey) : exact;
      const [match] = index === -1 ? [] : unmatched.splice(index, 1);
      if (match === undefined) leftover.push(old);
      else nested(this.compareSchema(old.node, match.node, side), match.at, '');
    }
    const types = (members: { typeKey: string }[]) => members.map((member) => member.typeKey).join(', ');
    if (unmatched.length > 0) {
      push({
        rule: `${side}-type-widened`,
        ...(request ? { severity: 'non-breaking' as const } : { severity: 'breaking' as const, breaks: 'compile' as const }),
        at: unmatched[0]?.at ?? '',
        detail: `the value may now also be: ${types(unmatched)}.`,
      });
    }
    if (leftover.length > 0) {
      push({
        rule: `${side}-type-narrowed`,
        ...(request ? { severity: 'breaking' as const, breaks: 'compile' as const } : { severity: 'non-breaking' as const }),
        detail: `the value may no longer be: ${types(leftover)}.`,
      });
    }
  }

  private compareNullability(before: NormalSchema, after: NormalSchema, side: Side, push: Push): void {
    const nullBefore = before.types?.has('null') === true;
    const nullAfter = after.types?.has('null') === true;
    if (nullBefore === nullAfter) return;
    if (side === 'response' && nullAfter) push({ rule: 'response-became-nullable', severity: 'breaking', breaks: 'compile', detail: 'the value became nullable.' });
    else if (side === 'request' && !nullAfter) push({ rule: 'request-type-narrowed', severity: 'breaking', breaks: 'compile', detail: 'null is no longer accepted.' });
    else push({ rule: `${side}-type-${nullAfter ? 'widened' : 'narrowed'}`, severity: 'non-breaking', detail: `null is ${nullAfter ? 'now' : 'no longer'} allowed.` });
  }

  private compareEnums(before: Map<string, unknown> | undefined, after: Map<string, unknown> | undefined, side: Side, push: Push): void {
    const request = side === 'request';
    const at = pointer('enum');
    if (before === undefined && after === undefined) return;
    if (before === undefined || after === undefined) {
      const nowClosed = after !== undefined;
      push({
        rule: `${side}-enum-${nowClosed ? 'added' : 'removed'}`,
        ...(request === nowClosed ? { severity: 'breaking' as const, breaks: 'compile' as const } : { severity: 'non-breaking' as const }),
        at,
        detail: after ? `the value is now limited to ${list(after.values())}.` : 'the value is no longer limited to a list of values.',
      });
      return;
    }
    const added = [...after.keys()].filter((key) => !before.has(key)).map((key) => after.get(key));
    const removed = [...before.keys()].filter((key) => !after.has(key)).map((key) => before.get(key));
    if (added.length > 0) {
      push({
        rule: `${side}-enum-value-added`,
        ...(request ? { severity: 'non-breaking' as const } : { severity: 'breaking' as const, breaks: 'compile' as const }),
        at,
        detail: `enum gained ${list(added)}${request ? '.' : '; code handling every value exhaustively no longer compiles.'}`,
      });
    }
    if (removed.length > 0) {
      push({
        rule: `${side}-enum-value-removed`,
        ...(request ? { severity: 'breaking' as const, breaks: 'compile' as const } : { severity: 'non-breaking' as const }),
        at,
        detail: `enum lost ${list(removed)}.`,
      });
    }
  }

  private compareAdditional(before: unknown, after: unknown, side: Side, push: Push, nested: Nested): void {
    if (before === undefined && after === undefined) return;
    const at = pointer('additionalProperties');
    const closed = (value: unknown) => value === false;
    if (closed(before) !== closed(after)) {
      const nowOpen = closed(before);
      const request = side === 'request';
      push({
        rule: `${side}-type-${nowOpen ? 'widened' : 'narrowed'}`,
        ...(request !== nowOpen ? { severity: 'breaking' as const, breaks: 'compile' as const } : { severity: 'non-breaking' as const }),
        at,
        detail: nowOpen ? 'properties not listed are now allowed.' : 'properties not listed are no longer allowed.',
      });
      return;
    }
    if (isObject(before) || isObject(after)) {
      nested(this.compareSchema(isObject(before) ? before : {}, isObject(after) ? after : {}, side), at, '*');
    }
  }
}

/** Compares two parsed OpenAPI documents (their `$ref`s must resolve; see `assertRefsResolve`). */
export function diffDocuments(before: JsonObject, after: JsonObject, labels: { before: string; after: string } = { before: 'old', after: 'new' }): DiffResult {
  assertRefsResolve(before, labels.before);
  assertRefsResolve(after, labels.after);
  return new SpecDiff(before, after).run();
}
