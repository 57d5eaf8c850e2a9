import { canonicalJson } from './canonical-json.js';
import { lookup } from './diff/refs.js';
import { pointer, unescapeSegment } from './diff/pointer.js';
import type { OutOfScopeChanges } from './diff/types.js';
import { SpecToolError } from './errors.js';
import { isObject, type JsonObject } from './load.js';

/**
 * A vendor publishes its whole API; a client covers a few operations of it. `cutToOperations` keeps those
 * operations and everything they reach through local `$ref`s, so the effective spec (what is generated, shipped and
 * mocked) describes only what the client calls, while the vendored file stays the vendor's whole document.
 */

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
type Method = (typeof METHODS)[number];

/** One operation a client covers: `GET /path/{id}` parsed. */
export interface CoveredOperation {
  method: Method;
  path: string;
}

/** Parses `GET /path/{id}` (method case-insensitive, one space, a path starting with `/`). */
export function parseCover(text: string): CoveredOperation {
  const match = /^([A-Za-z]+) (\/\S*)$/.exec(text.trim());
  const method = match?.[1]?.toLowerCase();
  if (match === null || method === undefined || !(METHODS as readonly string[]).includes(method)) {
    throw new SpecToolError(`covered operation ${JSON.stringify(text)}: expected "<METHOD> /path", e.g. "GET /v1/uploads/{id}"`);
  }
  return { method: method as Method, path: match[2] as string };
}

export function formatCover(cover: CoveredOperation): string {
  return `${cover.method.toUpperCase()} ${cover.path}`;
}

const isMethod = (key: string): key is Method => (METHODS as readonly string[]).includes(key);

/** `components/<type>/<name>` of a local ref into components, or undefined for any other ref. */
function componentKey(ref: string): string | undefined {
  const match = /^#\/components\/([^/]+)\/([^/]+)/.exec(ref);
  if (match === null) return undefined;
  return `${match[1] as string}/${unescapeSegment(decodeURIComponent(match[2] as string))}`;
}

/** Paths of the document ranked by how many segments they share with `wanted`, for "did you mean" hints. */
function similarPaths(paths: string[], wanted: string): string[] {
  const want = wanted.split('/').filter(Boolean);
  // Per position: the same segment or two parameters score 2, a segment sharing most of its start (a plural, a typo
  // at the end) 1; a different length costs 1 per segment.
  const near = (a: string, b: string) => {
    let prefix = 0;
    while (prefix < a.length && a[prefix] === b[prefix]) prefix++;
    return prefix / Math.max(a.length, b.length) >= 0.6;
  };
  const score = (path: string) => {
    const have = path.split('/').filter(Boolean);
    const shared = have.reduce((sum, segment, index) => {
      const other = want[index];
      if (other === undefined) return sum;
      if (segment === other || (segment.startsWith('{') && other.startsWith('{'))) return sum + 2;
      return sum + (near(segment, other) ? 1 : 0);
    }, 0);
    return shared - Math.abs(have.length - want.length);
  };
  return paths
    .map((path) => ({ path, score: score(path) }))
    .filter((entry) => entry.score > 0)
    .sort((a, b) => b.score - a.score || a.path.localeCompare(b.path))
    .slice(0, 3)
    .map((entry) => entry.path);
}

/**
 * Every local `$ref` in `node` (and discriminator mappings, which name schemas by ref), with where it was found.
 * External refs are left alone: bundling is a separate step.
 */
function refsIn(node: unknown, at: string[], found: (ref: string, at: string[]) => void): void {
  if (Array.isArray(node)) {
    node.forEach((item, index) => {
      refsIn(item, [...at, String(index)], found);
    });
    return;
  }
  if (!isObject(node)) return;
  if (typeof node.$ref === 'string' && node.$ref.startsWith('#')) found(node.$ref, [...at, '$ref']);
  if (isObject(node.discriminator) && isObject(node.discriminator.mapping)) {
    for (const [name, target] of Object.entries(node.discriminator.mapping)) {
      if (typeof target === 'string' && target.startsWith('#')) found(target, [...at, 'discriminator', 'mapping', name]);
    }
  }
  for (const [key, value] of Object.entries(node)) refsIn(value, [...at, key], found);
}

/** Names of the security schemes a `security` list uses. */
function securitySchemeNames(security: unknown): string[] {
  if (!Array.isArray(security)) return [];
  return security.flatMap((requirement) => (isObject(requirement) ? Object.keys(requirement) : []));
}

/**
 * The components a set of starting nodes reaches, transitively, as `<type>/<name>` keys. A ref to something the
 * document does not have is an error naming it; a local ref outside `components` must point inside what is kept
 * (`keptPaths`), since the cut would otherwise leave it dangling.
 */
function reachableComponents(
  document: JsonObject,
  starts: { node: unknown; at: string[] }[],
  security: { node: unknown; at: string[] }[],
  options: { label: string; keptPaths: Set<string>; strict: boolean },
): Set<string> {
  const components = isObject(document.components) ? document.components : {};
  const kept = new Set<string>();
  const queue: { node: unknown; at: string[] }[] = [...starts];
  const keep = (type: string, name: string, at: string[]) => {
    const key = `${type}/${name}`;
    if (kept.has(key)) return;
    const group = components[type];
    const value = isObject(group) ? group[name] : undefined;
    if (value === undefined) {
      if (options.strict) throw new SpecToolError(`${options.label}: ${pointer(...at)} names ${key.replace('/', ' ')}, which components does not have`);
      return;
    }
    kept.add(key);
    queue.push({ node: value, at: ['components', type, name] });
  };
  // Security requirements name schemes, not refs.
  for (const list of security) for (const name of securitySchemeNames(list.node)) keep('securitySchemes', name, list.at);
  for (let item = queue.shift(); item !== undefined; item = queue.shift()) {
    const { node, at } = item;
    refsIn(node, at, (ref, where) => {
      if (lookup(document, ref) === undefined) {
        if (options.strict) throw new SpecToolError(`${options.label}: unresolvable $ref ${JSON.stringify(ref)} at ${pointer(...where)}`);
        return;
      }
      const key = componentKey(ref);
      if (key !== undefined) {
        const [type] = key.split('/', 1) as [string];
        keep(type, key.slice(type.length + 1), where);
        return;
      }
      const path = /^#\/paths\/([^/]+)/.exec(ref)?.[1];
      if (options.strict && (path === undefined || !options.keptPaths.has(unescapeSegment(decodeURIComponent(path))))) {
        throw new SpecToolError(
          `${options.label}: $ref ${JSON.stringify(ref)} at ${pointer(...where)} points outside components and outside the covered operations; ` +
            'the cut cannot keep it (move the target into components)',
        );
      }
    });
  }
  return kept;
}

/**
 * The document cut to the covered operations: their path items (other methods dropped; shared `parameters`,
 * `servers`, `summary`, `description` and extensions kept), every component they reach through local `$ref`s
 * (schemas, parameters, responses, headers, examples, request bodies, links, callbacks) and the security schemes
 * their or the global `security` names; other paths, `webhooks`, unreferenced components and unused tags are
 * dropped. Keys keep the vendor's order, so the same input always gives the same output. The input is not modified.
 */
export function cutToOperations(document: JsonObject, covers: readonly (string | CoveredOperation)[], label = 'spec'): JsonObject {
  const wanted = covers.map((cover) => (typeof cover === 'string' ? parseCover(cover) : cover));
  if (wanted.length === 0) throw new SpecToolError(`${label}: no covered operations given to cut to`);
  const paths = isObject(document.paths) ? document.paths : {};
  for (const cover of wanted) {
    const item = paths[cover.path];
    if (isObject(item) && isObject(item[cover.method])) continue;
    const methods = isObject(item) ? Object.keys(item).filter(isMethod).map((method) => method.toUpperCase()) : [];
    const hint =
      methods.length > 0
        ? `the path has ${methods.join(', ')} only`
        : `similar paths: ${similarPaths(Object.keys(paths), cover.path).join(', ') || 'none'}`;
    throw new SpecToolError(`${label}: covered operation ${formatCover(cover)} is not in the document (${hint})`);
  }

  const keptPaths = new Set(wanted.map((cover) => cover.path));
  const cutPaths: JsonObject = {};
  for (const [path, item] of Object.entries(paths)) {
    if (!keptPaths.has(path) || !isObject(item)) continue;
    const methods = new Set(wanted.filter((cover) => cover.path === path).map((cover) => cover.method));
    cutPaths[path] = Object.fromEntries(Object.entries(item).filter(([key]) => !isMethod(key) || methods.has(key)));
  }

  const starts = Object.entries(cutPaths).map(([path, item]) => ({ node: item, at: ['paths', path] }));
  const security = [
    { node: document.security, at: ['security'] },
    ...wanted.map((cover) => ({ node: (paths[cover.path] as Record<string, JsonObject>)[cover.method]?.security, at: ['paths', cover.path, cover.method, 'security'] })),
  ];
  const kept = reachableComponents(document, starts, security, { label, keptPaths, strict: true });

  const usedTags = new Set<unknown>();
  for (const item of Object.values(cutPaths)) {
    for (const [key, operation] of Object.entries(item as JsonObject)) {
      if (isMethod(key) && isObject(operation) && Array.isArray(operation.tags)) for (const tag of operation.tags) usedTags.add(tag);
    }
  }

  const result: JsonObject = {};
  for (const [key, value] of Object.entries(document)) {
    if (key === 'paths') result.paths = cutPaths;
    else if (key === 'webhooks') continue;
    else if (key === 'tags' && Array.isArray(value)) {
      const tags = value.filter((tag) => isObject(tag) && usedTags.has(tag.name));
      if (tags.length > 0) result.tags = tags;
    } else if (key === 'components' && isObject(value)) {
      const components: JsonObject = {};
      for (const [type, group] of Object.entries(value)) {
        if (!isObject(group)) continue;
        const entries = Object.entries(group).filter(([name]) => kept.has(`${type}/${name}`));
        if (entries.length > 0) components[type] = Object.fromEntries(entries);
      }
      if (Object.keys(components).length > 0) result.components = components;
    } else result[key] = value;
  }
  return structuredClone(result);
}

/**
 * A fingerprint per operation (`GET /path`): its JSON, its path item's shared fields, and the JSON of every
 * component it reaches. So a change to a component counts against each operation that uses it.
 */
function operationFingerprints(document: JsonObject): Map<string, string> {
  const paths = isObject(document.paths) ? document.paths : {};
  const components = isObject(document.components) ? document.components : {};
  const componentJson = new Map<string, string>();
  const json = (key: string) => {
    let text = componentJson.get(key);
    if (text === undefined) {
      const [type] = key.split('/', 1) as [string];
      const group = components[type];
      text = canonicalJson(isObject(group) ? group[key.slice(type.length + 1)] : undefined);
      componentJson.set(key, text);
    }
    return text;
  };
  const fingerprints = new Map<string, string>();
  for (const [path, item] of Object.entries(paths)) {
    if (!isObject(item)) continue;
    const shared = Object.fromEntries(Object.entries(item).filter(([key]) => !isMethod(key)));
    for (const [method, operation] of Object.entries(item)) {
      if (!isMethod(method) || !isObject(operation)) continue;
      const at = ['paths', path, method];
      const reached = reachableComponents(document, [{ node: { shared, operation }, at }], [{ node: operation.security ?? document.security, at }], {
        label: '',
        keptPaths: new Set(),
        strict: false,
      });
      const parts = [canonicalJson({ shared, operation }), ...[...reached].sort().map((key) => `${key}=${json(key)}`)];
      fingerprints.set(`${method.toUpperCase()} ${path}`, parts.join('\n'));
    }
  }
  return fingerprints;
}

/** Compares two whole documents outside the covered operations (refs are followed into components, not resolved). */
export function outOfScopeChanges(before: JsonObject, after: JsonObject, covers: readonly (string | CoveredOperation)[]): OutOfScopeChanges {
  const covered = new Set(covers.map((cover) => formatCover(typeof cover === 'string' ? parseCover(cover) : cover)));
  const old = operationFingerprints(before);
  const next = operationFingerprints(after);
  const counts: OutOfScopeChanges = { added: 0, removed: 0, changed: 0 };
  for (const [operation, fingerprint] of next) {
    if (covered.has(operation)) continue;
    const previous = old.get(operation);
    if (previous === undefined) counts.added++;
    else if (previous !== fingerprint) counts.changed++;
  }
  for (const operation of old.keys()) if (!covered.has(operation) && !next.has(operation)) counts.removed++;
  return counts;
}
