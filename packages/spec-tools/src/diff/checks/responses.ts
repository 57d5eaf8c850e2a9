import { isObject, type JsonObject } from '../../load.js';
import { pointer } from '../pointer.js';
import type { DiffContext, Segments, Side } from './context.js';
import { bodyContent, compareContent } from './bodies-and-media-types.js';
import { compareDocKeywords } from './document.js';
import { emitSchema } from './schema-keywords.js';

/**
 * An operation's responses: status codes, headers and bodies. With `receiver` (a webhook or callback), the client's
 * handler is the one responding: its responses are compared on the request side (what the client sends).
 */
export function compareResponses(ctx: DiffContext, before: unknown, after: unknown, oldAt: Segments, at: Segments, operation: string, receiver = false): void {
  const oldResponses = isObject(before) ? before : {};
  const newResponses = isObject(after) ? after : {};
  const isSuccess = (code: string) => /^2(\d\d|XX)$/i.test(code);
  const side: Side = receiver ? 'request' : 'response';
  for (const code of new Set([...Object.keys(oldResponses), ...Object.keys(newResponses)])) {
    // A response that is the same, down to what its `$ref`s name, holds no change: not compared.
    if (ctx.unchanged.same(oldResponses[code], newResponses[code])) continue;
    const oldResponse = ctx.resolveBefore(oldResponses[code]);
    const newResponse = ctx.resolveAfter(newResponses[code]);
    const where = [...at, code];
    if (!isObject(newResponse)) {
      const removedAt = pointer(...oldAt, code);
      if (receiver) ctx.emit('callback-response-removed', removedAt, operation, `Response ${code} of the handler was removed.`);
      else if (isSuccess(code)) ctx.emit('response-success-status-removed', removedAt, operation, `Success response ${code} was removed; the typed success body changes.`);
      else ctx.emit('response-error-status-removed', removedAt, operation, `Error response ${code} was removed.`);
      continue;
    }
    if (!isObject(oldResponse)) {
      if (receiver) ctx.emit('callback-response-added', pointer(...where), operation, `Response ${code} of the handler was added.`);
      else if (isSuccess(code)) ctx.emit('response-success-status-added', pointer(...where), operation, `Success response ${code} was added; the typed success body changes.`);
      else ctx.emit('response-error-status-added', pointer(...where), operation, `Error response ${code} was added.`);
      continue;
    }
    compareDocKeywords(ctx, oldResponse, newResponse, where, operation, `response ${code}`);
    compareHeaders(ctx, oldResponse.headers, newResponse.headers, [...oldAt, code, 'headers'], [...where, 'headers'], operation, `response ${code}`, side);
    compareContent(ctx, bodyContent(oldResponse), bodyContent(newResponse), side, [...oldAt, code, 'content'], [...where, 'content'], operation, `response ${code}`);
  }
}

function compareHeaders(ctx: DiffContext, before: unknown, after: unknown, oldAt: Segments, at: Segments, operation: string, where: string, side: Side): void {
  const byName = (headers: JsonObject) => new Map(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), { name, value }]));
  const oldByName = byName(isObject(before) ? before : {});
  const newByName = byName(isObject(after) ? after : {});
  for (const key of new Set([...oldByName.keys(), ...newByName.keys()])) {
    const old = oldByName.get(key);
    const now = newByName.get(key);
    if (old === undefined || now === undefined) {
      // Headers a webhook handler sends back are its own business; only their schemas are compared below.
      if (side === 'request') continue;
      if (now === undefined && old !== undefined) ctx.emit('response-header-removed', pointer(...oldAt, old.name), operation, `${where}: header ${old.name} was removed.`);
      else if (now !== undefined) ctx.emit('response-header-added', pointer(...at, now.name), operation, `${where}: header ${now.name} was added.`);
      continue;
    }
    const oldHeader = ctx.resolveBefore(old.value);
    const newHeader = ctx.resolveAfter(now.value);
    if (isObject(oldHeader) && isObject(newHeader)) {
      compareDocKeywords(ctx, oldHeader, newHeader, [...at, now.name], operation, `${where} header ${now.name}`);
      emitSchema(ctx, oldHeader.schema, newHeader.schema, side, [...at, now.name, 'schema'], [...oldAt, old.name, 'schema'], operation, `${where} header ${now.name}`, '');
    }
  }
}
