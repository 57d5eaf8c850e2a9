import { describe, expect, it } from 'vitest';
import { OverlayError, SpecToolError } from '../src/errors.js';
import type { JsonObject } from '../src/load.js';
import { applyOverlay } from '../src/overlay.js';

const spec = (): JsonObject => ({
  openapi: '3.1.0',
  info: { title: 't', version: '1' },
  paths: {},
  components: { schemas: { Thing: { type: 'object', properties: { a: { type: 'string' } } } } },
});

describe('applyOverlay', () => {
  it('applies update actions without touching the input', async () => {
    const input = spec();
    const result = await applyOverlay(input, {
      overlay: '1.0.0',
      info: { title: 'fix', version: '1' },
      actions: [{ target: '$.components.schemas.Thing.properties', update: { b: { type: 'integer' } } }],
    });
    expect(result.components).toEqual({
      schemas: { Thing: { type: 'object', properties: { a: { type: 'string' }, b: { type: 'integer' } } } },
    });
    expect(input).toEqual(spec());
  });

  it('fails, naming each action, when an action matches nothing', async () => {
    const attempt = applyOverlay(
      spec(),
      {
        overlay: '1.0.0',
        info: { title: 'fix', version: '1' },
        actions: [
          { target: '$.components.schemas.Thing.properties', update: { b: { type: 'integer' } } },
          { target: '$.components.schemas.Gone.properties', description: 'fix a schema the vendor removed', update: { c: {} } },
          { target: '$.paths["/nope"]', remove: true },
        ],
      },
      'specs/x/overlay.yaml',
    );
    await expect(attempt).rejects.toBeInstanceOf(OverlayError);
    await expect(attempt).rejects.toMatchObject({
      unmatched: ['#2 $.components.schemas.Gone.properties (fix a schema the vendor removed)', '#3 $.paths["/nope"]'],
    });
    await expect(attempt).rejects.toThrow(/^specs\/x\/overlay\.yaml: 2 overlay action\(s\) matched nothing/);
  });

  it.each([
    ['a wrong overlay version', { overlay: '2.0.0', actions: [{ target: '$', update: {} }] }, 'Overlay 1.0.x'],
    ['no actions', { overlay: '1.0.0', actions: [] }, '"actions" must be a non-empty list'],
    ['an action without a JSONPath target', { overlay: '1.0.0', actions: [{ target: 'components', update: {} }] }, 'action #1 needs a JSONPath'],
  ])('rejects an overlay with %s', async (_label, overlay, message) => {
    await expect(applyOverlay(spec(), overlay as JsonObject)).rejects.toThrow(SpecToolError);
    await expect(applyOverlay(spec(), overlay as JsonObject)).rejects.toThrow(message);
  });
});
