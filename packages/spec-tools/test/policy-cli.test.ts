/** `upstat-spec diff` with a policy: the built bin in a child process, in a directory of its own. */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_POLICY, POLICY_HELP } from '../src/diff/policy-config.js';

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

  it('diff --help prints the policy flags with the defaults', async () => {
    const help = await run(['diff', '--help'], dir);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain(POLICY_HELP);
    expect(help.stdout).toContain(`(default ${DEFAULT_POLICY.stabilityDowngrade.join(',')})`);
  });
});
