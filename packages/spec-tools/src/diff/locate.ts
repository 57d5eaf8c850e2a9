import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Document, LineCounter, Node as YamlNode } from 'yaml';
import { isObject, loadYaml, type JsonObject } from '../load.js';
import { escapeSegment, unescapeSegment } from './pointer.js';
import type { SpecChange } from './types.js';

/**
 * Where a change is in the files a spec was written in: `--format github` and `--format junit` point at them. A
 * change's pointer is in the document the diff compared, which is bundled (a spec split over files becomes one
 * document, src/bundle.ts) and reaches schemas through the operation (`/paths/…/schema/properties/name`, however many
 * `$ref`s lie between). So a pointer is located by walking it through the files as written, parsed with their source
 * ranges: where the walk meets a `$ref`, it follows it as the diff does (`deref` in refs.ts), into the same file or
 * the file it names, and carries on there. The bundler keeps no record of where a component came from, so a pointer
 * into a component the bundler created (`/components/schemas/pet`, from `./schemas/pet.yaml`) is located through a
 * `$ref` to it in the bundled document: the same place in the written files holds the `$ref` to that file.
 *
 * A pointer that cannot be walked to its end (an overlay added the node, a URL `$ref`, a keyword the diff normalised)
 * gives its nearest ancestor that could be: never a line the change is not under. Nothing here is loaded, and no
 * file read or parsed, unless a format asks for places.
 */

/** A place in a spec's source: an absolute file path and a 1-based line. */
export interface SourcePlace {
  file: string;
  line: number;
}

/** One side of a diff, as the locator needs it. */
export interface LocatableSide {
  /** The file the side was read from (absolute); undefined when it has none (a URL): then no place is given. */
  file?: string | undefined;
  /** The document the diff compared: where a component's `$ref`s are looked for. */
  document: JsonObject;
}

/** A pointer's place, and how much of the pointer the walk could follow (`exact`: all of it). */
export interface Located {
  place: SourcePlace;
  exact: boolean;
  depth: number;
}

interface SourceFile {
  doc: Document.Parsed;
  lines: LineCounter;
  text: string;
}

/** Where a walk stands: a node of a file, and the line that names it (its key's, or its own for an array item). */
interface Step {
  file: string;
  source: SourceFile;
  node: unknown;
  line: number;
}

/** How many `$ref`s in a row a walk follows before it gives up (a cycle of references that never reaches a value). */
const MAX_HOPS = 64;

/** Pointer segments, unescaped (RFC 6901). */
function segmentsOf(pointer: string): string[] {
  if (pointer === '' || pointer === '/') return [];
  return pointer.replace(/^\//, '').split('/').map(unescapeSegment);
}

/** Locates the pointers of one side of a diff in the files it was read from. */
export class SideLocator {
  private readonly sources = new Map<string, SourceFile | undefined>();
  /** Components the bundler created, by `type/name`: where they were written (undefined while being looked for). */
  private readonly components = new Map<string, Step | undefined>();
  private refIndex: Map<string, string[]> | undefined;
  /** Files that could not be read or parsed, once each, for the caller to report. */
  readonly problems: string[] = [];

  constructor(private readonly side: LocatableSide) {}

  locate(pointer: string): Located | undefined {
    if (this.side.file === undefined) return undefined;
    const root = this.rootStep(this.side.file);
    if (root === undefined) return undefined;
    const segments = segmentsOf(pointer);
    const walked = this.walkBundled(root, segments);
    return { place: { file: walked.step.file, line: walked.step.line }, exact: walked.depth === segments.length, depth: walked.depth };
  }

  /** Walks as far down `segments` as the files allow. */
  private walk(start: Step, segments: readonly string[]): { step: Step; depth: number } {
    let step = start;
    let depth = 0;
    for (const segment of segments) {
      const next = this.child(step, segment);
      if (next === undefined) break;
      step = next;
      depth++;
    }
    return { step, depth };
  }

  private child(step: Step, segment: string): Step | undefined {
    const at = this.follow(step);
    if (at === undefined) return undefined;
    const yaml = loadYaml();
    const node = at.node;
    if (yaml.isMap(node)) {
      for (const pair of node.items) {
        if (!this.keyIs(at.source, pair.key, segment)) continue;
        const key = yaml.isNode(pair.key) ? pair.key : undefined;
        return { ...at, node: pair.value, line: this.lineOf(at.source, key ?? pair.value) ?? at.line };
      }
      return undefined;
    }
    if (yaml.isSeq(node) && /^(0|[1-9]\d*)$/.test(segment)) {
      const item = node.items[Number(segment)];
      if (item === undefined) return undefined;
      return { ...at, node: item, line: this.lineOf(at.source, item) ?? at.line };
    }
    return undefined;
  }

  /** The step itself, or what its `$ref`s lead to (aliases resolved); undefined when a `$ref` cannot be followed. */
  private follow(step: Step): Step | undefined {
    const yaml = loadYaml();
    let current = step;
    for (let hops = 0; hops < MAX_HOPS; hops++) {
      let node = current.node;
      if (yaml.isAlias(node)) node = node.resolve(current.source.doc);
      if (!yaml.isMap(node)) return { ...current, node };
      const ref = node.get('$ref');
      if (typeof ref !== 'string') return { ...current, node };
      const target = this.target(current.file, ref);
      if (target === undefined) return undefined;
      current = target;
    }
    return undefined;
  }

  /** Where a `$ref` written in `file` leads; undefined for a URL (never fetched here) or nothing there. */
  private target(file: string, ref: string): Step | undefined {
    const hash = ref.indexOf('#');
    const uri = hash === -1 ? ref : ref.slice(0, hash);
    const fragment = hash === -1 ? '' : ref.slice(hash + 1);
    if (/^[a-z][a-z\d+.-]*:/i.test(uri)) return undefined;
    const path = uri === '' ? file : resolve(dirname(file), decoded(uri));
    let step = this.rootStep(path);
    if (step === undefined || (fragment !== '' && !fragment.startsWith('/'))) return undefined;
    // Through a `$ref` met on the way, as the walk goes (the bundler resolves such fragments too).
    for (const segment of segmentsOf(decoded(fragment))) {
      const next: Step | undefined = this.child(step, segment);
      if (next === undefined) return undefined;
      step = next;
    }
    return step;
  }

  private rootStep(file: string): Step | undefined {
    const source = this.source(file);
    if (source === undefined) return undefined;
    const contents = source.doc.contents;
    return { file, source, node: contents, line: this.lineOf(source, contents) ?? 1 };
  }

  private source(file: string): SourceFile | undefined {
    if (this.sources.has(file)) return this.sources.get(file);
    let found: SourceFile | undefined;
    try {
      const text = readFileSync(file, 'utf8');
      const yaml = loadYaml();
      const lines = new yaml.LineCounter();
      // JSON is YAML: one parser, with source ranges, for both. A repeated key is not an error here (the loader decides).
      const doc = yaml.parseDocument(text, { lineCounter: lines, uniqueKeys: false });
      if (doc.errors.length > 0) this.problems.push(`${file}: not parsed for line numbers: ${doc.errors[0]?.message ?? 'unknown error'}`);
      else found = { doc, lines, text };
    } catch (error) {
      this.problems.push(`${file}: not read for line numbers: ${(error as Error).message}`);
    }
    this.sources.set(file, found);
    return found;
  }

  private keyIs(source: SourceFile, key: unknown, segment: string): boolean {
    const yaml = loadYaml();
    if (!yaml.isScalar(key)) return false;
    if (String(key.value) === segment) return true;
    // A plain key YAML reads as a number (`1.0`, `0x1F`) is named in pointers as written.
    const range = key.range;
    return key.type === 'PLAIN' && range !== undefined && range !== null && source.text.slice(range[0], range[1]) === segment;
  }

  private lineOf(source: SourceFile, node: unknown): number | undefined {
    const range = loadYaml().isNode(node) ? (node as YamlNode).range : undefined;
    return range === undefined || range === null ? undefined : source.lines.linePos(range[0]).line;
  }

  /**
   * Where a component the bundler made was written: found through a `$ref` to it in the bundled document, whose
   * place in the written files holds the `$ref` to the file (and fragment) it came from.
   */
  private bundledComponent(type: string, name: string): Step | undefined {
    const key = `${escapeSegment(type)}/${escapeSegment(name)}`;
    // Marked before the search: a component reached only from inside itself is not looked for again.
    if (this.components.has(key)) return this.components.get(key);
    this.components.set(key, undefined);
    const referrer = this.referrers().get(`#/components/${key}`);
    let found: Step | undefined;
    if (referrer !== undefined && this.side.file !== undefined) {
      const root = this.rootStep(this.side.file);
      const holder = root === undefined ? undefined : this.locateStep(root, referrer);
      if (holder !== undefined) {
        const origin = this.follow(holder);
        // Only a `$ref` that left the holder counts: otherwise the holder is not the bundler's rewritten reference.
        if (origin !== undefined && origin.node !== holder.node) found = origin;
      }
    }
    this.components.set(key, found);
    return found;
  }

  /** Like `locate`, but only a walk to the end counts, and gives the step itself. */
  private locateStep(root: Step, segments: readonly string[]): Step | undefined {
    const walked = this.walkBundled(root, segments);
    return walked.depth === segments.length ? walked.step : undefined;
  }

  /** `walk`, and where it stops short of a component the bundler made, on from the file that component came from. */
  private walkBundled(root: Step, segments: readonly string[]): { step: Step; depth: number } {
    const walked = this.walk(root, segments);
    if (walked.depth >= 3 || segments.length < 3 || segments[0] !== 'components') return walked;
    const origin = this.bundledComponent(segments[1] ?? '', segments[2] ?? '');
    if (origin === undefined) return walked;
    const rest = this.walk(origin, segments.slice(3));
    return { step: rest.step, depth: 3 + rest.depth };
  }

  /** Every local `$ref` of the bundled document, with the first place (pointer segments) that holds it. */
  private referrers(): Map<string, string[]> {
    if (this.refIndex !== undefined) return this.refIndex;
    const index = new Map<string, string[]>();
    const seen = new Set<object>();
    const visit = (node: unknown, path: string[]): void => {
      if (node === null || typeof node !== 'object' || seen.has(node)) return;
      seen.add(node);
      if (Array.isArray(node)) {
        node.forEach((item: unknown, i) => {
          visit(item, [...path, String(i)]);
        });
        return;
      }
      const object = node as JsonObject;
      if (typeof object.$ref === 'string' && object.$ref.startsWith('#') && !index.has(object.$ref)) index.set(object.$ref, path);
      for (const [key, value] of Object.entries(object)) if (isObject(value) || Array.isArray(value)) visit(value, [...path, key]);
    };
    visit(this.side.document, []);
    this.refIndex = index;
    return index;
  }
}

function decoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    // Not percent-encoded: used as written.
    return text;
  }
}

/** Whether a rule's pointer is in the old document (something that is gone); the rest point into the new one. */
const inOld = (rule: string): boolean => rule.endsWith('-removed');

/**
 * Places changes in the two sides' files. A change's pointer is in the new document, or in the old one for
 * something removed (`SpecChange.pointer`): the side named by the rule is tried first (a rule id ending in
 * `-removed` means the old side), the other if the pointer is not there, and when neither has all of it, the side
 * where more of it was found.
 */
export function createLocator(before: LocatableSide, after: LocatableSide): { place: (change: SpecChange) => SourcePlace | undefined; problems: () => string[] } {
  const old = new SideLocator(before);
  const current = new SideLocator(after);
  return {
    place(change) {
      const order = inOld(change.rule) ? [old, current] : [current, old];
      let best: Located | undefined;
      for (const locator of order) {
        const found = locator.locate(change.pointer);
        if (found?.exact) return found.place;
        if (found !== undefined && (best === undefined || found.depth > best.depth)) best = found;
      }
      return best?.place;
    },
    problems: () => [...old.problems, ...current.problems],
  };
}
