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
  // One path that grows and shrinks (a copy per node costs more than the walk on a ~900 KB document), and each
  // distinct ref looked up once.
  const at: string[] = [];
  const resolved = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (let index = 0; index < node.length; index++) {
        at.push(String(index));
        visit(node[index]);
        at.pop();
      }
      return;
    }
    if (!isObject(node)) return;
    const ref = node.$ref;
    if (typeof ref === 'string' && !resolved.has(ref)) {
      if (!ref.startsWith('#')) {
        throw new SpecToolError(
          `${label}: external $ref ${JSON.stringify(ref)} at ${pointer(...at)} is not supported by diffDocuments, which compares bundled documents: load each side with loadSide() or bundleSpec(), which resolve external $refs`,
        );
      }
      if (lookup(document, ref) === undefined) {
        throw new SpecToolError(`${label}: unresolvable $ref ${JSON.stringify(ref)} at ${pointer(...at)}`);
      }
      resolved.add(ref);
    }
    for (const key in node) {
      at.push(key);
      visit(node[key]);
      at.pop();
    }
  };
  visit(document);
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
