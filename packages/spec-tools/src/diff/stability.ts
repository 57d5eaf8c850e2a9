import type { JsonObject } from '../load.js';
import { STABILITY_LEVELS, type StabilityLevel } from './policy-config.js';

// Reading `x-stability-level`, for the checks that validate it (./checks/operations-and-parameters.ts) and for the
// policy pass that excuses changes by it (./policy.ts). `x-sunset` is read by `parseSunset` in ./policy.ts.

/** An `x-stability-level` value as a level, or undefined when it is not one of STABILITY_LEVELS. */
export function parseStabilityLevel(value: unknown): StabilityLevel | undefined {
  return typeof value === 'string' && (STABILITY_LEVELS as readonly string[]).includes(value) ? (value as StabilityLevel) : undefined;
}

/** The `x-stability-level` that applies to an operation, as written: its own, else its path item's. */
export function declaredStabilityLevel(operation: JsonObject, pathItem: JsonObject): { value: unknown; on: 'operation' | 'path item' } | undefined {
  if (operation['x-stability-level'] !== undefined) return { value: operation['x-stability-level'], on: 'operation' };
  if (pathItem['x-stability-level'] !== undefined) return { value: pathItem['x-stability-level'], on: 'path item' };
  return undefined;
}

/**
 * How much a declared level promises, for telling a decrease: its place in STABILITY_LEVELS. No level, or one that is
 * not a level, counts as `stable`: the policy never excuses a change to such an operation.
 */
export function stabilityRank(value: unknown): number {
  const level = parseStabilityLevel(value);
  return level === undefined ? STABILITY_LEVELS.length - 1 : STABILITY_LEVELS.indexOf(level);
}
