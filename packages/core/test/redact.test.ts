/**
 * The redaction rule, unit by unit: what a `Redactor` replaces (long credentials anywhere, short ones as
 * whole words, their percent-encoded and JSON-escaped forms, a trailing fragment of cut text), where it
 * looks (strings, object keys, nested values, errors and their causes) and what it leaves alone.
 */
import { inspect } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MIN_SUBSTRING_SECRET_LENGTH, REDACTED, Redactor, redactSecrets } from '../src/redact.js';

const R = '[REDACTED]';
/** 24 characters, long enough to be replaced anywhere. */
const KEY = 'sk_live_4eC39HqLyjWDarjt';

/** Every text a person or a log could see of a value. */
function views(value: unknown): string[] {
  const texts = [inspect(value, { depth: Infinity }), inspect(value, { depth: Infinity, showHidden: true })];
  try {
    const json = JSON.stringify(value) as unknown;
    texts.push(typeof json === 'string' ? json : '');
  } catch {
    // A cycle: inspect above still shows everything.
  }
  if (value instanceof Error) texts.push(value.message, String(value), value.stack ?? '');
  return texts;
}

function expectAbsent(value: unknown, secret: string): void {
  for (const text of views(value)) expect(text).not.toContain(secret);
}

describe('the replacement marker and the length rule', () => {
  it('replaces with [REDACTED]; credentials of 8 characters or more are replaced anywhere', () => {
    expect(REDACTED).toBe(R);
    expect(MIN_SUBSTRING_SECRET_LENGTH).toBe(8);
    expect(redactSecrets('abcd1234', ['abcd1234'])).toBe(R);
    expect(redactSecrets('xxabcd1234yy', ['abcd1234'])).toBe(`xx${R}yy`);
    expect(redactSecrets('9abcd12349', ['abcd1234'])).toBe(`9${R}9`);
  });

  it('replaces a 7-character credential only as a whole word', () => {
    expect(redactSecrets('xxabcd123yy', ['abcd123'])).toBe('xxabcd123yy');
    expect(redactSecrets('xx abcd123 yy', ['abcd123'])).toBe(`xx ${R} yy`);
  });

  it('replaces every occurrence of a long credential, adjacent ones included', () => {
    expect(redactSecrets(`${KEY}${KEY}-${KEY}`, [KEY])).toBe(`${R}${R}-${R}`);
  });

  it('leaves everything alone when it knows no credential, and ignores an empty one', () => {
    const body = { a: 'false', b: [''] };
    expect(redactSecrets(body, [])).toBe(body);
    expect(redactSecrets(body, [''])).toBe(body);
    expect(new Redactor().text('anything')).toBe('anything');
    expect(new Redactor([''].values()).active).toBe(false);
    expect(new Redactor([KEY]).active).toBe(true);
  });
});

describe('short credentials: whole words only', () => {
  const redactor = new Redactor(['ls']);

  it.each(['false', 'fails', 'also', 'else ls2 lsx xls 4ls', 'tools, pulse and falsely'])('leaves %j intact', (text) => {
    expect(redactor.text(text)).toBe(text);
  });

  it.each([
    ['Bearer ls', `Bearer ${R}`],
    ['"ls"', `"${R}"`],
    ['ls:', `${R}:`],
    ['ls', R],
    ['key=ls&x=1', `key=${R}&x=1`],
    ['(ls) [ls] {ls} <ls>', `(${R}) [${R}] {${R}} <${R}>`],
    ['false: Bearer ls, also ls.', `false: Bearer ${R}, also ${R}.`],
  ])('replaces it in %j', (text, expected) => {
    expect(redactor.text(text)).toBe(expected);
  });

  it('replaces it as an object key and as a value, and leaves words that contain it', () => {
    expect(redactor.value({ ls: 1, false: 'also', nested: { detail: 'Bearer ls', list: ['ls', 'fails'] } })).toEqual({
      [R]: 1,
      false: 'also',
      nested: { detail: `Bearer ${R}`, list: [R, 'fails'] },
    });
  });

  it('replaces it inside a JSON text: key and quoted value', () => {
    expect(redactor.text('{"ls": 1, "note": "false"}')).toBe(`{"${R}": 1, "note": "false"}`);
  });

  it('treats only ASCII letters and digits as part of a word', () => {
    expect(redactor.text('ls_x -ls- é ls')).toBe(`${R}_x -${R}- é ${R}`);
  });
});

describe('where it looks: keys, nesting, cycles', () => {
  it('replaces credentials in object keys and in nested arrays and objects, without touching the input', () => {
    const input = {
      [KEY]: 'key',
      list: [KEY, [`Bearer ${KEY}`, { deep: [{ [`x-${KEY}`]: KEY }] }]],
      n: 1,
      ok: true,
      none: null,
    };
    const snapshot = JSON.stringify(input);
    const output = redactSecrets(input, [KEY]);
    expect(output).toEqual({
      [R]: 'key',
      list: [R, [`Bearer ${R}`, { deep: [{ [`x-${R}`]: R }] }]],
      n: 1,
      ok: true,
      none: null,
    });
    expect(JSON.stringify(input)).toBe(snapshot);
  });

  it('keeps a "__proto__" key an ordinary key: no prototype change, no pollution, still redacted', () => {
    const input = JSON.parse(`{"__proto__": {"polluted": "${KEY}", "${KEY}": 1}, "a": "${KEY}"}`) as Record<string, unknown>;
    const output = redactSecrets(input, [KEY]);
    expect(Object.getPrototypeOf(output)).toBe(Object.prototype);
    expect(Object.keys(output)).toEqual(['__proto__', 'a']);
    expect(Object.getOwnPropertyDescriptor(output, '__proto__')?.value).toEqual({ polluted: R, [R]: 1 });
    expect(output.a).toBe(R);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((output as { polluted?: unknown }).polluted).toBeUndefined();
  });

  it('replaces a credential in a key named like the prototype too', () => {
    const input = JSON.parse(`{"__proto__${KEY}": 1}`) as Record<string, unknown>;
    expect(Object.keys(redactSecrets(input, [KEY]))).toEqual([`__proto__${R}`]);
  });

  it('ends on cyclic objects and arrays, still redacting what it reaches', async () => {
    const object: Record<string, unknown> = { token: KEY };
    object.self = object;
    const list: unknown[] = [KEY];
    list.push(list, { back: list });
    object.list = list;
    const output = await Promise.race([
      Promise.resolve().then(() => redactSecrets(object, [KEY])),
      new Promise<never>((_resolve, reject) => setTimeout(() => {
        reject(new Error('redaction did not end'));
      }, 2_000)),
    ]);
    expect(output.token).toBe(R);
    expect((output.list as unknown[])[0]).toBe(R);
    expectAbsent(output, KEY);
  });

  it('ends on very deep nesting and redacts what it keeps', () => {
    let deep: unknown = KEY;
    for (let level = 0; level < 10_000; level++) deep = { next: deep, [KEY]: level };
    const output = redactSecrets(deep, [KEY]);
    expect(JSON.stringify(output)).not.toContain(KEY);
  });

  it('returns the same value when no string in it holds a credential', () => {
    const clean = { a: 'false', b: ['also'] };
    const redactor = new Redactor([KEY]);
    expect(redactor.value(clean)).toEqual(clean);
    expect(redactor.value(42)).toBe(42);
    expect(redactor.value(null)).toBeNull();
  });
});

describe('encoded forms', () => {
  const special = 'sk/live+key=4eC39Hq%Ly"j\\W';

  it('replaces the percent-encoded form', () => {
    const encoded = encodeURIComponent(special);
    expect(encoded).not.toBe(special);
    expect(redactSecrets(`GET /cb?token=${encoded}&x=1`, [special])).toBe(`GET /cb?token=${R}&x=1`);
  });

  it('replaces the JSON-escaped form in raw text', () => {
    const escaped = JSON.stringify(special).slice(1, -1);
    expect(escaped).not.toBe(special);
    expect(redactSecrets(`{"detail": "bad key ${escaped}"`, [special])).toBe(`{"detail": "bad key ${R}"`);
  });

  it('replaces the plain form in a parsed body whose JSON escaped every character', () => {
    const unicode = Array.from(KEY).map((char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`).join('');
    const parsed = JSON.parse(`{"detail": "bad ${unicode}", "${unicode}": 1}`) as unknown;
    expect(redactSecrets(parsed, [KEY])).toEqual({ detail: `bad ${R}`, [R]: 1 });
  });

  it('replaces the percent-encoded form of a short credential as a whole word only', () => {
    const redactor = new Redactor(['a/b']);
    expect(redactor.text('x=a%2Fb&y=1')).toBe(`x=${R}&y=1`);
    expect(redactor.text('xa%2Fby')).toBe('xa%2Fby');
  });
});

describe('cut text', () => {
  const redactor = new Redactor([KEY]);

  it('replaces a trailing fragment that begins a credential when told the text was cut', () => {
    const text = `prefix ${KEY.slice(0, 5)}`;
    expect(redactor.text(text, { cut: true })).toBe(`prefix ${R}`);
    expect(redactor.text(text)).toBe(text);
  });

  it.each([1, 8, 12, KEY.length - 1])('replaces a trailing fragment of %i characters', (length) => {
    expect(redactor.text(`abc ${KEY.slice(0, length)}`, { cut: true })).toBe(`abc ${R}`);
  });

  it('replaces a trailing fragment of the percent-encoded form', () => {
    const special = 'sk/live+key=4eC39HqLy';
    const encoded = encodeURIComponent(special);
    expect(new Redactor([special]).text(`q=${encoded.slice(0, 9)}`, { cut: true })).toBe(`q=${R}`);
  });

  it('replaces whole credentials and the trailing fragment together', () => {
    expect(redactor.text(`${KEY} and ${KEY.slice(0, 10)}`, { cut: true })).toBe(`${R} and ${R}`);
  });

  it('keeps cut text whose end does not begin a credential', () => {
    expect(redactor.text('the end.', { cut: true })).toBe('the end.');
    expect(redactor.text(KEY.slice(1, 10), { cut: true })).toBe(KEY.slice(1, 10));
  });
});

describe('errors', () => {
  const redactor = new Redactor([KEY]);

  it('returns the very same error when nothing in it holds a credential', () => {
    const clean = new TypeError('fetch failed', { cause: new Error('other side closed') });
    expect(redactor.error(clean)).toBe(clean);
    const dom = new DOMException('The operation was aborted.', 'AbortError');
    expect(redactor.error(dom)).toBe(dom);
  });

  it('returns the very same clean AggregateError', () => {
    const aggregate = new AggregateError([new Error('a')], 'two');
    expect(redactor.error(aggregate)).toBe(aggregate);
  });

  it('returns the very same clean error when it carries a plain object (as a socket error does)', () => {
    const socketError = Object.assign(new Error('other side closed'), {
      code: 'UND_ERR_SOCKET',
      socket: { localAddress: '127.0.0.1', localPort: 50000, remoteAddress: '127.0.0.1', bytesRead: 0 },
    });
    const clean = new TypeError('terminated', { cause: socketError });
    expect(redactor.error(clean)).toBe(clean);
  });

  it('passes non-error thrown values through the same rules', () => {
    expect(redactor.error(`thrown ${KEY}`)).toBe(`thrown ${R}`);
    expect(redactor.error(undefined)).toBeUndefined();
    expect(redactor.error({ reason: KEY })).toEqual({ reason: R });
  });

  it('returns a cleaned copy with the same name: message, stack and the whole cause chain', () => {
    const root = new DOMException(`socket to ${KEY} closed`, 'NetworkError');
    const middle = new RangeError(`middle ${KEY}`, { cause: root });
    const original = new TypeError(`fetch failed for Bearer ${KEY}`, { cause: middle });
    const copy = redactor.error(original) as Error;
    expect(copy).not.toBe(original);
    expect(copy).toBeInstanceOf(Error);
    expect(copy.name).toBe('TypeError');
    expect(copy.message).toBe(`fetch failed for Bearer ${R}`);
    expect(copy.stack).toContain(`fetch failed for Bearer ${R}`);
    const cause = copy.cause as Error;
    expect(cause.name).toBe('RangeError');
    expect(cause.message).toBe(`middle ${R}`);
    const rootCopy = cause.cause as Error;
    expect(rootCopy.name).toBe('NetworkError');
    expect(rootCopy.message).toBe(`socket to ${R} closed`);
    for (const error of [copy, cause, rootCopy]) expectAbsent(error, KEY);
    // The original is the caller's: it is not changed.
    expect(original.message).toContain(KEY);
    expect(root.message).toContain(KEY);
  });

  it('cleans a DOMException cause (message from its prototype, own stack)', () => {
    const original = new Error('attempt failed', { cause: new DOMException(`timed out talking to ${KEY}`, 'TimeoutError') });
    const copy = redactor.error(original) as Error;
    expect(copy).not.toBe(original);
    expect(copy.message).toBe('attempt failed');
    expect((copy.cause as Error).name).toBe('TimeoutError');
    expect((copy.cause as Error).message).toBe(`timed out talking to ${R}`);
    expectAbsent(copy, KEY);
  });

  it('cleans an AggregateError: its message, its errors and its cause', () => {
    const original = new AggregateError([new Error(`first ${KEY}`), new Error('second')], `all failed: ${KEY}`, {
      cause: new DOMException(`aborted ${KEY}`, 'AbortError'),
    });
    const copy = redactor.error(original) as AggregateError;
    expect(copy).not.toBe(original);
    expect(copy.name).toBe('AggregateError');
    expect(copy.message).toBe(`all failed: ${R}`);
    expect(copy.errors.map((error: Error) => error.message)).toEqual([`first ${R}`, 'second']);
    expect((copy.cause as Error).message).toBe(`aborted ${R}`);
    expectAbsent(copy, KEY);
  });

  it('cleans other own properties an error carries (a parser error quoting the bytes it read)', () => {
    const parserError = Object.assign(new Error('Response does not match the HTTP/1.1 protocol'), {
      code: 'HPE_INVALID_HEADER_TOKEN',
      data: `\u0001${KEY}\r\n\r\nbody`,
    });
    const original = new TypeError('fetch failed', { cause: parserError });
    const copy = redactor.error(original) as Error & { cause: { data: string; code: string } };
    expect(copy.cause.data).toBe(`\u0001${R}\r\n\r\nbody`);
    expect(copy.cause.code).toBe('HPE_INVALID_HEADER_TOKEN');
    expectAbsent(copy, KEY);
  });

  it('cleans an error found inside a value', () => {
    const output = redactor.value({ failures: [new Error(`nope ${KEY}`)] });
    expectAbsent(output, KEY);
    expect(output.failures[0]?.message).toBe(`nope ${R}`);
  });
});

describe('a credential function may rotate its token', () => {
  it('remembers every credential it was given', () => {
    const redactor = new Redactor();
    const tokens = Array.from({ length: 10 }, (_, index) => `token-rotating-${String(index).padStart(4, '0')}`);
    for (const token of tokens) redactor.add(token);
    expect(redactor.text(tokens.join(' '))).toBe(tokens.map(() => R).join(' '));
  });
});

describe('adversarial surroundings: the replacement itself never completes a credential', () => {
  // A credential that ends the way the marker begins, or begins the way it ends: a server that knows the
  // credential (it came in the Authorization header) can place text around it so that the marker and
  // the surrounding text spell it again.
  it.each([
    ['ends with "["', 'abcdefg[', (secret: string) => `${secret.slice(0, -1)}${secret}`],
    ['begins with "D]"', 'D]abcdef', (secret: string) => `x${secret}${secret.slice(2)}`],
    ['begins with "]"', ']abcdefgh', (secret: string) => `${secret}${secret.slice(1)}`],
  ])('credential that %s', (_label, secret, build) => {
    const output = redactSecrets(build(secret), [secret]);
    expect(output).not.toContain(secret);
  });
});

/** Visible ASCII, as a credential in a header can be. */
const visible = fc.integer({ min: 0x21, max: 0x7e }).map((code) => String.fromCharCode(code));
const alphanumeric = fc.constantFrom(...Array.from('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'));
const letter = fc.constantFrom(...Array.from('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'));

describe('properties', () => {
  it('a credential of 8 characters or more never survives, whatever surrounds it', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: visible, minLength: 8, maxLength: 40 }),
        fc.array(fc.string({ maxLength: 30 }), { minLength: 1, maxLength: 4 }),
        fc.boolean(),
        (secret, pieces, cut) => {
          const text = pieces.join(secret);
          const output = new Redactor([secret]).text(`${text}${secret}`, { cut });
          expect(output).not.toContain(secret);
          const value = redactSecrets({ [`k${secret}`]: [text, `${secret}${text}`] }, [secret]);
          expect(JSON.stringify(value)).not.toContain(secret);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a short credential inside words never garbles the text', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: alphanumeric, minLength: 1, maxLength: 7 }),
        fc.array(
          fc.tuple(fc.string({ unit: letter, minLength: 1, maxLength: 6 }), fc.string({ unit: letter, minLength: 1, maxLength: 6 })),
          { minLength: 1, maxLength: 5 },
        ),
        (secret, surroundings) => {
          const text = surroundings.map(([before, after]) => `${before}${secret}${after}`).join(' ');
          expect(new Redactor([secret]).text(text)).toBe(text);
          expect(redactSecrets({ detail: text }, [secret])).toEqual({ detail: text });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a short credential standing alone is always replaced', () => {
    fc.assert(
      fc.property(fc.string({ unit: alphanumeric, minLength: 1, maxLength: 7 }), fc.constantFrom(' ', '"', ':', '=', ',', '\n'), (secret, separator) => {
        const output = new Redactor([secret]).text(`${separator}${secret}${separator}${secret}`);
        expect(output).toBe(`${separator}${R}${separator}${R}`);
      }),
      { numRuns: 200 },
    );
  });
});
