/**
 * `pnpm spec:update` end to end, each case on a fresh temporary copy of the repository: the update
 * rewrites the spec, provenance, generated client, diff report and changeset, then type-checks the
 * regenerated client (its definition included) and everything that depends on it.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { documentDigest, parseDocumentText } from '@upstat/spec-tools';
import { afterEach, describe, expect, it } from 'vitest';
import { copyRepo, snapshot, spec } from '@upstat/test-support';

let copy: ReturnType<typeof copyRepo> | undefined;
afterEach(() => {
  copy?.remove();
  copy = undefined;
});

const read = (root: string, path: string) => readFileSync(join(root, path), 'utf8');
function changesets(root: string): string[] {
  return readdirSync(join(root, '.changeset')).filter((name) => name.startsWith('nullspace-spec-'));
}

describe('spec:update nullspace', () => {
  it('a new status enum value: breaking report, major changeset, regenerated client, and a type check naming the unmapped value in the provider definition', () => {
    copy = copyRepo();
    const { root } = copy;
    const current = read(root, 'specs/nullspace/openapi.yaml');
    const statusEnum = 'enum: [created, uploading, staged, completing, completed, aborted, expired, failed]';
    expect(current).toContain(statusEnum);
    const next = current.replace(statusEnum, 'enum: [created, uploading, paused, staged, completing, completed, aborted, expired, failed]');
    const source = join(root, 'incoming-nullspace.yaml');
    writeFileSync(source, next);

    const run = spec(root, 'update', 'nullspace', source, '--today', '2026-11-22');
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('nullspace: 1 breaking, 0 non-breaking, 0 docs-only change(s) → major bump.');

    // The spec is the new document, verbatim; its provenance records the update.
    expect(read(root, 'specs/nullspace/openapi.yaml')).toBe(next);
    const provenance = read(root, 'specs/nullspace/PROVENANCE.md');
    expect(provenance).toContain(`- **Document digest:** \`${documentDigest(parseDocumentText(next, 'x.yaml'))}\``);
    expect(provenance).toContain('- **Retrieved:** 2026-11-22');
    expect(provenance).toMatch(/## Updates\n\n- 2026-11-22: replaced from `.*incoming-nullspace\.yaml` by `upstat-spec update` .*1 breaking/);

    // The report and the changeset.
    const report = read(root, 'specs/nullspace/last-diff.md');
    expect(report).toContain('**1 breaking**, 0 non-breaking, 0 docs-only.');
    expect(report).toContain("`response-enum-value-added` — response 200 (application/json) `status`: enum gained 'paused'");
    const [changeset, ...others] = changesets(root);
    expect(others).toEqual([]);
    expect(changeset).toMatch(/^nullspace-spec-2026-11-22-[0-9a-f]{8}\.md$/);
    expect(read(root, `.changeset/${changeset ?? ''}`)).toMatch(/^---\n"@upstat\/nullspace": major\n"@upstat\/providers": major\n---\n/);

    // The client was regenerated, and its definition no longer compiles until `paused` is mapped.
    expect(read(root, 'packages/nullspace/src/generated/openapi.ts')).toContain('"created" | "uploading" | "paused" | "staged"');
    expect(read(root, 'packages/nullspace/openapi.json')).toContain('"paused"');
    expect(run.stderr).toContain('type check failed');
    // tsc (through the provider's build or typecheck task) names the state table and the value to map.
    expect(run.stderr).toMatch(/@upstat\/nullspace:(build|typecheck): src\/definition\.ts\(\d+,\d+\): error TS\d+:[^\n]*Property 'paused' is missing/);
  });

  it('a new optional response field: minor changeset and a green type check', () => {
    copy = copyRepo();
    const { root } = copy;
    const current = read(root, 'specs/nullspace/openapi.yaml');
    const anchor = '        whole_checksum_sha256:\n          type: string\n';
    expect(current).toContain(anchor);
    const next = current.replace(anchor, `${anchor}        stalled_since:\n          type: string\n          format: date-time\n`);
    const source = join(root, 'incoming-nullspace.yaml');
    writeFileSync(source, next);

    const run = spec(root, 'update', 'nullspace', source, '--today', '2026-11-22');
    expect(run.stderr).not.toContain('type check failed');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('nullspace: 0 breaking, 1 non-breaking, 0 docs-only change(s) → minor bump.');
    expect(run.stdout).toContain('type check: passed');
    const [changeset] = changesets(root);
    expect(read(root, `.changeset/${changeset ?? ''}`)).toMatch(/^---\n"@upstat\/nullspace": minor\n"@upstat\/providers": minor\n---\n/);
    expect(read(root, 'packages/nullspace/src/generated/openapi.ts')).toContain('stalled_since?: string;');
  });

  it('writes nothing when the overlay no longer applies, naming the action', () => {
    copy = copyRepo();
    const { root } = copy;
    const watched = ['specs', 'packages/nullspace/src', '.changeset'];
    const before = snapshot(root, watched);
    const current = read(root, 'specs/nullspace/openapi.yaml');
    // The vendor moved the sample: the overlay's fix for it has nothing to apply to.
    const next = current.replace('              # The response sample exactly as the reference page shows it.\n              example:', '              x-sample:');
    expect(next).not.toBe(current);
    const source = join(root, 'incoming-nullspace.yaml');
    writeFileSync(source, next);

    const run = spec(root, 'update', 'nullspace', source);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('overlay action(s) matched nothing');
    expect(snapshot(root, watched)).toEqual(before);
  });
});
