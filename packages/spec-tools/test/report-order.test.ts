/** The order of a diff's changes is the same on every machine: breaking first, then operations and pointers compared by code unit. */
import { describe, expect, it } from 'vitest';
import { diffDocuments } from '../src/diff/classify.js';
import type { JsonObject } from '../src/load.js';

const api = (paths: string[]): JsonObject => ({
  openapi: '3.1.0',
  info: { title: 't', version: '1' },
  paths: Object.fromEntries(paths.map((path) => [path, { get: { responses: { '204': { description: 'none' } } } }])),
});

describe('report order', () => {
  it('sorts operations by code unit, not by the locale (an upper-case path before a lower-case one)', () => {
    const { changes } = diffDocuments(api(['/a', '/B', '/b']), api([]));
    expect(changes.map((change) => change.operation)).toEqual(['GET /B', 'GET /a', 'GET /b']);
  });
});
