/**
 * `pnpm spec:update` end to end, each case on a fresh temporary copy of the repository: the update
 * rewrites the spec, provenance, generated client, diff report and changeset, then type-checks the
 * regenerated client (its definition included), and everything that depends on it when the client's declarations
 * changed (scripts/spec-typecheck.mjs).
 *
 * Why this file exists: each case needs a copy of the repository (an update rewrites specs, packages and changesets)
 * and real builds and type checks in it, the one way to show the compiler naming what a vendor's change breaks.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { documentDigest, parseDocumentText } from '@upstat/spec-tools';
import { afterEach, describe, expect, it } from 'vitest';
import { copyRepo, snapshot, spec } from '@upstat/test-support';
import { PANDADOC_COVERED, PANDADOC_OPERATION, wholePandadoc } from '../src/whole-document.js';

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
    // tsc (through the provider's build, or the type check of scripts/typecheck.mjs) names the state table and the
    // value to map.
    expect(run.stderr).toMatch(/(@upstat\/nullspace:build: |packages\/nullspace\/)src\/definition\.ts\(\d+,\d+\): error TS\d+:[^\n]*Property 'paused' is missing/);
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
    // The client's declarations changed: everything that depends on it was type-checked too.
    expect(run.stdout).toContain('type check: passed\nchecked: @upstat/nullspace, then every package that depends on it (its declarations changed)');
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

describe('spec:update pandadoc with the vendor\'s whole document', () => {
  it('vendors the whole document, ships only the covered operation, and lets changes outside it make no bump', () => {
    copy = copyRepo();
    const { root } = copy;
    const typesBefore = read(root, 'packages/pandadoc/src/generated/openapi.ts');
    const effectiveBefore = JSON.parse(read(root, 'packages/pandadoc/openapi.json')) as { paths: object; info: { version: string } };

    // A new release of the whole document: only its version changes for the covered operation.
    const whole = wholePandadoc(root);
    const source = join(root, 'pandadoc-8.8.0.json');
    writeFileSync(source, JSON.stringify(whole));
    const run = spec(root, 'update', 'pandadoc', source, '--today', '2026-11-30');
    expect(run.stderr).not.toContain('type check failed');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(
      "pandadoc: 0 breaking, 0 non-breaking, 1 docs-only change(s) → patch bump. 95 operations outside this client's scope changed (95 added, 0 removed, 0 changed).",
    );
    // A new version number changes no declaration the client publishes: no dependent can type differently.
    expect(run.stdout).toContain('type check: passed\nchecked: @upstat/pandadoc only (its declarations are unchanged');

    // specs/ holds the vendor's whole document (pretty-printed); the package ships the covered operation only.
    expect(read(root, 'specs/pandadoc/openapi.json')).toBe(`${JSON.stringify(whole, null, 2)}\n`);
    const effective = JSON.parse(read(root, 'packages/pandadoc/openapi.json')) as { paths: object; info: { version: string }; components: { schemas: object } };
    expect(Object.keys(effective.paths)).toEqual([PANDADOC_OPERATION]);
    expect(Object.keys(effective.components.schemas)).toEqual(['UploadSectionStatusEnum', 'UploadSectionStatusResponse']);
    expect({ ...effective, info: effectiveBefore.info }).toEqual(effectiveBefore);
    expect(effective.info.version).toBe('8.8.0');
    expect(read(root, 'packages/pandadoc/src/generated/openapi.ts').length).toBeLessThanOrEqual(typesBefore.length);

    // PROVENANCE.md: where it is published (kept), the version, the digest of the download, what was kept.
    const provenance = read(root, 'specs/pandadoc/PROVENANCE.md');
    expect(provenance).toContain('- **Published at:** https://raw.githubusercontent.com/PandaDoc/pandadoc-openapi-specification/main/openapi.json');
    expect(provenance).toContain('- **Vendor version:** `info.version` 8.8.0');
    expect(provenance).toContain(`- **Document digest:** \`${documentDigest(whole)}\``);
    expect(provenance).toContain(`- **Covered:** \`${PANDADOC_COVERED}\` — 1 of 96 paths kept in the effective spec`);
    const report = read(root, 'specs/pandadoc/last-diff.md');
    expect(report).toContain("95 operations outside this client's scope changed (95 added, 0 removed, 0 changed).");
    const changesetNames = readdirSync(join(root, '.changeset')).filter((name) => name.startsWith('pandadoc-spec-'));
    expect(changesetNames).toHaveLength(1);
    expect(read(root, `.changeset/${changesetNames[0] ?? ''}`)).toMatch(/^---\n"@upstat\/pandadoc": patch\n"@upstat\/providers": patch\n---\n/);

    // The next release changes only operations the client does not cover: one line, no bump, nothing written.
    const watched = ['specs', 'packages/pandadoc/src', '.changeset'];
    const before = snapshot(root, watched);
    const outside = join(root, 'pandadoc-8.8.1.json');
    writeFileSync(outside, JSON.stringify(wholePandadoc(root, { version: '8.8.0', outsideChange: true })));
    const second = spec(root, 'update', 'pandadoc', outside, '--today', '2026-12-07');
    expect(second.status).toBe(0);
    expect(second.stdout).toContain(
      `pandadoc: ${outside} makes no change to the effective spec; nothing written. 95 operations outside this client's scope changed (0 added, 0 removed, 95 changed).`,
    );
    expect(snapshot(root, watched)).toEqual(before);

    // A release that only rewords the covered operation's descriptions: a patch, and new JSDoc in the client's
    // declarations but not one new type, so nothing that depends on it is checked again.
    const reworded = join(root, 'pandadoc-8.8.2.json');
    writeFileSync(reworded, JSON.stringify(wholePandadoc(root, { version: '8.8.2', coveredDescriptions: true })));
    const declarationsBefore = read(root, 'packages/pandadoc/dist/index.d.ts');
    const third = spec(root, 'update', 'pandadoc', reworded, '--today', '2026-12-14');
    expect(third.stderr).not.toContain('type check failed');
    expect(third.status).toBe(0);
    expect(third.stdout).toMatch(/pandadoc: 0 breaking, 0 non-breaking, [1-9]\d* docs-only change\(s\) → patch bump\./);
    expect(read(root, 'packages/pandadoc/dist/index.d.ts')).not.toBe(declarationsBefore);
    expect(third.stdout).toContain('type check: passed\nchecked: @upstat/pandadoc only (its declarations are unchanged');
  });
});
