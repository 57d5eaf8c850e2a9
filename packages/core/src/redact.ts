/**
 * The one redaction boundary. Everything that comes from the network (body values and keys, headers, the
 * status text, the causes of failures) and everything taken from a caller's objects passes through a
 * `Redactor` before it is stored on an error or a status, or printed.
 *
 * The rule, also stated in the README's "Security and failure guarantees":
 * - a credential of `MIN_SUBSTRING_SECRET_LENGTH` characters or more is replaced wherever it occurs;
 * - a shorter one (real keys never are; test keys often are) is replaced where it stands as a whole word, not
 *   next to a letter or digit, so that a key `ls` does not turn `false` into `fa[REDACTED]e`;
 * - the forms a server may echo it in count too: percent-encoded and JSON-escaped;
 * - text that was cut short (a capped body) also loses a trailing fragment that begins a credential, so a cut
 *   can never leave the first half of one behind.
 */

/** What a credential is replaced with. */
export const REDACTED = '[REDACTED]';

/** Credentials shorter than this are redacted as whole words only (see the rule above). */
export const MIN_SUBSTRING_SECRET_LENGTH = 8;

/** How many distinct credentials a redactor remembers (a credential function may rotate its token). */
const MAX_SECRETS = 64;

/** How many times `text` replaces before it replaces the whole text instead. */
const MAX_ROUNDS = 8;

/** How deep `value` walks into nested objects before giving up on the rest. */
const MAX_DEPTH = 64;

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** The forms a credential can take in text a server sends back. */
function variants(secret: string): string[] {
  // Percent-encoded both ways a URL may carry it (a query-string key): `encodeURIComponent` and the form encoding
  // of `URLSearchParams`, which also encodes `!'()~` and turns spaces into `+`.
  const formEncoded = new URLSearchParams([['', secret]]).toString().slice(1);
  const forms = new Set([secret, encodeURIComponent(secret), formEncoded, JSON.stringify(secret).slice(1, -1)]);
  return [...forms].filter((form) => form.length > 0);
}

type JsonRecord = Record<string, unknown>;

function isPlainObject(value: unknown): value is JsonRecord {
  if (value === null || typeof value !== 'object') return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}

export class Redactor {
  /** Credentials in the order they were last used, oldest first. */
  #secrets: string[] = [];
  #pattern: RegExp | undefined;
  #probe: RegExp | undefined;

  constructor(secrets: Iterable<string> = []) {
    for (const secret of secrets) this.add(secret);
  }

  /** Remembers a credential (a no-op for one already known, or an empty one). */
  add(secret: string): void {
    if (typeof secret !== 'string' || secret === '') return;
    const last = this.#secrets.at(-1);
    if (last === secret) return;
    const index = this.#secrets.indexOf(secret);
    if (index !== -1) this.#secrets.splice(index, 1);
    this.#secrets.push(secret);
    if (this.#secrets.length > MAX_SECRETS) this.#secrets.shift();
    if (index === -1) this.#compile();
  }

  /** Whether any credential is known. */
  get active(): boolean {
    return this.#secrets.length > 0;
  }

  #compile(): void {
    const forms = [...new Set(this.#secrets.flatMap(variants))].sort((a, b) => b.length - a.length);
    const source = forms
      .map((form) =>
        form.length >= MIN_SUBSTRING_SECRET_LENGTH ? escapeRegExp(form) : `(?<![A-Za-z0-9])${escapeRegExp(form)}(?![A-Za-z0-9])`,
      )
      .join('|');
    this.#pattern = forms.length === 0 ? undefined : new RegExp(source, 'g');
    this.#probe = forms.length === 0 ? undefined : new RegExp(source);
  }

  /** Whether `text` may hold a credential: `false` means it certainly holds none in plain form. */
  mayContain(text: string): boolean {
    return this.#probe !== undefined && this.#probe.test(text);
  }

  /**
   * Text with every credential replaced. `cut: true` says the text was cut short: a trailing fragment that
   * begins a credential is replaced too.
   */
  text(input: string, options: { cut?: boolean } = {}): string {
    const pattern = this.#pattern;
    const probe = this.#probe;
    if (pattern === undefined || probe === undefined) return input;
    let output = input;
    // A server that knows the credential can put text around it so that the marker completes it again
    // (`abcdefg` + `abcdefg[` → `abcdefg[REDACTED]`): replace until nothing matches, and give up on the text
    // after a few rounds.
    for (let round = 0; probe.test(output); round++) {
      if (round === MAX_ROUNDS) return REDACTED;
      output = output.replace(pattern, REDACTED);
    }
    if (options.cut === true) output = this.#redactTail(output);
    return output;
  }

  #redactTail(text: string): string {
    let longest = 0;
    for (const secret of this.#secrets) {
      for (const form of variants(secret)) {
        for (let length = Math.min(form.length - 1, text.length); length > longest; length--) {
          if (text.endsWith(form.slice(0, length))) {
            longest = length;
            break;
          }
        }
      }
    }
    return longest === 0 ? text : `${text.slice(0, text.length - longest)}${REDACTED}`;
  }

  /**
   * A copy of a JSON-like value with credentials replaced in every string, object key included. Errors inside
   * are cleaned as `error` does; other class instances are kept as they are; cycles and very deep nesting
   * are cut off.
   */
  value<T>(input: T): T {
    if (this.#pattern === undefined) return input;
    return this.#value(input, new WeakSet(), 0) as T;
  }

  /** The cleaned value: `input` itself when nothing in it needed cleaning. */
  #value(input: unknown, seen: WeakSet<object>, depth: number): unknown {
    if (typeof input === 'string') return this.text(input);
    // A credential made of digits comes back from JSON as a number.
    if (typeof input === 'number' || typeof input === 'bigint') {
      const digits = String(input);
      return this.text(digits) === digits ? input : REDACTED;
    }
    if (input === null || typeof input !== 'object') return input;
    if (seen.has(input)) return '[Circular]';
    if (depth >= MAX_DEPTH) return '[Too deep]';
    seen.add(input);
    try {
      if (Array.isArray(input)) {
        const items = input.map((item: unknown) => this.#value(item, seen, depth + 1));
        return items.every((item, index) => item === input[index]) ? input : items;
      }
      if (input instanceof Error) return this.#error(input, seen, depth + 1);
      if (!isPlainObject(input)) return input;
      const entries: [string, unknown][] = [];
      let changed = false;
      for (const [key, inner] of Object.entries(input)) {
        const cleanKey = this.text(key);
        const cleanInner = this.#value(inner, seen, depth + 1);
        changed ||= cleanKey !== key || cleanInner !== inner;
        entries.push([cleanKey, cleanInner]);
      }
      if (!changed) return input;
      const output: JsonRecord = {};
      for (const [key, inner] of entries) {
        // defineProperty, not assignment, so that a key named `__proto__` stays an ordinary key.
        Object.defineProperty(output, key, { value: inner, enumerable: true, writable: true, configurable: true });
      }
      return output;
    } finally {
      seen.delete(input);
    }
  }

  /**
   * An error (or any thrown value) that holds no credential: the error itself when nothing in its message,
   * stack, cause chain or other own properties needs cleaning, otherwise a copy (an `Error` with the same
   * name) whose every part is cleaned.
   */
  error(input: unknown): unknown {
    if (this.#pattern === undefined) return input;
    return this.#value(input, new WeakSet(), 0);
  }

  #error(error: Error, seen: WeakSet<object>, depth: number): Error {
    const parts: [string, unknown, unknown][] = [];
    let changed = false;
    const names = new Set<string>(['message', 'stack', ...Object.getOwnPropertyNames(error)]);
    if ('cause' in error) names.add('cause');
    for (const name of names) {
      let value: unknown;
      try {
        value = (error as unknown as JsonRecord)[name];
      } catch {
        continue;
      }
      const cleaned = this.#value(value, seen, depth);
      if (cleaned !== value) changed = true;
      parts.push([name, value, cleaned]);
    }
    if (!changed) return error;
    const copy = new Error('');
    for (const [name, , cleaned] of parts) {
      if (cleaned === undefined && name !== 'cause') continue;
      Object.defineProperty(copy, name, { value: cleaned, enumerable: name !== 'message' && name !== 'stack', writable: true, configurable: true });
    }
    Object.defineProperty(copy, 'name', { value: error.name, enumerable: false, writable: true, configurable: true });
    return copy;
  }
}

/** Replaces every occurrence of each secret anywhere in `value` (strings and object keys), by the rule above. */
export function redactSecrets<T>(value: T, secrets: Iterable<string>): T {
  return new Redactor(secrets).value(value);
}
