import { dirname, extname, isAbsolute, relative, resolve } from 'node:path';
import type { Document, Source } from '@redocly/openapi-core';
import { SpecToolError } from './errors.js';
import { displayUrl, fetchBounded, FETCH_DEFAULTS } from './fetch.js';
import { isObject, mayReferOutside, parseDocumentText, type JsonObject } from './load.js';

/**
 * Specs split over files. A vendor's document may `$ref` other files (`./schemas/pet.yaml`,
 * `./common.yaml#/components/schemas/Pet`) or URLs; everything else in spec-tools (cut, overlay, diff, generate)
 * works on one document with local refs only. `bundleSpec` turns such a document into that one document, with
 * `@redocly/openapi-core`'s bundler (the same bundler, and the same version, openapi-typescript resolves refs with):
 * each referenced file or URL is read once, whatever it defines moves into `components` under a name derived from the
 * reference (`pet`, `Pet`, `pet-2` when two differ), and every `$ref` to it becomes local. A cycle of schemas across
 * files stays a cycle, of local refs.
 *
 * The bundler (about 0.7 s to load) is imported only when a document has an external `$ref`: a single-file spec
 * never pays for it.
 */

export interface BundleOptions {
  /** How errors name the document. Default: its path or URL. */
  label?: string;
  /** Largest document one URL `$ref` may return, in bytes. Default 50 MB (as `fetch`). */
  maxBytes?: number;
  /** Time for all URL `$ref`s of one document together, redirects and bodies included. Default 60 s (as `fetch`). */
  timeoutMs?: number;
  /** Redirects followed per URL. Default 5 (as `fetch`). */
  maxRedirects?: number;
  /** Most files and URLs one document may pull in, transitively. Default 1000. */
  maxDocuments?: number;
}

export const BUNDLE_DEFAULTS = { ...FETCH_DEFAULTS, maxDocuments: 1000 } as const;

/** A spec with its text, as `readSpecSource` keeps it (the text is what `update` copies into the spec directory). */
export interface SpecText {
  document: JsonObject;
  text: string;
  isJson: boolean;
}

type Core = typeof import('@redocly/openapi-core');

const isUrl = (ref: string): boolean => /^https?:\/\//i.test(ref);

/** True when a `$ref` anywhere in the value points outside its document (`./pet.yaml`, `https://…`), not `#/…`. */
export function hasExternalRefs(value: unknown): boolean {
  // Plain recursion with for…in: every document read goes through this, so it is kept cheap (a few ms for 900 KB).
  if (typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value)) {
    for (const item of value as unknown[]) if (hasExternalRefs(item)) return true;
    return false;
  }
  const node = value as JsonObject;
  if (typeof node.$ref === 'string' && !node.$ref.startsWith('#')) return true;
  for (const key in node) if (hasExternalRefs(node[key])) return true;
  return false;
}

/**
 * The document with every external `$ref` resolved into it, or the same object when it has none. `base` is where
 * the document was read from, a file path or an http(s) URL: relative refs resolve against it. Failures are
 * SpecToolErrors naming the `$ref`, the file and JSON pointer it is written at, and why (no such file, HTTP status,
 * not valid YAML/JSON, nothing at the fragment, a cycle of files that only refer to each other, a limit).
 * The input is never modified; the same input always gives the same output.
 */
export async function bundleSpec(document: JsonObject, base: string, options: BundleOptions = {}): Promise<JsonObject> {
  if (!hasExternalRefs(document)) return document;
  const core = await import('@redocly/openapi-core');
  const rootRef = isUrl(base) ? base : resolve(base);
  const label = options.label ?? show(rootRef);
  // Every document read, by absolute ref, as parsed: to name the `$ref` behind a problem and to find file cycles.
  const files = new Map<string, unknown>([[rootRef, document]]);
  const resolver = boundedResolver(core, files, { ...BUNDLE_DEFAULTS, ...options });
  const root = structuredClone(document);
  hideExternalValues(root);
  let result: Awaited<ReturnType<Core['bundle']>>;
  try {
    result = await core.bundle({
      doc: { source: new core.Source(rootRef, ''), parsed: root },
      // No `extends`: no lint rules, no decorators, nothing read from a redocly.yaml; only the bundler runs.
      config: await core.createConfig({ extends: [] }),
      externalRefResolver: resolver,
      dereference: false,
    });
  } catch (error) {
    const cycle = findRefCycle(files);
    if (cycle !== undefined) {
      throw new SpecToolError(`${label}: $refs across files form a cycle that never reaches a definition: ${cycle.join(' → ')}`);
    }
    throw new SpecToolError(`${label}: cannot bundle the files it references: ${(error as Error).message}`);
  }
  const errors = result.problems.filter((problem) => problem.severity === 'error');
  if (errors.length > 0) {
    const lines = [...new Set(errors.map((problem) => describeProblem(problem, files)))];
    const shown = lines.length > 20 ? [...lines.slice(0, 20), `… and ${lines.length - 20} more`] : lines;
    throw new SpecToolError(
      lines.length === 1 ? `${label}: ${lines[0] ?? ''}` : `${label}: ${lines.length} external $refs cannot be resolved:\n  ${shown.join('\n  ')}`,
    );
  }
  const bundled = result.bundle.parsed as JsonObject;
  restoreExternalValues(bundled);
  // The bundler adds `components` to every document; one that had none and needed none stays without.
  if (document.components === undefined && isObject(bundled.components) && Object.keys(bundled.components).length === 0) delete bundled.components;
  const left = firstExternalRef(bundled);
  if (left !== undefined) {
    throw new SpecToolError(`${label}: $ref ${JSON.stringify(showRef(left.ref))} at ${left.at} was left unresolved by the bundler (is it where OpenAPI allows a $ref?)`);
  }
  return bundled;
}

/**
 * `bundleSpec` for a spec read with its text: when it is bundled, the text becomes the bundled document (JSON,
 * pretty-printed, or YAML, as the source was), so that whoever copies the text copies a document that stands alone.
 */
export async function bundleSpecText(source: SpecText, base: string, options: BundleOptions = {}): Promise<SpecText> {
  if (!mayReferOutside(source.text)) return source;
  const document = await bundleSpec(source.document, base, options);
  if (document === source.document) return source;
  const text = source.isJson ? `${JSON.stringify(document, null, 2)}\n` : (await import('yaml')).stringify(document, { lineWidth: 0 });
  return { document, text, isJson: source.isJson };
}

/** A path as messages show it: relative to the working directory when under it. */
function show(ref: string): string {
  if (isUrl(ref)) return displayUrl(ref);
  const shown = relative(process.cwd(), ref);
  return shown === '' || shown.startsWith('..') || isAbsolute(shown) ? ref : shown;
}

/** A `$ref` as messages show it: a URL without credentials or query (either may carry a token), the fragment kept. */
function showRef(ref: string): string {
  const hash = ref.indexOf('#');
  const uri = hash === -1 ? ref : ref.slice(0, hash);
  const fragment = hash === -1 ? '' : ref.slice(hash);
  return `${isUrl(uri) ? displayUrl(uri) : uri.replace(/\?.*$/, '?…')}${fragment}`;
}

/** Reads files and URLs for the bundler: URLs within the limits of `fetch`, everything parsed as spec-tools parses. */
function boundedResolver(core: Core, files: Map<string, unknown>, limits: Required<Omit<BundleOptions, 'label'>>) {
  const deadline = Date.now() + limits.timeoutMs;
  let read = 0;
  class BoundedResolver extends core.BaseResolver {
    override async loadExternalRef(absoluteRef: string): Promise<Source> {
      if (++read > limits.maxDocuments) throw new Error(`${show(absoluteRef)}: not read: more than ${limits.maxDocuments} files and URLs referenced`);
      if (isUrl(absoluteRef)) {
        const remaining = deadline - Date.now();
        if (remaining <= 0) throw new Error(`${show(absoluteRef)}: not fetched: the URL $refs took more than ${limits.timeoutMs} ms in all`);
        const download = await fetchBounded(absoluteRef, { maxBytes: limits.maxBytes, maxRedirects: limits.maxRedirects, timeoutMs: remaining });
        return new core.Source(absoluteRef, new TextDecoder().decode(download.body), download.contentType ?? undefined);
      }
      try {
        // Loaded here, not at the top: every diff loads this module, most never read another file (src/load.ts says why).
        const { readFile } = await import('node:fs/promises');
        return new core.Source(absoluteRef, await readFile(absoluteRef, 'utf8'));
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'a directory, not a file' : `cannot read file (${code ?? 'unknown error'})`;
        throw new Error(`${show(absoluteRef)}: ${why}`, { cause: error });
      }
    }

    override parseDocument(source: Source, isRoot = false): Document {
      const name = isUrl(source.absoluteRef) ? new URL(source.absoluteRef).pathname : source.absoluteRef;
      const extension = extname(name).toLowerCase();
      // As Redocly does: a file that is neither JSON nor YAML (a Markdown description) is referenced as text.
      if (!['.json', '.yaml', '.yml'].includes(extension) && !/json|yaml|openapi/.test(source.mimeType ?? '') && !isRoot) {
        return { source, parsed: source.body };
      }
      // parseDocumentText parses strictly as JSON when the label ends in .json, and throws a SpecToolError naming the
      // file, which the bundler reports against the `$ref`.
      const shown = show(source.absoluteRef);
      const parsed = parseDocumentText(source.body, extension === '.json' && !shown.toLowerCase().endsWith('.json') ? `${shown} (as document.json)` : shown);
      hideExternalValues(parsed);
      files.set(source.absoluteRef, parsed);
      return { source, parsed };
    }
  }
  return new BoundedResolver();
}

// The bundler also downloads an example's `externalValue` and inlines it as `value`. That is not a `$ref` (it may name
// any URL, often on the vendor's site) and inlining it changes the document, so it is hidden from the bundler under
// this key and put back afterwards.
const HIDDEN_EXTERNAL_VALUE = 'x-upstat-bundle-external-value';

function renameKey(node: JsonObject, from: string, to: string): void {
  const entries = Object.entries(node);
  for (const [key] of entries) Reflect.deleteProperty(node, key);
  for (const [key, value] of entries) node[key === from ? to : key] = value;
}

function hideExternalValues(value: unknown): void {
  walkObjects(value, (node) => {
    if (typeof node.externalValue === 'string') renameKey(node, 'externalValue', HIDDEN_EXTERNAL_VALUE);
  });
}

function restoreExternalValues(value: unknown): void {
  walkObjects(value, (node) => {
    if (HIDDEN_EXTERNAL_VALUE in node) renameKey(node, HIDDEN_EXTERNAL_VALUE, 'externalValue');
  });
}

/** Calls `visit` on every object once (bundled documents share nodes). */
function walkObjects(value: unknown, visit: (node: JsonObject) => void): void {
  const seen = new Set<object>();
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const node = stack.pop();
    if (node === null || typeof node !== 'object' || seen.has(node)) continue;
    seen.add(node);
    if (Array.isArray(node)) stack.push(...(node as unknown[]));
    else {
      const object = node as JsonObject;
      visit(object);
      stack.push(...Object.values(object));
    }
  }
}

/** The value at a JSON pointer fragment (`#/a/b~1c` or `/a/b~1c`), or undefined. */
function at(document: unknown, fragment: string): unknown {
  const path = fragment.replace(/^#/, '');
  if (path === '' || path === '/') return document;
  let node = document;
  for (const raw of path.replace(/^\//, '').split('/')) {
    let key = raw;
    try {
      key = decodeURIComponent(raw);
    } catch {
      // Not percent-encoded: the segment is used as written.
    }
    key = key.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node)) node = node[Number(key)];
    else if (isObject(node)) node = node[key];
    else return undefined;
  }
  return node;
}

/** Where a `$ref` leads: the absolute ref of its document (as the bundler resolves it) and the fragment. */
function target(from: string, ref: string): { file: string; fragment: string } {
  const hash = ref.indexOf('#');
  const uri = hash === -1 ? ref : ref.slice(0, hash);
  const fragment = hash === -1 ? '' : ref.slice(hash);
  if (uri === '') return { file: from, fragment };
  if (isUrl(uri)) return { file: uri, fragment };
  if (isUrl(from)) return { file: new URL(uri, from).href, fragment };
  return { file: resolve(dirname(from), uri), fragment };
}

interface Problem {
  message: string;
  location: { source: { absoluteRef: string }; pointer?: string | undefined }[];
}

/** `$ref "./x.yaml" at openapi.yaml#/paths/…/schema: x.yaml: no such file`. */
function describeProblem(problem: Problem, files: Map<string, unknown>): string {
  const location = problem.location[0];
  if (location === undefined) return problem.message;
  const where = `${show(location.source.absoluteRef)}${location.pointer ?? ''}`;
  const node = location.pointer === undefined ? undefined : at(files.get(location.source.absoluteRef), location.pointer);
  const ref = isObject(node) && typeof node.$ref === 'string' ? node.$ref : undefined;
  const detail = problem.message.replace(/^Can't resolve \$ref:?\s*/, '');
  if (ref === undefined) return `${where}: ${problem.message}`;
  const reason = detail !== '' ? detail : `${show(target(location.source.absoluteRef, ref).file)} has nothing at ${target(location.source.absoluteRef, ref).fragment || '#'}`;
  return `$ref ${JSON.stringify(showRef(ref))} at ${where}: ${reason}`;
}

/** A chain of refs that only point at refs and comes back to its start (`a.yaml → b.yaml → a.yaml`), if any. */
function findRefCycle(files: Map<string, unknown>): string[] | undefined {
  const pureRef = (node: unknown): node is { $ref: string } => isObject(node) && typeof node.$ref === 'string' && Object.keys(node).length === 1;
  for (const [file, parsed] of files) {
    let found: string[] | undefined;
    walkObjects(parsed, (node) => {
      if (found !== undefined || !pureRef(node)) return;
      const chain: string[] = [];
      let current: { file: string; fragment: string } = target(file, node.$ref);
      for (;;) {
        const id = `${show(current.file)}${current.fragment}`;
        const index = chain.indexOf(id);
        if (index !== -1) {
          found = [...chain.slice(index), id];
          return;
        }
        chain.push(id);
        const next = at(files.get(current.file), current.fragment);
        if (!pureRef(next)) return;
        current = target(current.file, next.$ref);
      }
    });
    if (found !== undefined) return found;
  }
  return undefined;
}

/** The first external `$ref` left in a document, with its JSON pointer. */
function firstExternalRef(document: JsonObject): { ref: string; at: string } | undefined {
  const seen = new Set<object>();
  const stack: { node: unknown; path: string }[] = [{ node: document, path: '#' }];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const { node, path } = item;
    if (node === null || typeof node !== 'object' || seen.has(node)) continue;
    seen.add(node);
    if (Array.isArray(node)) {
      node.forEach((child: unknown, index) => stack.push({ node: child, path: `${path}/${index}` }));
      continue;
    }
    const object = node as JsonObject;
    if (typeof object.$ref === 'string' && !object.$ref.startsWith('#')) return { ref: object.$ref, at: path };
    for (const [key, child] of Object.entries(object)) stack.push({ node: child, path: `${path}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}` });
  }
  return undefined;
}
