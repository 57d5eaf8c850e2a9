import { isObject, type JsonObject } from '../../load.js';
import { canonicalJson } from '../../canonical-json.js';
import { pointer } from '../pointer.js';
import { deref } from '../refs.js';
import { declaredStabilityLevel, parseStabilityLevel, stabilityRank } from '../stability.js';
import { STABILITY_LEVELS } from '../policy-config.js';
import { METHODS, sameJson, type DiffContext, type Segments } from './context.js';
import { compareReceivedBody, compareRequestBody } from './bodies-and-media-types.js';
import { checkAddedSunset, compareDocKeywords, compareServers } from './document.js';
import { compareResponses } from './responses.js';
import { emitSchema } from './schema-keywords.js';
import { compareSecurity } from './security.js';
import { compareCallbacks } from './webhooks-and-callbacks.js';

/** Paths, operations and their parameters. */

/** Where an operation is in each document (a renamed path template puts it at different paths). */
export interface OperationPair {
  oldItem: JsonObject;
  oldOp: JsonObject;
  oldAt: Segments;
  newItem: JsonObject;
  newOp: JsonObject;
  at: Segments;
  /** Path parameters renamed with the path template, old name → new name. */
  renames?: Map<string, string>;
  /**
   * A webhook or callback: the server calls the client, so what it sends (parameters, request body) is compared as
   * something the client receives, and the responses as something the client sends.
   */
  receiver?: boolean;
}

const templateNames = (path: string) => [...path.matchAll(/\{([^}]*)\}/g)].map((match) => match[1] ?? '');
const templateShape = (path: string) => path.replace(/\{[^}]*\}/g, '{}');

/**
 * Pairs paths that only differ by the names of their path parameters (`/books/{bookId}` → `/books/{id}`):
 * the same endpoint on the wire. Only unambiguous pairs (one old and one new path with that shape) count.
 */
function renamedPaths(before: JsonObject, after: JsonObject): Map<string, string> {
  const oldOnly = Object.keys(before).filter((path) => !(path in after));
  const newOnly = Object.keys(after).filter((path) => !(path in before));
  const pairs = new Map<string, string>();
  for (const path of oldOnly) {
    const shape = templateShape(path);
    if (!path.includes('{')) continue;
    const olds = oldOnly.filter((candidate) => templateShape(candidate) === shape);
    const news = newOnly.filter((candidate) => templateShape(candidate) === shape);
    if (olds.length === 1 && news.length === 1 && news[0] !== undefined) pairs.set(path, news[0]);
  }
  return pairs;
}

export function comparePaths(ctx: DiffContext): void {
  const before = isObject(ctx.before.paths) ? ctx.before.paths : {};
  const after = isObject(ctx.after.paths) ? ctx.after.paths : {};
  const renamed = renamedPaths(before, after);
  const renamedTo = new Set(renamed.values());
  // What an operation inherits from the root besides its path item: with these the same, a path item that is the same
  // in both documents, down to what its `$ref`s name, holds no change (the rest of its comparison is skipped).
  const inherited = ctx.unchanged.same(ctx.before.servers, ctx.after.servers) && ctx.unchanged.same(ctx.before.security, ctx.after.security);
  for (const path of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (renamedTo.has(path)) continue; // compared with the old path it was renamed from
    const newPath = renamed.get(path) ?? path;
    if (inherited && newPath === path && ctx.unchanged.same(before[path], after[path])) continue;
    const oldItem = ctx.resolveBefore(before[path]);
    const newItem = ctx.resolveAfter(after[newPath]);
    const renames = new Map<string, string>();
    if (newPath !== path) {
      const newNames = templateNames(newPath);
      templateNames(path).forEach((name, index) => renames.set(name, newNames[index] ?? name));
    }
    const oldPathItem = isObject(oldItem) ? oldItem : {};
    const newPathItem = isObject(newItem) ? newItem : {};
    for (const method of METHODS) {
      const oldOp = oldPathItem[method];
      const newOp = newPathItem[method];
      if (!isObject(oldOp) && !isObject(newOp)) continue;
      if (!isObject(newOp)) {
        ctx.emit('operation-removed', pointer('paths', path, method), `${method.toUpperCase()} ${path}`, `Operation ${method.toUpperCase()} ${path} was removed.`);
        continue;
      }
      const operation = `${method.toUpperCase()} ${newPath}`;
      if (!isObject(oldOp)) {
        ctx.emit('operation-added', pointer('paths', newPath, method), operation, `Operation ${operation} was added.`);
        compareStability(ctx, oldPathItem, undefined, newPathItem, newOp, ['paths', newPath, method], operation);
        checkAddedSunset(ctx, newOp, ['paths', newPath, method], operation);
        continue;
      }
      if (newPath !== path) {
        const names = [...renames].map(([from, to]) => `\`${from}\` → \`${to}\``).join(', ');
        ctx.emit(
          'path-parameter-renamed',
          pointer('paths', newPath, method),
          operation,
          `Path ${path} became ${newPath} (path parameter ${names}): the same endpoint, but calls name the path template and its parameters.`,
        );
      }
      compareOperation(ctx, { oldItem: oldPathItem, oldOp, oldAt: ['paths', path, method], newItem: newPathItem, newOp, at: ['paths', newPath, method], renames }, operation);
    }
    if (isObject(oldItem) && isObject(newItem)) compareDocKeywords(ctx, oldPathItem, newPathItem, ['paths', newPath], undefined, `path ${newPath}`);
  }
}

const STABILITY = 'x-stability-level';

/**
 * The `x-stability-level` that applies to an operation (its own, else its path item's), which the policy pass
 * (src/diff/policy.ts) reads to excuse breaking changes: a value that is not a level, set where it now comes from, is
 * `stability-level-invalid`; a lower level than before (none counting as `stable`) is `stability-level-decreased`.
 * Both point where the level is written, so a path item's level is reported once per operation it applies to; its
 * other changes stay `extension-changed` (./document.ts leaves out what was reported here). `oldOp` is undefined for
 * an operation that was added.
 */
function compareStability(ctx: DiffContext, oldItem: JsonObject, oldOp: JsonObject | undefined, newItem: JsonObject, newOp: JsonObject, at: Segments, operation: string): void {
  const after = declaredStabilityLevel(newOp, newItem);
  if (after === undefined) return;
  const where = after.on === 'operation' ? [...at, STABILITY] : [...at.slice(0, -1), STABILITY];
  const was = after.on === 'operation' ? oldOp?.[STABILITY] : oldItem[STABILITY];
  const level = parseStabilityLevel(after.value);
  if (level === undefined) {
    if (!sameJson(was, after.value)) {
      ctx.emit(
        'stability-level-invalid',
        pointer(...where),
        operation,
        `x-stability-level ${canonicalJson(after.value)} on the ${after.on} is not one of ${STABILITY_LEVELS.join(', ')}: the policy cannot tell how stable ${operation} is.`,
      );
    }
    return;
  }
  if (oldOp === undefined) return;
  const before = declaredStabilityLevel(oldOp, oldItem)?.value;
  if (stabilityRank(after.value) < stabilityRank(before)) {
    ctx.emit(
      'stability-level-decreased',
      pointer(...where),
      operation,
      `x-stability-level lowered from ${before === undefined ? 'none (as stable)' : canonicalJson(before)} to ${canonicalJson(level)} (on the ${after.on}): the policy may excuse breaking ${operation} from now on.`,
    );
  }
}



export function compareOperation(ctx: DiffContext, pair: OperationPair, operation: string): void {
  const { oldItem, oldOp, newItem, newOp, at, oldAt } = pair;
  if (oldOp.operationId !== newOp.operationId && oldOp.operationId !== undefined) {
    ctx.emit(
      'operation-id-changed',
      pointer(...at, 'operationId'),
      operation,
      `operationId changed from ${canonicalJson(oldOp.operationId)} to ${newOp.operationId === undefined ? 'none' : canonicalJson(newOp.operationId)}; code using its generated \`operations[...]\` type no longer compiles.`,
    );
  }
  // A top-level operation (`/paths/{path}/{method}`, `/webhooks/{name}/{method}`) is what the policy reads a level on.
  if (at.length === 3) compareStability(ctx, oldItem, oldOp, newItem, newOp, at, operation);
  compareDocKeywords(ctx, oldOp, newOp, at, operation, 'operation');
  // Servers and security set below the root are compared where they are set.
  if (oldOp.servers !== undefined || newOp.servers !== undefined || oldItem.servers !== undefined || newItem.servers !== undefined) {
    compareServers(ctx, oldOp.servers ?? oldItem.servers ?? ctx.before.servers, newOp.servers ?? newItem.servers ?? ctx.after.servers, [...at, 'servers'], operation);
  }
  if (oldOp.security !== undefined || newOp.security !== undefined) {
    compareSecurity(ctx, oldOp.security ?? ctx.before.security, newOp.security ?? ctx.after.security, [...at, 'security'], operation);
  }
  compareParameters(ctx, pair, operation);
  if (pair.receiver === true) {
    compareReceivedBody(ctx, oldOp.requestBody, newOp.requestBody, [...oldAt, 'requestBody'], [...at, 'requestBody'], operation, 'request body (received)');
  } else {
    compareRequestBody(ctx, oldOp.requestBody, newOp.requestBody, [...oldAt, 'requestBody'], [...at, 'requestBody'], operation);
  }
  compareResponses(ctx, oldOp.responses, newOp.responses, [...oldAt, 'responses'], [...at, 'responses'], operation, pair.receiver === true);
  if (pair.receiver !== true) compareCallbacks(ctx, pair, operation, compareOperation);
}

interface Parameter {
  value: JsonObject;
  at: Segments;
}

/** Path-level and operation-level parameters merged (the operation's win), keyed by `in:name`. */
function parameters(document: JsonObject, item: JsonObject, op: JsonObject, at: Segments, renames?: Map<string, string>): Map<string, Parameter> {
  const merged = new Map<string, Parameter>();
  const collect = (entries: unknown, base: Segments) => {
    if (!Array.isArray(entries)) return;
    entries.forEach((entry, index) => {
      const value = deref(document, entry).value;
      if (!isObject(value)) return;
      const name = String(value.name);
      const key = value.in === 'path' ? (renames?.get(name) ?? name) : name;
      merged.set(`${String(value.in)}:${key}`, { value, at: [...base, 'parameters', index] });
    });
  };
  collect(item.parameters, at.slice(0, -1));
  collect(op.parameters, at);
  return merged;
}

function compareParameters(ctx: DiffContext, pair: OperationPair, operation: string): void {
  const before = parameters(ctx.before, pair.oldItem, pair.oldOp, pair.oldAt, pair.renames);
  const after = parameters(ctx.after, pair.newItem, pair.newOp, pair.at);
  const receiver = pair.receiver === true;
  const movedNames = new Set<string>();
  for (const [key, { value, at: where }] of before) {
    if (after.has(key)) continue;
    const name = String(value.name);
    if (receiver) {
      ctx.emit('callback-parameter-removed', pointer(...where), operation, `${String(value.in)} parameter \`${name}\` sent to the handler was removed.`);
      continue;
    }
    const moved = [...after.values()].find((candidate) => candidate.value.name === name && !before.has(`${String(candidate.value.in)}:${name}`));
    if (moved) {
      movedNames.add(name);
      ctx.emit('request-parameter-location-changed', pointer(...moved.at), operation, `Parameter \`${name}\` moved from ${String(value.in)} to ${String(moved.value.in)}.`);
      continue;
    }
    ctx.emit('request-parameter-removed', pointer(...where), operation, `${String(value.in)} parameter \`${name}\` was removed.`);
  }
  for (const [key, { value, at: where }] of after) {
    const name = String(value.name);
    const old = before.get(key);
    const isRequired = value.required === true;
    if (old === undefined) {
      if (receiver) ctx.emit('callback-parameter-added', pointer(...where), operation, `${String(value.in)} parameter \`${name}\` sent to the handler was added.`);
      else if (movedNames.has(name)) continue;
      else if (isRequired) ctx.emit('request-parameter-added-required', pointer(...where), operation, `Required ${String(value.in)} parameter \`${name}\` was added.`);
      else ctx.emit('request-parameter-added-optional', pointer(...where), operation, `Optional ${String(value.in)} parameter \`${name}\` was added.`);
      checkAddedSunset(ctx, value, where, operation);
      continue;
    }
    if (!receiver && (old.value.required === true) !== isRequired) {
      if (isRequired) ctx.emit('request-parameter-became-required', pointer(...where, 'required'), operation, `Parameter \`${name}\` became required.`);
      else ctx.emit('request-parameter-became-optional', pointer(...where, 'required'), operation, `Parameter \`${name}\` became optional.`);
    }
    for (const keyword of ['style', 'explode', 'allowReserved'] as const) {
      if (canonicalJson(old.value[keyword]) !== canonicalJson(value[keyword])) {
        ctx.emit(
          'request-parameter-style-changed',
          pointer(...where, keyword),
          operation,
          `Parameter \`${name}\` serialisation changed (${keyword}: ${String(old.value[keyword])} → ${String(value[keyword])}).`,
        );
      }
    }
    compareDocKeywords(ctx, old.value, value, where, operation, `parameter \`${name}\``);
    // What the server assumes when a call omits the parameter: a new default changes what such a call does.
    const rootDefault = receiver ? undefined : 'request-parameter-default-changed';
    emitSchema(ctx, old.value.schema, value.schema, receiver ? 'response' : 'request', [...where, 'schema'], [...old.at, 'schema'], operation, `parameter \`${name}\``, '', rootDefault);
  }
}
