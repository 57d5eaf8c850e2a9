import { isObject, type JsonObject } from '../../load.js';
import { canonicalJson } from '../../canonical-json.js';
import { accessOf } from '../normalize.js';
import { deref, SameNodes } from '../refs.js';
import { rule, type RuleId } from '../rules.js';
import type { SpecChange } from '../types.js';

/**
 * The side a schema or body is compared on, from the client's point of view: `request` is what the client sends,
 * `response` what it receives (in a webhook or callback the server sends the request, so the sides swap).
 */
export type Side = 'request' | 'response';

export const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

export type Segments = (string | number)[];

/** A change found inside a schema, relative to where the comparison started (so it can be cached per $ref pair). */
export interface RelativeChange {
  rule: RuleId;
  /** JSON pointer suffix below the schema where the comparison started. */
  at: string;
  /** Property path below that schema, e.g. `payload.status` (empty at the root). */
  field: string;
  detail: string;
  /** Set when the change is something removed: its pointer is then read in the old document. */
  inOld?: true;
}

interface Access {
  readOnly: boolean;
  writeOnly: boolean;
}
const ACCESS = [
  { readOnly: false, writeOnly: false },
  { readOnly: true, writeOnly: false },
  { readOnly: false, writeOnly: true },
  { readOnly: true, writeOnly: true },
] as const satisfies readonly Access[];

/** State shared by the check modules: the two documents, the changes found so far, the schema cache. */
export class DiffContext {
  readonly changes: SpecChange[] = [];
  /** Schema comparisons between two `$ref`s, cached: large specs reach the same pair from many places. */
  readonly refCache = new Map<string, RelativeChange[]>();
  readonly inProgress = new Set<string>();
  /** Whether a node of the old document and one of the new are the same, `$ref` targets included (see `SameNodes`). */
  readonly unchanged: SameNodes;

  constructor(
    readonly before: JsonObject,
    readonly after: JsonObject,
  ) {
    this.unchanged = new SameNodes(before, after);
  }

  /**
   * `readOnly`/`writeOnly` per property schema node, one cache per document (the two may share objects whose `$ref`s
   * resolve differently in each): objects' properties are listed again for every comparison that reaches them.
   */
  private readonly access = new Map<(node: unknown) => unknown, Map<object, Access>>();

  readonly resolveBefore = (node: unknown): unknown => deref(this.before, node).value;
  readonly resolveAfter = (node: unknown): unknown => deref(this.after, node).value;

  /** Whether a (possibly referenced) schema is `readOnly` or `writeOnly`, cached. */
  accessOf(node: unknown, resolve: (node: unknown) => unknown): Access {
    if (!isObject(node)) return ACCESS[0];
    let cache = this.access.get(resolve);
    if (cache === undefined) this.access.set(resolve, (cache = new Map<object, Access>()));
    let found = cache.get(node);
    if (found === undefined) {
      const { readOnly, writeOnly } = accessOf(resolve(node), resolve);
      found = ACCESS[(readOnly ? 1 : 0) + (writeOnly ? 2 : 0)] ?? ACCESS[0];
      cache.set(node, found);
    }
    return found;
  }

  /** Records a change; its severity and what it breaks come from the rules catalogue. */
  emit(id: RuleId, pointer: string, operation: string | undefined, message: string): void {
    const { severity, breaks } = rule(id);
    this.changes.push({ rule: id, severity, breaks, pointer, operation, message });
  }
}

export const list = (values: Iterable<unknown>): string =>
  [...values].map((value) => (typeof value === 'string' ? `'${value}'` : canonicalJson(value))).join(', ');

export const objectOr = (value: unknown): JsonObject => (isObject(value) ? value : {});

export const sameJson = (a: unknown, b: unknown): boolean => a === b || canonicalJson(a) === canonicalJson(b);
