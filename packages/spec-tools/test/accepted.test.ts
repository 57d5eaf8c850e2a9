/**
 * The policy file's accepted changes and severity overrides (src/diff/accepted.ts, read by src/diff/policy-config.ts):
 * what they match, what they do to the summary, the report and the bump, and how a bad entry is refused. Then `check`
 * and `update` on a throwaway repository (the built CLI, as a child process) with a policy file at its root.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { acceptChanges, matches } from '../src/diff/accepted.js';
import { diffDocuments } from '../src/diff/classify.js';
import { applyPolicy } from '../src/diff/policy.js';
import { catalogueRuleIds, loadPolicyFile, parsePolicy, PolicyConfigError, resolvePolicy } from '../src/diff/policy-config.js';
import { impliedBump, markdownReport } from '../src/diff/report.js';
import { allRules } from '../src/diff/rules.js';
import type { AcceptanceEntry, SpecChange } from '../src/diff/types.js';
import { loadDocument, type JsonObject } from '../src/load.js';

const RULE_IDS = await catalogueRuleIds();

const fixtures = fileURLToPath(new URL('./fixtures/policy/', import.meta.url));
const fixture = (name: string) => join(fixtures, name);

/** The uploads fixture pair judged with a policy file (by path) on a date. */
async function judged(policyFile: string | undefined, today: string) {
  const before = await loadDocument(fixture('uploads-old.yaml'));
  const after = await loadDocument(fixture('uploads-new.yaml'));
  const resolved = await resolvePolicy({ policy: policyFile, today }, { cwd: fixtures });
  const classified = diffDocuments(before, after);
  return { classified, result: acceptChanges(applyPolicy(classified, before, after, { ...resolved }), resolved.accepted, today) };
}
const byRule = (changes: SpecChange[], rule: string) => {
  const found = changes.filter((change) => change.rule === rule);
  if (found.length !== 1) throw new Error(`expected one ${rule}, got ${found.length}`);
  return found[0] as SpecChange;
};

describe('accepted changes', () => {
  it('reads the entries, naming each by file and index', async () => {
    const { accepted = [] } = await loadPolicyFile(fixture('accepted.yaml'), 'accepted.yaml');
    expect(accepted.map((entry) => entry.entry)).toEqual(['accepted.yaml: accepted[0]', 'accepted.yaml: accepted[1]', 'accepted.yaml: accepted[2]']);
    expect(accepted[0]).toMatchObject({ rule: 'response-enum-value-added', operation: 'GET /uploads/{id}', expires: '2027-01-01' });
  });

  it('an entry matches its rule at its pointer or under it (segment by segment), in its operation', () => {
    const change: SpecChange = { rule: 'response-property-removed', severity: 'breaking', pointer: '/paths/~1a~1b/get/responses/200', operation: 'GET /a/b', message: 'm' };
    const entry = (fields: Partial<AcceptanceEntry>): AcceptanceEntry => ({ entry: 'p', rule: change.rule, reason: 'r', ...fields });
    expect(matches(entry({ pointer: change.pointer }), change)).toBe(true);
    expect(matches(entry({ pointer: '/paths/~1a~1b' }), change)).toBe(true);
    expect(matches(entry({ pointer: '/paths/~1a~1b/get/responses/20' }), change)).toBe(false);
    expect(matches(entry({ pointer: `${change.pointer}/content` }), change)).toBe(false);
    expect(matches(entry({ operation: 'GET /a/b' }), change)).toBe(true);
    expect(matches(entry({ operation: 'GET /a' }), change)).toBe(false);
    expect(matches(entry({ operation: 'GET /a/b', pointer: '/paths/~1c' }), change)).toBe(false);
    expect(matches(entry({ rule: 'response-property-added', operation: 'GET /a/b' }), change)).toBe(false);
  });

  it('accepted changes stay, keep their severity and count only as accepted; an unmatched entry is reported', async () => {
    const { classified, result } = await judged(fixture('accepted.yaml'), '2026-06-01');
    expect(result.changes).toHaveLength(classified.changes.length);
    for (const rule of ['response-enum-value-added', 'response-property-removed']) {
      expect(byRule(result.changes, rule)).toMatchObject({ severity: 'breaking', accepted: { rule } });
    }
    expect(result.summary).toEqual({ breaking: 0, nonBreaking: classified.summary.nonBreaking, docsOnly: classified.summary.docsOnly, accepted: 2 });
    expect(result.acceptance?.unmatched.map((entry) => entry.rule)).toEqual(['operation-removed']);
    expect(result.acceptance?.expired).toEqual([]);
    // An accepted breaking change bumps minor; without the policy file the same diff bumps major.
    expect(impliedBump(result)).toBe('minor');
    expect(impliedBump((await judged(undefined, '2026-06-01')).result)).toBe('major');
  });

  it('without entries, the result is what the policy made it (no accepted count, no acceptance report)', async () => {
    const before = await loadDocument(fixture('uploads-old.yaml'));
    const after = await loadDocument(fixture('uploads-new.yaml'));
    const judgedOnly = applyPolicy(diffDocuments(before, after), before, after, { today: '2026-06-01' });
    expect(acceptChanges(judgedOnly, [], '2026-06-01')).toEqual(judgedOnly);
  });

  it('an entry expires on its date: from then on its change counts again and the entry is reported', async () => {
    const dayBefore = (await judged(fixture('accepted.yaml'), '2026-12-31')).result;
    expect(byRule(dayBefore.changes, 'response-enum-value-added').accepted).toBeDefined();
    const { result } = await judged(fixture('accepted.yaml'), '2027-01-01');
    const change = byRule(result.changes, 'response-enum-value-added');
    expect(change.accepted).toBeUndefined();
    expect(change.acceptanceExpired).toMatchObject({ expires: '2027-01-01' });
    expect(result.summary.breaking).toBe(1);
    expect(result.acceptance?.expired.map((entry) => entry.rule)).toEqual(['response-enum-value-added']);
    expect(impliedBump(result)).toBe('major');
  });

  it('the Markdown report lists accepted changes under Accepted with the reason, and the entries that accepted nothing', async () => {
    const { result } = await judged(fixture('accepted.yaml'), '2027-01-01');
    const report = markdownReport(result, 'old → new');
    const accepted = byRule(result.changes, 'response-property-removed');
    const section = report.slice(report.indexOf('### Accepted'));
    expect(section).toContain(`\`${accepted.rule}\``);
    expect(section).toContain(accepted.accepted?.reason);
    expect(report).toContain(`**${result.summary.breaking} breaking**, ${result.summary.nonBreaking} non-breaking, ${result.summary.docsOnly} docs-only, 1 accepted.`);
    const policySection = report.slice(report.indexOf('## Policy file'), report.indexOf('## `'));
    expect(policySection).toContain('accepted[0]');
    expect(policySection).toContain('expired on 2027-01-01');
    expect(policySection).toContain('accepted[2]');
    expect(policySection).toContain('matches no change');
  });

  it.each([
    ['accepted-unknown-rule.yaml', /accepted-unknown-rule\.yaml: accepted\[0\]: "rule": unknown rule id "response-enum-value-aded" \(nearest: response-enum-value-added,/],
    ['severity-unknown-rule.json', /severity-unknown-rule\.json: "severity": unknown rule id "operation-remove" \(nearest: operation-removed,/],
  ])('rejects %s, naming the file, the entry and the nearest rule ids', async (name, message) => {
    const error: unknown = await loadPolicyFile(fixture(name)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PolicyConfigError);
    expect((error as Error).message).toMatch(message);
  });

  const entry = { rule: 'operation-removed', operation: 'GET /a', reason: 'Gone on purpose.' };
  it.each([
    [{ accepted: [{ ...entry, reason: ' ' }] }, 'p.yaml: accepted[0]: "reason" is required'],
    [{ accepted: [{ rule: entry.rule, reason: entry.reason }] }, 'p.yaml: accepted[0]: needs "pointer"'],
    [{ accepted: [{ ...entry, expires: '2026-02-30' }] }, 'p.yaml: accepted[0]: "expires": expected a date as YYYY-MM-DD, got "2026-02-30"'],
    [{ accepted: [entry, { ...entry, pointer: 'paths/~1a' }] }, 'p.yaml: accepted[1]: "pointer": expected a JSON pointer'],
    [{ accepted: [{ ...entry, pointer: '' }] }, 'p.yaml: accepted[0]: "pointer": expected a JSON pointer'],
    [{ accepted: [{ ...entry, operation: '/a' }] }, 'p.yaml: accepted[0]: "operation": expected a method and a path'],
    [{ accepted: [{ ...entry, why: 'x' }] }, 'p.yaml: accepted[0]: unknown key "why"'],
    [{ accepted: [{ operation: 'GET /a', reason: 'x' }] }, 'p.yaml: accepted[0]: "rule" is required'],
    [{ accepted: entry }, 'p.yaml: "accepted": expected a list of entries'],
    [{ severity: { 'operation-removed': 'minor' } }, 'p.yaml: severity.operation-removed: expected "breaking", "non-breaking", "docs-only", got "minor"'],
    [{ severity: ['operation-removed'] }, 'p.yaml: "severity": expected an object mapping rule ids'],
  ])('rejects a bad entry, naming it: %o', (file, message) => {
    expect(() => parsePolicy(file, 'p.yaml', RULE_IDS)).toThrow(PolicyConfigError);
    expect(() => parsePolicy(file, 'p.yaml', RULE_IDS)).toThrow(message);
  });

  it("the README's example policy file is one the loader accepts", () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('### Accepted changes and severity overrides'));
    const example = /```yaml\n([\s\S]*?)```/.exec(section)?.[1];
    expect(example).toBeDefined();
    const parsed = parsePolicy(parse(String(example)), 'README', RULE_IDS);
    expect(parsed.severity).toHaveLength(1);
    expect(parsed.accepted).toHaveLength(1);
  });

  it('takes every rule id of the catalogue', () => {
    const ids = allRules().map((rule) => rule.id as string);
    const parsed = parsePolicy({ severity: Object.fromEntries(ids.map((id) => [id, 'docs-only'])) }, 'p.yaml', RULE_IDS);
    expect(parsed.severity?.map((override) => override.rule)).toEqual(ids);
  });
});

describe('severity overrides', () => {
  it('replace the rule\'s severity, recording the catalogue\'s, before --fail-on and the bump see it', async () => {
    const { classified, result } = await judged(fixture('overrides.yaml'), '2026-06-01');
    const enumAdded = byRule(result.changes, 'response-enum-value-added');
    const original = byRule(classified.changes, 'response-enum-value-added');
    expect(enumAdded).toMatchObject({ severity: 'non-breaking', overridden: { originalSeverity: original.severity, originalBreaks: original.breaks } });
    expect(enumAdded.breaks).toBeUndefined();
    expect(enumAdded.overridden?.entry).toMatch(/overrides\.yaml: severity\.response-enum-value-added$/);
    expect(byRule(result.changes, 'request-parameter-added-optional')).toMatchObject({ severity: 'breaking', overridden: { originalSeverity: 'non-breaking' } });
    // The rules not overridden keep the catalogue's severity.
    expect(byRule(result.changes, 'response-property-removed')).toEqual(byRule(classified.changes, 'response-property-removed'));
    expect(markdownReport(result, 'old → new')).toContain('overridden by the policy');
  });

  it('apply before the policy: a change made breaking on a draft operation is downgraded by its stability level', () => {
    const doc = (withParameter: boolean): JsonObject => ({
      openapi: '3.1.0',
      info: { title: 'T', version: '1' },
      paths: {
        '/a': {
          get: {
            'x-stability-level': 'draft',
            parameters: withParameter ? [{ name: 'q', in: 'query', schema: { type: 'string' } }] : [],
            responses: { '200': { description: 'ok' } },
          },
        },
      },
    });
    const severity = parsePolicy({ severity: { 'request-parameter-added-optional': 'breaking' } }, 'p.yaml', RULE_IDS).severity;
    const result = applyPolicy(diffDocuments(doc(false), doc(true)), doc(false), doc(true), { severity, today: '2026-06-01' });
    expect(byRule(result.changes, 'request-parameter-added-optional')).toMatchObject({
      severity: 'non-breaking',
      policy: { applied: 'stability-level', originalSeverity: 'breaking' },
      overridden: { originalSeverity: 'non-breaking' },
    });
  });
});

describe('check and update with a policy file (the built CLI)', () => {
  const cli = fileURLToPath(new URL('../bin/upstat-spec.js', import.meta.url));
  let work: string;
  const run = (...args: string[]) =>
    new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, [cli, ...args], { cwd: work, timeout: 120_000 }, (error, stdout, stderr) => {
        resolve({ status: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
      });
    });

  beforeAll(async () => {
    // A throwaway repository: specs/uploads (the old side) and its generated client packages/uploads.
    work = await mkdtemp(join(tmpdir(), 'upstat-accepted-'));
    await writeFile(join(work, 'pnpm-workspace.yaml'), 'packages: []\n');
    await mkdir(join(work, 'specs', 'uploads'), { recursive: true });
    await mkdir(join(work, 'packages', 'uploads'), { recursive: true });
    await mkdir(join(work, '.changeset'), { recursive: true });
    await cp(fixture('uploads-old.yaml'), join(work, 'specs', 'uploads', 'openapi.yaml'));
    await writeFile(join(work, 'specs', 'uploads', 'PROVENANCE.md'), '# Uploads\n\n- **Origin:** vendored\n- **Retrieved:** 2026-01-01\n');
    await writeFile(join(work, 'packages', 'uploads', 'package.json'), JSON.stringify({ name: '@upstat/uploads' }));
    const generated = await run('generate', 'specs/uploads', '--out', 'packages/uploads');
    expect(generated.stderr).toBe('');
    await cp(fixture('uploads-new.yaml'), join(work, 'new.yaml'));
    await cp(fixture('accepted.yaml'), join(work, 'upstat-spec.policy.yaml'));
  }, 120_000);
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('check passes with the breaking changes accepted, shows them and warns about the unmatched entry; fails once one expires', async () => {
    const passing = await run('check', 'uploads', 'new.yaml', '--today', '2026-06-01');
    expect(passing.status).toBe(0);
    expect(passing.stdout).toContain('### Accepted');
    expect(passing.stdout).toContain('No caller reads note.');
    expect(passing.stderr).toMatch(/upstat-spec\.policy\.yaml: accepted\[2\] \(operation-removed at GET \/shelves\) matches no change/);
    const expired = await run('check', 'uploads', 'new.yaml', '--today', '2027-01-01', '--json');
    expect(expired.status).toBe(1);
    expect(expired.stderr).toContain('accepted[0] (response-enum-value-added at GET /uploads/{id}) expired on 2027-01-01');
    const report = JSON.parse(expired.stdout) as { summary: { breaking: number; accepted: number }; acceptance: { expired: { entry: string }[] } };
    expect(report.summary).toMatchObject({ breaking: 1, accepted: 1 });
    expect(report.acceptance.expired.map((entry) => entry.entry)).toEqual(['upstat-spec.policy.yaml: accepted[0]']);
  });

  it('update bumps minor for accepted breaking changes and writes them, accepted, into last-diff.md and the changeset', async () => {
    const updated = await run('update', 'uploads', 'new.yaml', '--today', '2026-06-01');
    expect(updated.stderr).toContain('accepted[2] (operation-removed at GET /shelves) matches no change');
    expect(updated.status).toBe(0);
    expect(updated.stdout).toContain('→ minor bump.');
    const [changeset] = (await readdir(join(work, '.changeset'))).filter((name) => name.endsWith('.md'));
    const text = await readFile(join(work, '.changeset', String(changeset)), 'utf8');
    expect(text).toContain('"@upstat/uploads": minor');
    expect(text).toContain('breaking (compile), accepted:');
    const lastDiff = await readFile(join(work, 'specs', 'uploads', 'last-diff.md'), 'utf8');
    expect(lastDiff).toContain('### Accepted');
    expect(lastDiff).toContain('upstat-spec.policy.yaml: accepted[2]');
    expect(lastDiff).not.toContain(work);
  });
});
