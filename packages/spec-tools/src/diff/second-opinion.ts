import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { JsonObject } from '../load.js';
import type { DiffResult, Severity } from './types.js';

const require = createRequire(import.meta.url);

interface RedoclyChange {
  path: string;
  property?: string;
  impact: 'major' | 'minor' | 'patch';
  verdicts?: { ruleId: string; impact: string; message: string }[];
}

export interface Disagreement {
  pointer: string;
  upstat: Severity | 'no change';
  redocly: Severity | 'no change';
  detail: string;
}

const IMPACT: Record<RedoclyChange['impact'], Severity> = { major: 'breaking', minor: 'non-breaking', patch: 'docs-only' };
const RANK: Record<Severity | 'no change', number> = { breaking: 0, 'non-breaking': 1, 'docs-only': 2, 'no change': 3 };

function redoclyBin(): string {
  const manifestPath = require.resolve('@redocly/cli/package.json');
  const manifest = require(manifestPath) as { bin: string | Record<string, string> };
  const bin = typeof manifest.bin === 'string' ? manifest.bin : (manifest.bin.redocly ?? '');
  return join(dirname(manifestPath), bin);
}

/**
 * Runs Redocly CLI's experimental `diff` (rules `diff-recommended`, JSON output, telemetry off) on the
 * same two documents and lists where its rating of a location differs from ours. A second opinion:
 * disagreements are printed for a person to judge, they do not fail anything.
 */
export function secondOpinion(before: JsonObject, after: JsonObject, ours: DiffResult): { disagreements: Disagreement[]; error?: string } {
  const work = mkdtempSync(join(tmpdir(), 'upstat-second-opinion-'));
  try {
    const files = { before: join(work, 'before.json'), after: join(work, 'after.json'), config: join(work, 'redocly.yaml') };
    writeFileSync(files.before, JSON.stringify(before));
    writeFileSync(files.after, JSON.stringify(after));
    writeFileSync(files.config, 'extends:\n  - diff-recommended\n');
    const run = spawnSync(process.execPath, [redoclyBin(), 'diff', files.before, files.after, '--format', 'json', '--config', files.config, '--fail-on', 'none'], {
      encoding: 'utf8',
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' },
      maxBuffer: 256 * 1024 * 1024,
    });
    const start = run.stdout.indexOf('{');
    if (start === -1) return { disagreements: [], error: `redocly diff printed no report: ${run.stderr.trim().slice(0, 500)}` };
    const report = JSON.parse(run.stdout.slice(start, run.stdout.lastIndexOf('}') + 1)) as { changes?: RedoclyChange[] };
    // Redocly reports a node path plus the property that changed; ours point at the property itself.
    const theirs = new Map<string, { severity: Severity; detail: string }>();
    for (const change of report.changes ?? []) {
      const pointer = `${change.path.replace(/^#/, '')}${change.property ? `/${change.property}` : ''}`;
      const detail = (change.verdicts ?? []).map((verdict) => `${verdict.ruleId}: ${verdict.message}`).join('; ') || change.impact;
      theirs.set(pointer, { severity: IMPACT[change.impact], detail });
    }
    const mine = new Map<string, Severity>();
    for (const change of ours.changes) {
      const current = mine.get(change.pointer);
      if (current === undefined || RANK[change.severity] < RANK[current]) mine.set(change.pointer, change.severity);
    }
    // The two tools point at neighbouring nodes for the same change (`…/name/type` vs `…/name/oneOf/1`,
    // `…/schema/required` vs `…/schema/properties/owner`): locations count as the same when one lies
    // under the parent of the other.
    const parent = (pointer: string) => pointer.slice(0, Math.max(pointer.lastIndexOf('/'), 0));
    const related = (a: string, b: string) => a.startsWith(parent(b)) || b.startsWith(parent(a));
    const breakingIn = (ratings: Map<string, Severity>, pointer: string) =>
      [...ratings].some(([other, severity]) => severity === 'breaking' && related(pointer, other));
    const theirRatings = new Map([...theirs].map(([pointer, { severity }]) => [pointer, severity]));
    const disagreements: Disagreement[] = [];
    for (const [pointer, severity] of mine) {
      if (severity === 'breaking' && !breakingIn(theirRatings, pointer)) {
        disagreements.push({ pointer, upstat: severity, redocly: theirRatings.get(pointer) ?? 'no change', detail: theirs.get(pointer)?.detail ?? '' });
      }
    }
    for (const [pointer, { severity, detail }] of theirs) {
      if (severity === 'breaking' && !breakingIn(mine, pointer)) {
        disagreements.push({ pointer, upstat: mine.get(pointer) ?? 'no change', redocly: severity, detail });
      }
    }
    return { disagreements };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
