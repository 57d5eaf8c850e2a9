import { isObject, type JsonObject } from '../../load.js';
import { pointer } from '../pointer.js';
import { bySide } from '../rules.js';
import type { DiffContext, Segments, Side } from './context.js';
import { compareDocKeywords } from './document.js';
import { emitSchema } from './schema-keywords.js';

/** Request bodies and the media types of any body (request or response). */

function content(resolved: unknown): JsonObject {
  return isObject(resolved) && isObject(resolved.content) ? resolved.content : {};
}

/** The body the client sends: its presence, whether it is required, and its media types. */
export function compareRequestBody(ctx: DiffContext, before: unknown, after: unknown, oldAt: Segments, at: Segments, operation: string): void {
  const oldBody = ctx.resolveBefore(before);
  const newBody = ctx.resolveAfter(after);
  if (!isObject(oldBody) && !isObject(newBody)) return;
  if (!isObject(newBody)) {
    ctx.emit('request-body-removed', pointer(...oldAt), operation, 'The request body was removed.');
    return;
  }
  const isRequired = newBody.required === true;
  if (!isObject(oldBody)) {
    if (isRequired) ctx.emit('request-body-added-required', pointer(...at), operation, 'A required request body was added.');
    else ctx.emit('request-body-added-optional', pointer(...at), operation, 'An optional request body was added.');
    return;
  }
  if ((oldBody.required === true) !== isRequired) {
    if (isRequired) ctx.emit('request-body-became-required', pointer(...at, 'required'), operation, 'The request body became required.');
    else ctx.emit('request-body-became-optional', pointer(...at, 'required'), operation, 'The request body became optional.');
  }
  compareDocKeywords(ctx, oldBody, newBody, at, operation, 'request body');
  compareContent(ctx, content(oldBody), content(newBody), 'request', [...oldAt, 'content'], [...at, 'content'], operation, 'request body');
}

/** A body the client receives from a webhook or callback (the server's request): compared on the response side. */
export function compareReceivedBody(ctx: DiffContext, before: unknown, after: unknown, oldAt: Segments, at: Segments, operation: string, where: string): void {
  const oldBody = ctx.resolveBefore(before);
  const newBody = ctx.resolveAfter(after);
  if (isObject(oldBody) && isObject(newBody)) compareDocKeywords(ctx, oldBody, newBody, at, operation, where);
  compareContent(ctx, content(oldBody), content(newBody), 'response', [...oldAt, 'content'], [...at, 'content'], operation, where);
}

/** The media types of a body (`content`), compared on `side`. */
export function compareContent(ctx: DiffContext, before: JsonObject, after: JsonObject, side: Side, oldAt: Segments, at: Segments, operation: string, where: string): void {
  for (const mediaType of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const oldMedia = before[mediaType];
    const newMedia = after[mediaType];
    if (!isObject(newMedia)) {
      ctx.emit(bySide(side, 'request-media-type-removed', 'response-media-type-removed'), pointer(...oldAt, mediaType), operation, `${where}: media type ${mediaType} was removed.`);
      continue;
    }
    if (!isObject(oldMedia)) {
      ctx.emit(bySide(side, 'request-media-type-added', 'response-media-type-added'), pointer(...at, mediaType), operation, `${where}: media type ${mediaType} was added.`);
      continue;
    }
    compareDocKeywords(ctx, oldMedia, newMedia, [...at, mediaType], operation, `${where} (${mediaType})`);
    emitSchema(ctx, oldMedia.schema, newMedia.schema, side, [...at, mediaType, 'schema'], [...oldAt, mediaType, 'schema'], operation, `${where} (${mediaType})`, '');
  }
}

export { content as bodyContent };
