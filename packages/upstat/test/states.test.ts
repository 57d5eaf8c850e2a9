import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CANONICAL_STATES,
  DOCUMENT360_STATES,
  isTerminal,
  mapState,
  NULLSPACE_STATES,
  PANDADOC_STATES,
  SENDAI_STATES,
  TERMINAL_STATES,
  type CanonicalState,
} from '../src/index.js';

const require = createRequire(import.meta.url);
interface Schema {
  enum?: string[];
  properties?: Record<string, Schema>;
}
function specSchemas(pkg: string): Record<string, Schema> {
  const spec = JSON.parse(readFileSync(require.resolve(`${pkg}/openapi.json`), 'utf8')) as { components: { schemas: Record<string, Schema> } };
  return spec.components.schemas;
}

const TABLES = { pandadoc: PANDADOC_STATES, document360: DOCUMENT360_STATES, sendai: SENDAI_STATES, nullspace: NULLSPACE_STATES };

describe('status mapping', () => {
  it('is total: any value at all maps to a canonical state, unknown ones to "unknown"', () => {
    fc.assert(
      fc.property(fc.constantFrom(...Object.values(TABLES)), fc.anything(), (table, value) => {
        const state = mapState(table, value);
        expect(CANONICAL_STATES).toContain(state);
        if (typeof value !== 'string' || !Object.hasOwn(table, value)) expect(state).toBe('unknown');
      }),
    );
  });

  it('is not fooled by inherited property names', () => {
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      expect(mapState(SENDAI_STATES, name)).toBe('unknown');
    }
  });

  it('maps every enum value the specs declare (PandaDoc, Nullspace)', () => {
    const pandadocEnum = specSchemas('@upstat/pandadoc').UploadSectionStatusEnum?.enum ?? [];
    const nullspaceEnum = specSchemas('@upstat/nullspace').UploadSession?.properties?.status?.enum ?? [];
    expect(pandadocEnum.length).toBe(3);
    expect(nullspaceEnum.length).toBe(8);
    expect(Object.keys(PANDADOC_STATES).sort()).toEqual([...pandadocEnum].sort());
    expect(Object.keys(NULLSPACE_STATES).sort()).toEqual([...nullspaceEnum].sort());
  });

  it('matches the DESIGN.md table', () => {
    const byState = (table: Readonly<Record<string, CanonicalState>>) => {
      const grouped: Partial<Record<CanonicalState, string[]>> = {};
      for (const [value, state] of Object.entries(table)) (grouped[state] ??= []).push(value);
      return grouped;
    };
    expect(byState(PANDADOC_STATES)).toEqual({
      in_progress: ['document_sections_upload.UPLOADED'],
      succeeded: ['document_sections_upload.PROCESSED'],
      failed: ['document_sections_upload.ERROR'],
    });
    expect(byState(DOCUMENT360_STATES)).toEqual({ queued: ['Pending'], in_progress: ['InProgress', 'Processing'], succeeded: ['Completed'], failed: ['Failed'] });
    expect(byState(SENDAI_STATES)).toEqual({
      in_progress: ['PROCESSING'],
      action_required: ['REVIEWING', 'IN_REVIEW'],
      succeeded: ['COMPLETED'],
      partial: ['PARTIAL'],
      failed: ['FAILED'],
    });
    expect(byState(NULLSPACE_STATES)).toEqual({
      queued: ['created'],
      in_progress: ['uploading', 'staged', 'completing'],
      succeeded: ['completed'],
      canceled: ['aborted'],
      expired: ['expired'],
      failed: ['failed'],
    });
    expect([...TERMINAL_STATES].sort()).toEqual(['canceled', 'expired', 'failed', 'partial', 'succeeded']);
    expect(CANONICAL_STATES.filter(isTerminal)).toEqual(['succeeded', 'partial', 'failed', 'canceled', 'expired']);
  });
});
