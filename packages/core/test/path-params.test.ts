import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../src/errors.js';
import { createPathSerializer, encodePathParameter, MAX_REQUEST_PATH_LENGTH } from '../src/path-params.js';
import { TEST_PROVIDER } from './test-paths.js';

describe('encodePathParameter', () => {
  it.each([
    ['', 'must not be empty'],
    ['.', 'must not be "."'],
    ['..', 'must not be ".."'],
    ['%2e', 'must not be "."'],
    ['%2E%2E', 'must not be ".."'],
    ['.%2e', 'must not be ".."'],
    ['%252e%252E', 'must not be ".."'],
    ['\uD800', 'is not well-formed Unicode'],
  ])('rejects %j, naming the parameter', (value, problem) => {
    expect(() => encodePathParameter(TEST_PROVIDER, 'upload_id', value)).toThrow(InvalidArgumentError);
    expect(() => encodePathParameter(TEST_PROVIDER, 'upload_id', value)).toThrow(`Acme: path parameter "upload_id" ${problem}`);
  });

  it.each([
    [42, 'number 42'],
    [null, 'null'],
    [undefined, 'undefined'],
    [['a'], 'an array'],
    [{ a: 1 }, 'a value of type object'],
    [true, 'boolean true'],
  ])('rejects the non-string %j', (value, described) => {
    expect(() => encodePathParameter(TEST_PROVIDER, 'id', value)).toThrow(`Acme: path parameter "id" must be a string, got ${described}.`);
  });

  it('carries the parameter name and provider on the error', () => {
    const error = (() => {
      try {
        encodePathParameter(TEST_PROVIDER, 'task_id', '..');
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toMatchObject({ argument: 'task_id', provider: 'acme', kind: 'invalid_argument' });
  });

  it('keeps dots that are not a whole segment', () => {
    expect(encodePathParameter(TEST_PROVIDER, 'id', '...')).toBe('...');
    expect(encodePathParameter(TEST_PROVIDER, 'id', 'v1.2')).toBe('v1.2');
  });

  it('encodes any other string into exactly one segment that decodes back to it', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', minLength: 1 }).filter((value) => !['.', '..'].includes(safeDecode(value))),
        (value) => {
          const encoded = encodePathParameter(TEST_PROVIDER, 'id', value);
          expect(encoded).not.toMatch(/[/?#\s]/);
          expect(decodeURIComponent(encoded)).toBe(value);
        },
      ),
    );
  });
});

function safeDecode(value: string): string {
  let current = value;
  for (;;) {
    let next: string;
    try {
      next = decodeURIComponent(current);
    } catch {
      return current;
    }
    if (next === current) return current;
    current = next;
  }
}

describe('createPathSerializer', () => {
  it('fills every template parameter through the guard', () => {
    const serialize = createPathSerializer(TEST_PROVIDER);
    expect(serialize('http://h/a/{x}/b/{y}', { x: 'a b', y: 'c/d' })).toBe('http://h/a/a%20b/b/c%2Fd');
  });

  it(`refuses a request path (base URL path included, origin not) over ${MAX_REQUEST_PATH_LENGTH} characters percent-encoded, naming the longest parameter`, () => {
    const serialize = createPathSerializer(TEST_PROVIDER);
    const prefix = 'https://api.example.test:8443/base/v2';
    // '/base/v2/u/' + the id + '/s/' + 'y': 11 + 3 + 1 characters around the id.
    const fits = 'a'.repeat(MAX_REQUEST_PATH_LENGTH - 15);
    const path = serialize(`${prefix}/u/{x}/s/{y}`, { x: fits, y: 'y' });
    expect(path.length - 'https://api.example.test:8443'.length).toBe(MAX_REQUEST_PATH_LENGTH);
    // One more character, or a space (three once encoded) in place of two.
    for (const x of [`${fits}a`, ` ${fits.slice(2)}`]) {
      expect(() => serialize(`${prefix}/u/{x}/s/{y}`, { x, y: 'y' })).toThrow(InvalidArgumentError);
      expect(() => serialize(`${prefix}/u/{x}/s/{y}`, { x, y: 'y' })).toThrow(
        `Acme: path parameter "x" is too long: it is ${MAX_REQUEST_PATH_LENGTH - 14} characters (percent-encoded), which makes the request path ${MAX_REQUEST_PATH_LENGTH + 1}, over the ${MAX_REQUEST_PATH_LENGTH} HTTP servers must accept (RFC 9110 §4.1).`,
      );
    }
  });

  it('refuses to leave a parameter missing instead of sending "{name}" literally', () => {
    const serialize = createPathSerializer(TEST_PROVIDER);
    expect(() => serialize('http://h/a/{x}/b/{y}', { x: 'a' })).toThrow('path parameter "y" must be a string, got undefined');
    expect(() => serialize('http://h/a/{x}', undefined)).toThrow('path parameter "x"');
  });
});
