import { openapiOverlay } from 'openapi-format';
import { OverlayError, SpecToolError } from './errors.js';
import { isObject, type JsonObject } from './load.js';

interface OverlayAction {
  target?: unknown;
  description?: unknown;
  update?: unknown;
  remove?: unknown;
}

function label(action: OverlayAction, index: number): string {
  const description = typeof action.description === 'string' ? ` (${action.description})` : '';
  return `#${index + 1} ${String(action.target)}${description}`;
}

/**
 * Applies an OpenAPI Overlay 1.0 document with openapi-format's `openapiOverlay`, strictly: an action
 * that matches nothing (or that openapi-format skips as invalid) is an error naming the action, so a
 * fix whose target has moved in a new vendor spec cannot pass silently. The input is not modified.
 */
export async function applyOverlay(spec: JsonObject, overlay: JsonObject, overlayLabel = 'overlay'): Promise<JsonObject> {
  if (typeof overlay.overlay !== 'string' || !/^1\.0\.\d+$/.test(overlay.overlay)) {
    throw new SpecToolError(`${overlayLabel}: expected an OpenAPI Overlay 1.0.x document ("overlay: 1.0.0")`);
  }
  if (!Array.isArray(overlay.actions) || overlay.actions.length === 0) {
    throw new SpecToolError(`${overlayLabel}: "actions" must be a non-empty list`);
  }
  const actions = overlay.actions as OverlayAction[];
  actions.forEach((action, index) => {
    if (!isObject(action) || typeof action.target !== 'string' || !action.target.startsWith('$')) {
      throw new SpecToolError(`${overlayLabel}: action #${index + 1} needs a JSONPath "target" starting with "$"`);
    }
  });

  // openapi-format edits the document in place and reports problems on the console; give it a copy
  // and judge the outcome from its result instead.
  const result = await openapiOverlay(structuredClone(spec), { overlaySet: overlay as never });
  const reported = result.resultData.unusedActions;
  const unused = new Set<unknown>(Array.isArray(reported) ? reported : []);
  const unmatched = actions.flatMap((action, index) => (unused.has(action) ? [label(action, index)] : []));
  if (unmatched.length > 0) {
    throw new OverlayError(
      `${overlayLabel}: ${unmatched.length} overlay action(s) matched nothing in the spec, so their fix no longer applies. ` +
        `Update or remove them:\n  ${unmatched.join('\n  ')}`,
      unmatched,
    );
  }
  return result.data as JsonObject;
}
