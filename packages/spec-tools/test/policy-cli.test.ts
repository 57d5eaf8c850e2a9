/** `upstat-spec diff` with a policy: the built bin in a child process, in a directory of its own. */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_POLICY, POLICY_HELP } from '../src/diff/policy-config.js';
import type { SpecChange } from '../src/diff/types.js';

const bin = fileURLToPath(new URL('../bin/upstat-spec.js', import.meta.url));

function run(args: string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { cwd, timeout: 30_000, encoding: 'utf8' }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : null, stdout, stderr });
    });
  });
}

const OLD = `openapi: 3.1.0
info: {title: Books, version: 1.0.0}
paths:
  /books:
    get: {operationId: listBooks, deprecated: true, x-sunset: "2026-01-15", responses: {"200": {description: ok}}}
  /shelves:
    get: {operationId: listShelves, responses: {"200": {description: ok}}}
`;
const NEW = `openapi: 3.1.0
info: {title: Books, version: 1.0.0}
paths:
  /shelves:
    get: {operationId: listShelves, responses: {"200": {description: ok}}}
`;

describe('upstat-spec diff with a policy', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'upstat-policy-cli-'));
    await writeFile(join(dir, 'old.yaml'), OLD);
    await writeFile(join(dir, 'new.yaml'), NEW);
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('a removal after its sunset passes --fail-on breaking and shows the policy in --json; before it, it fails', async () => {
    const after = await run(['diff', 'old.yaml', 'new.yaml', '--json', '--today', '2026-06-01'], dir);
    expect(after.code).toBe(0);
    const report = JSON.parse(after.stdout) as { changes: { rule: string; severity: string; policy?: unknown }[]; summary: { breaking: number } };
    expect(report.summary.breaking).toBe(0);
    expect(report.changes).toContainEqual(expect.objectContaining({ rule: 'operation-removed', severity: 'non-breaking', policy: { applied: 'sunset-passed', originalSeverity: 'breaking', originalBreaks: 'compile' } }));
    const before = await run(['diff', 'old.yaml', 'new.yaml', '--today', '2026-01-14'], dir);
    expect(before.code).toBe(1);
    expect(before.stdout).toContain('Removed before its sunset on 2026-01-15');
  });

  it('with --output, the report goes to the file and the verdict with its counts to stderr, failing or passing', async () => {
    const failing = await run(['diff', 'old.yaml', 'new.yaml', '--today', '2026-01-14', '--output', 'report.md'], dir);
    expect(failing.code).toBe(1);
    expect(failing.stdout).toBe('');
    expect(failing.stderr).toBe('fails (--fail-on breaking): 1 breaking, 0 non-breaking, 0 docs-only change; the report is in report.md\n');
    const passing = await run(['diff', 'old.yaml', 'new.yaml', '--today', '2026-06-01', '--output', 'report.md'], dir);
    expect(passing.code).toBe(0);
    expect(passing.stderr).toMatch(/^passes: 0 breaking, \d+ non-breaking, \d+ docs-only changes?; the report is in report\.md\n$/);
  });

  it('reads upstat-spec.policy.yaml in the current directory; a flag overrides it', async () => {
    await writeFile(join(dir, 'upstat-spec.policy.yaml'), 'afterSunset: breaking\n');
    expect((await run(['diff', 'old.yaml', 'new.yaml', '--today', '2026-06-01'], dir)).code).toBe(1);
    expect((await run(['diff', 'old.yaml', 'new.yaml', '--today', '2026-06-01', '--after-sunset', 'non-breaking'], dir)).code).toBe(0);
  });

  it('a bad policy file or flag exits 2 naming it', async () => {
    await writeFile(join(dir, 'p.json'), '{"afterSunsett": "breaking"}');
    const file = await run(['diff', 'old.yaml', 'new.yaml', '--policy', 'p.json'], dir);
    expect(file).toMatchObject({ code: 2, stdout: '' });
    expect(file.stderr).toContain('p.json: unknown key "afterSunsett"');
    const flag = await run(['diff', 'old.yaml', 'new.yaml', '--stability-downgrade', 'gamma'], dir);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain('--stability-downgrade[0]: "gamma" is not a stability level');
  });

  describe('accepted changes and severity overrides', () => {
    // Two breaking changes to GET /uploads/{id} (test/fixtures/policy/uploads-*.yaml); accepted.yaml accepts both,
    // the first until 2027-01-01, and has one entry that matches nothing; overrides.yaml makes the first non-breaking.
    const fixtures = fileURLToPath(new URL('./fixtures/policy/', import.meta.url));
    beforeEach(async () => {
      for (const name of ['uploads-old.yaml', 'uploads-new.yaml', 'accepted.yaml', 'overrides.yaml']) await cp(join(fixtures, name), join(dir, name));
    });
    const uploads = (...args: string[]) => run(['diff', 'uploads-old.yaml', 'uploads-new.yaml', ...args], dir);

    it('accepted breaking changes exit 0 and are shown accepted, with the reason; the unmatched entry is a warning', async () => {
      expect((await uploads('--today', '2026-06-01')).code).toBe(1);
      const passing = await uploads('--policy', 'accepted.yaml', '--today', '2026-06-01');
      expect(passing.code).toBe(0);
      expect(passing.stdout).toContain('### Accepted');
      expect(passing.stdout).toContain('The facade maps paused to in-progress.');
      expect(passing.stderr).toBe('upstat-spec: accepted.yaml: accepted[2] (operation-removed at GET /shelves) matches no change.\n');
      const json = await uploads('--policy', 'accepted.yaml', '--today', '2026-06-01', '--json');
      expect(json.code).toBe(0);
      const report = JSON.parse(json.stdout) as { changes: SpecChange[]; summary: { breaking: number; accepted: number }; acceptance: { unmatched: { entry: string }[] } };
      expect(report.summary).toMatchObject({ breaking: 0, accepted: 2 });
      expect(report.changes.filter((change) => change.accepted !== undefined).map((change) => [change.severity, change.accepted?.reason])).toEqual([
        ['breaking', 'No caller reads note.'],
        ['breaking', 'The facade maps paused to in-progress.'],
      ]);
      expect(report.acceptance.unmatched.map((entry) => entry.entry)).toEqual(['accepted.yaml: accepted[2]']);
      // --fail-on still counts what is not accepted: here the optional parameter.
      expect((await uploads('--policy', 'accepted.yaml', '--today', '2026-06-01', '--fail-on', 'non-breaking')).code).toBe(1);
    });

    it('an expired entry accepts nothing: its change fails again, and the report and stderr say the entry expired', async () => {
      const expired = await uploads('--policy', 'accepted.yaml', '--today', '2027-01-01');
      expect(expired.code).toBe(1);
      expect(expired.stdout).toContain('accepted.yaml: accepted[0] (`response-enum-value-added` at `GET /uploads/{id}`) expired on 2027-01-01');
      expect(expired.stderr).toContain('upstat-spec: accepted.yaml: accepted[0] (response-enum-value-added at GET /uploads/{id}) expired on 2027-01-01');
    });

    it('reads the sections from upstat-spec.policy.yaml in the current directory too', async () => {
      await cp(join(dir, 'accepted.yaml'), join(dir, 'upstat-spec.policy.yaml'));
      const found = await uploads('--today', '2026-06-01', '--output', 'report.md');
      expect(found.code).toBe(0);
      expect(found.stderr).toContain('upstat-spec.policy.yaml: accepted[2] (operation-removed at GET /shelves) matches no change.');
    });

    it('a severity override changes the severity and the exit code, and the report says so', async () => {
      const overridden = await uploads('--policy', 'overrides.yaml', '--fail-on', 'breaking', '--json');
      const report = JSON.parse(overridden.stdout) as { changes: SpecChange[] };
      const enumAdded = report.changes.find((change) => change.rule === 'response-enum-value-added');
      expect(enumAdded).toMatchObject({ severity: 'non-breaking', overridden: { entry: 'overrides.yaml: severity.response-enum-value-added', originalSeverity: 'breaking' } });
      // With both breaking changes accepted the diff passes; the optional parameter, overridden to breaking, fails it.
      await writeFile(join(dir, 'accept-both.yaml'), [
        'accepted:',
        '  - {rule: response-enum-value-added, operation: "GET /uploads/{id}", reason: mapped}',
        '  - {rule: response-property-removed, operation: "GET /uploads/{id}", reason: unread}',
      ].join('\n'));
      expect((await uploads('--policy', 'accept-both.yaml')).code).toBe(0);
      await writeFile(join(dir, 'both.yaml'), `${await readFile(join(dir, 'accept-both.yaml'), 'utf8')}\nseverity:\n  request-parameter-added-optional: breaking\n`);
      const failing = await uploads('--policy', 'both.yaml');
      expect(failing.code).toBe(1);
      expect(failing.stdout).toContain('overridden by the policy (both.yaml: severity.request-parameter-added-optional)');
    });

    it('a bad entry exits 2 naming the file, the entry and the nearest rule ids', async () => {
      await writeFile(join(dir, 'typo.yaml'), 'accepted:\n  - {rule: response-enum-value-aded, operation: "GET /uploads/{id}", reason: mapped}\n');
      const typo = await uploads('--policy', 'typo.yaml');
      expect(typo).toMatchObject({ code: 2, stdout: '' });
      expect(typo.stderr).toContain('typo.yaml: accepted[0]: "rule": unknown rule id "response-enum-value-aded" (nearest: response-enum-value-added');
    });
  });

  it('diff --help prints the policy flags with the defaults', async () => {
    const help = await run(['diff', '--help'], dir);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain(POLICY_HELP);
    expect(help.stdout).toContain(`(default ${DEFAULT_POLICY.stabilityDowngrade.join(',')})`);
  });
});
