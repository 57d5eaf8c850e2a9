/** What the README and the package manifest promise about the exit codes and the schema, checked against the code. */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { EXIT_CODES } from '../src/exit-codes.js';
import { schemaPath, unwrapHelp, upstat } from './support.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('exit codes: one table, the same everywhere', () => {
  it('the README lists exactly the codes of src/exit-codes.ts, and the same order for many refs', () => {
    const rows = [...readme.matchAll(/^\| (\d+) \| /gm)].map((match) => Number(match[1]));
    expect(rows.sort((a, b) => a - b)).toEqual(EXIT_CODES.map(({ code }) => code).sort((a, b) => a - b));
    expect(readme).toContain(`in this order: ${EXIT_CODES.map(({ code }) => code).join(', ')}`);
  });

  it('--help prints every row of the table with its meaning', async () => {
    const help = unwrapHelp((await upstat(['--help'])).stdout);
    for (const { code, meaning } of EXIT_CODES) expect(help).toContain(`  ${String(code).padEnd(5)}${meaning}`);
    expect(help).toContain(`in this order: ${EXIT_CODES.map(({ code }) => code).join(', ')}`);
  });
});

describe('the JSON Schema ships with the package', () => {
  it('resolves as @upstat/cli/schema/output.schema.json, is in "files", and is draft 2020-12', () => {
    const require = createRequire(import.meta.url);
    expect(require.resolve('@upstat/cli/schema/output.schema.json')).toBe(schemaPath);
    const manifest = require('../package.json') as { files: string[] };
    expect(manifest.files).toContain('schema');
    const schema = JSON.parse(readFileSync(schemaPath, 'utf8')) as { $schema: string };
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
  });
});
