import fc from 'fast-check';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { definition as nullspaceDefinition, nullspace, type NullspaceRef } from '@upstat/nullspace';
import { definition as pandadocDefinition, type PandaDocRef } from '@upstat/pandadoc';
import { definition as sendaiDefinition, sendai, type SendaiRef } from '@upstat/sendai';
import { startLocalServer } from '@upstat/test-support';
import { MAX_REQUEST_PATH_LENGTH } from '@upstat/core';
import { createRefCodec, createUpstat, InvalidArgumentError, type ProviderDefinition, type RefOf } from '../src/index.js';
import { DEFINITIONS, everyPlugin, exampleRef, refFormatOf } from './providers.js';

type AnyRef = RefOf<ProviderDefinition>;

/** Every provider's codec, and an instance over every provider (no request is made). */
const codec = createRefCodec(DEFINITIONS);
const instance = createUpstat({ providers: everyPlugin('k', { baseUrl: 'http://127.0.0.1:9' }) });
const CODECS: [string, (text: string) => AnyRef, (ref: AnyRef) => string][] = [
  ['createRefCodec', (text) => codec.parse(text), (ref) => codec.format(ref)],
  ["an instance's parseRef and formatRef", (text) => instance.parseRef(text), (ref) => instance.formatRef(ref)],
];

/** What every message for a bad ref ends with: each provider's string form, written out from its definition. */
const EXPECTED = `expected ${DEFINITIONS.map(refFormatOf).join(', ')} (identifiers percent-encoded where they contain "/", ":" or "%")`;
const IDS = DEFINITIONS.map((definition) => definition.id).join(', ');

const identifier = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 });
const anyRef: fc.Arbitrary<AnyRef> = fc.oneof(
  ...DEFINITIONS.map((definition) => {
    const fields = Object.keys(definition.ref);
    return fc
      .tuple(...fields.map(() => identifier))
      .map((values) => Object.fromEntries([['provider', definition.id], ...fields.map((field, index) => [field, values[index]])]) as AnyRef);
  }),
);

/** The message `action` throws; fails the test when it throws nothing. */
function messageOf(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidArgumentError);
    return (error as Error).message;
  }
  throw new Error('expected an InvalidArgumentError');
}

describe('refs', () => {
  it('there are providers to test', () => {
    expect(DEFINITIONS.length).toBeGreaterThan(0);
  });

  it.each(CODECS)('%s: parse ∘ format is the identity for every ref, whatever its identifiers contain', (_name, parse, format) => {
    fc.assert(
      fc.property(anyRef, (ref) => {
        expect(parse(format(ref))).toEqual(ref);
      }),
    );
  });

  it.each(CODECS)('%s: format ∘ parse is the identity for the canonical string form', (_name, parse, format) => {
    fc.assert(
      fc.property(anyRef, (ref) => {
        const text = format(ref);
        expect(format(parse(text))).toBe(text);
      }),
    );
  });

  it.each(DEFINITIONS.map((definition) => [definition.id, definition] as const))(
    "%s: the example ref's string form is the id, then its fields in the definition's order",
    (_id, definition) => {
      const text = `${definition.id}:${Object.keys(definition.ref)
        .map((field) => encodeURIComponent(definition.example[field] ?? ''))
        .join('/')}`;
      expect(codec.parse(text)).toEqual(exampleRef(definition));
      expect(codec.format(exampleRef(definition))).toBe(text);
      expect(codec.formats[definition.id]).toBe(refFormatOf(definition));
    },
  );

  it('formats has each provider given, and only those', () => {
    expect(codec.formats).toEqual(Object.fromEntries(DEFINITIONS.map((definition) => [definition.id, refFormatOf(definition)])));
    expect(instance.refFormats).toEqual(codec.formats);
    expect(createRefCodec([sendaiDefinition]).formats).toEqual({ sendai: 'sendai:<teamId>/<projectId>/<uploadId>' });
  });

  // The string forms people already have: each provider's fields in their order, percent-decoding included.
  it.each([
    ['pandadoc:BhVzRcxH9Z2LgfPPGXFUBa/LQ6cUT7xevPLUEgJeF8Zrm', { provider: 'pandadoc', documentId: 'BhVzRcxH9Z2LgfPPGXFUBa', uploadId: 'LQ6cUT7xevPLUEgJeF8Zrm' }],
    ['document360:p-1/t-2', { provider: 'document360', projectId: 'p-1', taskId: 't-2' }],
    ['sendai:team_1/proj_1/upl_1', { provider: 'sendai', teamId: 'team_1', projectId: 'proj_1', uploadId: 'upl_1' }],
    ['nullspace:sb_a1b2c3d4/a%2Fb%3Ac', { provider: 'nullspace', sandboxId: 'sb_a1b2c3d4', uploadId: 'a/b:c' }],
  ])('parses %s', (text, ref) => {
    expect(codec.parse(text)).toEqual(ref);
    expect(instance.parseRef(text)).toEqual(ref);
  });

  it.each([
    ['BhVz/LQ6c', 'it has no "<provider>:" prefix'],
    ['pandadoc:only-one', 'pandadoc needs 2 identifiers (pandadoc:<documentId>/<uploadId>), got 1'],
    ['sendai:a/b', 'sendai needs 3 identifiers (sendai:<teamId>/<projectId>/<uploadId>), got 2'],
    ['nullspace:sb_1/', 'uploadId is empty'],
    ['nullspace:sb_1/%E0%A4%A', 'uploadId has a malformed percent-escape'],
  ])('rejects %j, saying what is wrong and what is expected', (text, problem) => {
    expect(() => codec.parse(text)).toThrow(InvalidArgumentError);
    expect(messageOf(() => codec.parse(text))).toBe(`${JSON.stringify(text)} is not an upload ref: ${problem}; ${EXPECTED}.`);
  });

  it('rejects "dropbox:a/b", saying the provider is not one of those given and what is expected', () => {
    expect(() => codec.parse('dropbox:a/b')).toThrow(InvalidArgumentError);
    const message = messageOf(() => codec.parse('dropbox:a/b'));
    expect(message.startsWith(`"dropbox:a/b" is not an upload ref: "dropbox" is not one of the providers given to createUpstat (${IDS}); plug it in: `)).toBe(true);
    expect(message.endsWith(`for a provider of your own; ${EXPECTED}.`)).toBe(true);
  });

  it('names only packages that exist: an id that is no package of upstat\'s is not turned into one', () => {
    const message = messageOf(() => codec.parse('dropbox:a/b'));
    expect(message).not.toContain('dropbox(');
    expect(message).not.toContain('@upstat/dropbox');
    expect(message).toContain('`pluginFor(definition, options)` for a provider of your own');
  });

  it('checks ref objects too, and drops fields that are not part of the ref', () => {
    expect(() => codec.toRef({ provider: 'pandadoc', documentId: '', uploadId: 'u' })).toThrow('documentId must be a non-empty string');
    expect(() => codec.toRef({ provider: 'box' })).toThrow('"box" is not one of the providers given to createUpstat');
    expect(() => codec.toRef(null as unknown as AnyRef)).toThrow('not a ref object or string');
    const extra = { provider: 'nullspace', sandboxId: 's', uploadId: 'u', note: 'x' } as AnyRef;
    expect(codec.toRef(extra)).toEqual({ provider: 'nullspace', sandboxId: 's', uploadId: 'u' });
    expect(codec.format(extra)).toBe('nullspace:s/u');
    expect(() => codec.format({ provider: 'pandadoc', documentId: 'd' })).toThrow('uploadId must be a non-empty string');
    expect(() => instance.formatRef({ provider: 'box' })).toThrow(InvalidArgumentError);
  });

  // An identifier that makes the status request's path longer than servers accept is refused when the ref is read,
  // so that nothing is sent and no durable wait is stored for it. A real server sees the longest path allowed.
  it.each(DEFINITIONS.map((definition) => [definition.id, definition] as const))(
    `%s: a ref whose status path would pass ${MAX_REQUEST_PATH_LENGTH} characters is refused when read; one at the limit reaches the server`,
    async (_id, definition) => {
      const server = await startLocalServer((_request, response) => {
        response.writeHead(404, { 'content-type': 'application/json' }).end('{}');
      });
      try {
        const upstat = createUpstat({ providers: everyPlugin('k', { baseUrl: server.url, retry: { retries: 0 } }) });
        const fields = Object.keys(definition.ref);
        const last = fields[fields.length - 1] ?? '';
        // The example ref with its last identifier padded until the path is exactly at the limit, measured by what
        // the server receives.
        const example = exampleRef(definition) as unknown as Record<string, string>;
        await upstat.status({ ...example, [last]: 'x' } as AnyRef).catch(() => undefined);
        // The path alone: a key in the query string (a provider's credential) is not part of the limit.
        const pathOf = (target: string | undefined) => (target ?? '').split('?')[0] ?? '';
        const base = pathOf(server.requests[0]?.target).length;
        expect(base).toBeGreaterThan(0);
        const atLimit = { ...example, [last]: 'x'.repeat(MAX_REQUEST_PATH_LENGTH - base + 1) } as AnyRef;
        await upstat.status(atLimit).catch(() => undefined);
        expect(pathOf(server.requests[1]?.target).length).toBe(MAX_REQUEST_PATH_LENGTH);
        expect(upstat.parseRef(upstat.formatRef(atLimit))).toEqual(atLimit);

        // One character more (or one that takes three once percent-encoded): refused by every way in, nothing sent.
        for (const over of [{ ...example, [last]: `x${String(atLimit[last])}` }, { ...example, [last]: `/${String(atLimit[last]).slice(2)}` }] as AnyRef[]) {
          const text = `${definition.id}:${fields.map((field) => encodeURIComponent((over as unknown as Record<string, string>)[field] ?? '')).join('/')}`;
          for (const action of [() => upstat.parseRef(text), () => codec.parse(text), () => codec.toRef(over), () => upstat.formatRef(over)]) {
            expect(messageOf(action)).toMatch(
              new RegExp(`: ${last} is too long \\(\\d+ characters percent-encoded\\): the status request's path would be ${MAX_REQUEST_PATH_LENGTH + 1} characters, over the ${MAX_REQUEST_PATH_LENGTH} HTTP servers must accept \\(RFC 9110 §4\\.1\\); expected `),
            );
          }
          await expect(upstat.status(over)).rejects.toBeInstanceOf(InvalidArgumentError);
        }
        // The message shows the ref cut short, not 8,000 characters of it.
        expect(messageOf(() => codec.parse(`${definition.id}:${fields.map(() => 'y'.repeat(MAX_REQUEST_PATH_LENGTH)).join('/')}`)).length).toBeLessThan(1_000);
        expect(server.requests).toHaveLength(2);
      } finally {
        await server.close();
      }
    },
  );

  it("an instance's refs are those of its own providers", () => {
    const upstat = createUpstat({ providers: [sendai({ apiKey: 'k' }), nullspace({ apiKey: 'k' })] });
    expect(upstat.refFormats).toEqual({ sendai: refFormatOf(sendaiDefinition), nullspace: refFormatOf(nullspaceDefinition) });
    expect(upstat.parseRef('nullspace:s/u')).toEqual({ provider: 'nullspace', sandboxId: 's', uploadId: 'u' });
    expect(upstat.formatRef({ provider: 'sendai', teamId: 't', projectId: 'p', uploadId: 'u/1' })).toBe('sendai:t/p/u%2F1');
    const message = messageOf(() => upstat.parseRef('pandadoc:d/u'));
    expect(message).toContain('"pandadoc" is not one of the providers given to createUpstat (sendai, nullspace)');
    expect(message).toContain(`expected ${refFormatOf(sendaiDefinition)}, ${refFormatOf(nullspaceDefinition)} (`);
    expect(message).not.toContain(refFormatOf(pandadocDefinition));
  });

  it('types refs by the definitions given', () => {
    const pair = createRefCodec([pandadocDefinition, nullspaceDefinition]);
    expectTypeOf<ReturnType<typeof pair.parse>>().toEqualTypeOf<PandaDocRef | NullspaceRef>();
    expectTypeOf<Parameters<typeof pair.toRef>[0]>().toEqualTypeOf<PandaDocRef | NullspaceRef | string>();
    expect(pair.toRef('pandadoc:d/u')).toEqual({ provider: 'pandadoc', documentId: 'd', uploadId: 'u' });
    const upstat = createUpstat({ providers: [sendai({ apiKey: 'k' }), nullspace({ apiKey: 'k' })] });
    expectTypeOf<ReturnType<typeof upstat.parseRef>>().toEqualTypeOf<SendaiRef | NullspaceRef>();
    expectTypeOf<Parameters<typeof upstat.formatRef>[0]>().toEqualTypeOf<SendaiRef | NullspaceRef>();
    expectTypeOf<PandaDocRef>().toEqualTypeOf<{ provider: 'pandadoc' } & { documentId: string; uploadId: string }>();
    // A ref of a provider the instance was not given does not type-check.
    // @ts-expect-error -- pandadoc is not plugged in
    expect(() => upstat.formatRef({ provider: 'pandadoc', documentId: 'd', uploadId: 'u' })).toThrow(InvalidArgumentError);
  });
});
