import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatRef, InvalidArgumentError, parseRef, PROVIDER_IDS, REF_FIELDS, toRef, type UploadRef } from '../src/index.js';

const identifier = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 });
const anyRef: fc.Arbitrary<UploadRef> = fc.oneof(
  ...PROVIDER_IDS.map((provider) =>
    fc
      .tuple(...REF_FIELDS[provider].map(() => identifier))
      .map((values) => Object.fromEntries([['provider', provider], ...REF_FIELDS[provider].map((field, index) => [field, values[index]])]) as UploadRef),
  ),
);

describe('refs', () => {
  it('parse ∘ format is the identity for every ref, whatever its identifiers contain', () => {
    fc.assert(
      fc.property(anyRef, (ref) => {
        expect(parseRef(formatRef(ref))).toEqual(ref);
      }),
    );
  });

  it('format ∘ parse is the identity for the canonical string form', () => {
    fc.assert(
      fc.property(anyRef, (ref) => {
        const text = formatRef(ref);
        expect(formatRef(parseRef(text))).toBe(text);
      }),
    );
  });

  it.each([
    ['pandadoc:BhVzRcxH9Z2LgfPPGXFUBa/LQ6cUT7xevPLUEgJeF8Zrm', { provider: 'pandadoc', documentId: 'BhVzRcxH9Z2LgfPPGXFUBa', uploadId: 'LQ6cUT7xevPLUEgJeF8Zrm' }],
    ['document360:p-1/t-2', { provider: 'document360', projectId: 'p-1', taskId: 't-2' }],
    ['sendai:team_1/proj_1/upl_1', { provider: 'sendai', teamId: 'team_1', projectId: 'proj_1', uploadId: 'upl_1' }],
    ['nullspace:sb_a1b2c3d4/a%2Fb%3Ac', { provider: 'nullspace', sandboxId: 'sb_a1b2c3d4', uploadId: 'a/b:c' }],
  ])('parses %s', (text, ref) => {
    expect(parseRef(text)).toEqual(ref);
  });

  it.each([
    ['BhVz/LQ6c', 'it has no "<provider>:" prefix'],
    ['dropbox:a/b', 'unknown provider "dropbox"'],
    ['pandadoc:only-one', 'pandadoc needs 2 identifiers (pandadoc:<documentId>/<uploadId>), got 1'],
    ['sendai:a/b', 'sendai needs 3 identifiers (sendai:<teamId>/<projectId>/<uploadId>), got 2'],
    ['nullspace:sb_1/', 'uploadId is empty'],
    ['nullspace:sb_1/%E0%A4%A', 'uploadId has a malformed percent-escape'],
  ])('rejects %j, saying what is wrong and what is expected', (text, problem) => {
    expect(() => parseRef(text)).toThrow(InvalidArgumentError);
    expect(() => parseRef(text)).toThrow(`${JSON.stringify(text)} is not an upload ref: ${problem}; expected one of pandadoc:<documentId>/<uploadId>, document360:<projectId>/<taskId>, sendai:<teamId>/<projectId>/<uploadId>, nullspace:<sandboxId>/<uploadId>`);
  });

  it('checks ref objects too, and drops fields that are not part of the ref', () => {
    expect(() => toRef({ provider: 'pandadoc', documentId: '', uploadId: 'u' })).toThrow('documentId must be a non-empty string');
    expect(() => toRef({ provider: 'box' } as unknown as UploadRef)).toThrow('unknown provider "box"');
    expect(() => toRef(null as unknown as UploadRef)).toThrow('not a ref object or string');
    const extra = { provider: 'nullspace', sandboxId: 's', uploadId: 'u', note: 'x' } as UploadRef;
    expect(toRef(extra)).toEqual({ provider: 'nullspace', sandboxId: 's', uploadId: 'u' });
  });
});
