import { isObject, type JsonObject } from '../../load.js';
import { pointer } from '../pointer.js';
import { METHODS, type DiffContext, type Segments } from './context.js';
import { compareDocKeywords } from './document.js';
import type { OperationPair } from './operations-and-parameters.js';

/**
 * OpenAPI 3.1 `webhooks` and operation `callbacks`: calls the server makes to the client. The client is the
 * receiver, so their operations are compared with `receiver: true` (request body on the response side, responses on
 * the request side); see `src/diff/rules.ts`.
 */

type CompareOperation = (ctx: DiffContext, pair: OperationPair, operation: string) => void;

function compareCalls(
  ctx: DiffContext,
  before: JsonObject,
  after: JsonObject,
  oldAt: Segments,
  at: Segments,
  label: (name: string, method: string) => string,
  kind: 'webhook' | 'callback',
  operationOf: (name: string, method: string) => string,
  compareOperation: CompareOperation,
): void {
  for (const name of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const oldItem = ctx.resolveBefore(before[name]);
    const newItem = ctx.resolveAfter(after[name]);
    const oldPathItem = isObject(oldItem) ? oldItem : {};
    const newPathItem = isObject(newItem) ? newItem : {};
    for (const method of METHODS) {
      const oldOp = oldPathItem[method];
      const newOp = newPathItem[method];
      if (!isObject(oldOp) && !isObject(newOp)) continue;
      const operation = operationOf(name, method);
      if (!isObject(newOp)) {
        if (kind === 'webhook') ctx.emit('webhook-removed', pointer(...oldAt, name, method), operation, `${label(name, method)} was removed.`);
        else ctx.emit('callback-removed', pointer(...oldAt, name, method), operation, `${label(name, method)} was removed; the server no longer calls it.`);
        continue;
      }
      if (!isObject(oldOp)) {
        if (kind === 'webhook') ctx.emit('webhook-added', pointer(...at, name, method), operation, `${label(name, method)} was added.`);
        else ctx.emit('callback-added', pointer(...at, name, method), operation, `${label(name, method)} was added.`);
        continue;
      }
      compareOperation(
        ctx,
        { oldItem: oldPathItem, oldOp, oldAt: [...oldAt, name, method], newItem: newPathItem, newOp, at: [...at, name, method], receiver: true },
        operation,
      );
    }
    if (isObject(oldItem) && isObject(newItem)) compareDocKeywords(ctx, oldPathItem, newPathItem, [...at, name], undefined, `${kind} ${name}`);
  }
}

/** Top-level `webhooks` (3.1): each webhook is reported as its own operation, `POST webhook:newPet`. */
export function compareWebhooks(ctx: DiffContext, compareOperation: CompareOperation): void {
  const before = isObject(ctx.before.webhooks) ? ctx.before.webhooks : {};
  const after = isObject(ctx.after.webhooks) ? ctx.after.webhooks : {};
  const operationOf = (name: string, method: string) => `${method.toUpperCase()} webhook:${name}`;
  compareCalls(ctx, before, after, ['webhooks'], ['webhooks'], (name, method) => `Webhook ${operationOf(name, method)}`, 'webhook', operationOf, compareOperation);
}

/** An operation's `callbacks`: name → expression → path item. Reported under the operation that registers them. */
export function compareCallbacks(ctx: DiffContext, pair: OperationPair, operation: string, compareOperation: CompareOperation): void {
  const oldCallbacks = isObject(pair.oldOp.callbacks) ? pair.oldOp.callbacks : {};
  const newCallbacks = isObject(pair.newOp.callbacks) ? pair.newOp.callbacks : {};
  for (const name of new Set([...Object.keys(oldCallbacks), ...Object.keys(newCallbacks)])) {
    const oldCallback = ctx.resolveBefore(oldCallbacks[name]);
    const newCallback = ctx.resolveAfter(newCallbacks[name]);
    compareCalls(
      ctx,
      isObject(oldCallback) ? oldCallback : {},
      isObject(newCallback) ? newCallback : {},
      [...pair.oldAt, 'callbacks', name],
      [...pair.at, 'callbacks', name],
      (expression, method) => `Callback \`${name}\` ${method.toUpperCase()} ${expression}`,
      'callback',
      () => operation,
      compareOperation,
    );
  }
}
