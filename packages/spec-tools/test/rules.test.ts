import { readFileSync, writeFileSync } from 'node:fs';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { allRules, rule, rulesMarkdown, type RuleId } from '../src/diff/rules.js';
import { loadFixtures } from './fixtures/diff/load.mjs';

const fixtures = loadFixtures();
const readmePath = fileURLToPath(new URL('../README.md', import.meta.url));
const START = '<!-- rules:start -->';
const END = '<!-- rules:end -->';

function readmeTable(readme: string): string {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start === -1 || end < start) throw new Error(`README.md has no ${START} … ${END} section`);
  return readme.slice(start + START.length, end).replace(/^\n+/, '');
}

describe('rules catalogue', () => {
  it('has a fixture for every rule, and every fixture names only catalogued rules with their catalogued severity', () => {
    const ids = new Set<string>(allRules().map((entry) => entry.id));
    const exercised = new Set<string>();
    for (const fixture of fixtures) {
      for (const change of fixture.expected) {
        expect(ids.has(change.rule), `${fixture.name}: rule ${change.rule} is not in src/diff/rules.ts`).toBe(true);
        const row = rule(change.rule as RuleId);
        expect({ severity: change.severity, breaks: change.breaks }, `${fixture.name}: ${change.rule}`).toEqual({ severity: row.severity, breaks: row.breaks });
        exercised.add(change.rule);
      }
    }
    const missing = [...ids].filter((id) => !exercised.has(id));
    expect(missing, 'rules without a fixture in test/fixtures/diff/').toEqual([]);
  });

  it('has literal ids that the checks emit verbatim (grepping an id finds its check)', () => {
    const directory = fileURLToPath(new URL('../src/diff/checks/', import.meta.url));
    const source = readdirSync(directory)
      .map((name) => readFileSync(`${directory}${name}`, 'utf8'))
      .join('\n');
    const silent = allRules()
      .map((entry) => entry.id)
      .filter((id) => !source.includes(`'${id}'`));
    expect(silent, 'rules no check emits').toEqual([]);
  });

  it('is the table in README.md (UPSTAT_WRITE_RULES_TABLE=1 npx vitest run test/rules.test.ts rewrites it)', () => {
    const readme = readFileSync(readmePath, 'utf8');
    const generated = rulesMarkdown();
    if (process.env.UPSTAT_WRITE_RULES_TABLE === '1') {
      const start = readme.indexOf(START) + START.length;
      writeFileSync(readmePath, `${readme.slice(0, start)}\n${generated}${readme.slice(readme.indexOf(END))}`);
      return;
    }
    expect(readmeTable(readme)).toBe(generated);
  });
});
