import { plantedReleases } from '@upstat/test-support';
import { describe, expect, it } from 'vitest';
import { diffDocuments } from '../src/diff/classify.js';

describe('diff at scale', () => {
  it('finds exactly the planted changes between two ~900 KB documents', () => {
    const { before, after } = plantedReleases();
    const size = JSON.stringify(before).length;
    expect(size).toBeGreaterThan(850_000);
    expect(size).toBeLessThan(1_100_000);

    const started = performance.now();
    const result = diffDocuments(before, after);
    const elapsed = performance.now() - started;
    // Timing is reported, not asserted (benchmarks keep budgets; tests do not).
    console.log(`diffed two ${Math.round(size / 1024)} KB documents in ${Math.round(elapsed)} ms`);

    expect(result.changes.map((change) => `${change.severity} ${change.rule} ${change.operation ?? ''} ${change.pointer.split('/schema/')[1] ?? ''}`).sort()).toEqual([
      'breaking operation-removed GET /v1/collection7/{resource_id} ',
      'breaking response-enum-value-added GET /v1/collection12/{resource_id} properties/status/enum',
      'breaking response-property-removed GET /v1/collection40/{resource_id} properties/labels',
      // Every third schema refers to the next one: Resource39.related is a Resource40.
      'breaking response-property-removed GET /v1/collection39/{resource_id} properties/related/properties/labels',
    ].sort());
  });
});
