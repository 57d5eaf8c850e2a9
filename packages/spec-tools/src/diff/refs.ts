import { SpecToolError } from '../errors.js';
import { isObject, type JsonObject } from '../load.js';
import { pointer, unescapeSegment } from './pointer.js';

/** Looks up a local reference (`#/components/schemas/X`) in a document. */
export function lookup(document: JsonObject, ref: string): unknown {
  if (!ref.startsWith('#')) return undefined;
  const path = ref.slice(1);
  if (path === '') return document;
  if (!path.startsWith('/')) return undefined;
  let node: unknown = document;
  for (const raw of path.slice(1).split('/')) {
    const key = unescapeSegment(decodeURIComponent(raw));
    if (Array.isArray(node)) node = node[Number(key)];
    else if (isObject(node)) node = node[key];
    else return undefined;
    if (node === undefined) return undefined;
  }
  return node;
}

/**
 * Checks every `$ref` in a document before any comparison, so a broken document is reported once,
 * precisely, instead of as a confusing diff. Only local references: `loadSide` and `bundleSpec` resolve external ones.
 */
export function assertRefsResolve(document: JsonObject, label: string): void {
  // The walk keeps no path (building one costs more than the walk on a ~900 KB document, and almost every document is
  // sound): a broken reference is found again, with its path, by `locateRef`. Each distinct ref is looked up once.
  const resolved = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const item of node) visit(item);
      return;
    }
    if (!isObject(node)) return;
    const ref = node.$ref;
    if (typeof ref === 'string' && !resolved.has(ref)) {
      if (!ref.startsWith('#')) {
        throw new SpecToolError(
          `${label}: external $ref ${JSON.stringify(ref)} at ${locateRef(document, ref)} is not supported by diffDocuments, which compares bundled documents: load each side with loadSide() or bundleSpec(), which resolve external $refs`,
        );
      }
      if (lookup(document, ref) === undefined) {
        throw new SpecToolError(`${label}: unresolvable $ref ${JSON.stringify(ref)} at ${locateRef(document, ref)}`);
      }
      resolved.add(ref);
    }
    for (const key in node) visit(node[key]);
  };
  visit(document);
}

/** The JSON pointer of the first node (in document order) whose `$ref` is `ref`. */
function locateRef(document: JsonObject, ref: string): string {
  const at: string[] = [];
  const find = (node: unknown): boolean => {
    if (!isObject(node) && !Array.isArray(node)) return false;
    if (isObject(node) && node.$ref === ref) return true;
    for (const key of Object.keys(node)) {
      at.push(key);
      if (find((node as Record<string, unknown>)[key])) return true;
      at.pop();
    }
    return false;
  };
  find(document);
  return pointer(...at);
}

/** Follows `$ref`s until a value that is not a reference (cycles of pure references end in undefined). */
export function deref(document: JsonObject, node: unknown): { value: unknown; ref: string | undefined } {
  let current = node;
  let first: string | undefined;
  const seen = new Set<string>();
  while (isObject(current) && typeof current.$ref === 'string') {
    const ref = current.$ref;
    first ??= ref;
    if (seen.has(ref)) return { value: undefined, ref: first };
    seen.add(ref);
    current = lookup(document, ref);
  }
  return { value: current, ref: first };
}

/**
 * Whether a node of the old document and one of the new are the same: equal JSON, in which every `$ref` names the same
 * target in both documents and that target is itself the same in both (judged once per `$ref`; a reference met again
 * while its own target is being judged counts as different, so a recursive schema is always compared). A comparison of
 * two such nodes can find nothing, and it costs far more than this walk: on a large document whose release changes a
 * few operations, skipping them is most of the diff's time (the spec-tools benchmark).
 */
export class SameNodes {
  private readonly targets = new Map<string, boolean | 'judging'>();

  constructor(
    private readonly before: JsonObject,
    private readonly after: JsonObject,
  ) {}

  same(a: unknown, b: unknown): boolean {
    if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return a === b;
    if (Array.isArray(a)) {
      if (!Array.isArray(b) || a.length !== b.length) return false;
      for (let index = 0; index < a.length; index++) if (!this.same(a[index], b[index])) return false;
      return true;
    }
    if (Array.isArray(b)) return false;
    const old = a as JsonObject;
    const now = b as JsonObject;
    let keys = 0;
    for (const key in old) {
      keys++;
      if (!Object.hasOwn(now, key)) return false;
      if (key === '$ref' && typeof old.$ref === 'string') {
        if (old.$ref !== now.$ref || !this.sameTarget(old.$ref)) return false;
      } else if (!this.same(old[key], now[key])) return false;
    }
    for (const key in now) if (--keys < 0 || !Object.hasOwn(old, key)) return false;
    return keys === 0;
  }

  private sameTarget(ref: string): boolean {
    const known = this.targets.get(ref);
    if (known !== undefined) return known === true;
    this.targets.set(ref, 'judging');
    const result = this.same(lookup(this.before, ref), lookup(this.after, ref));
    this.targets.set(ref, result);
    return result;
  }
}
