#!/usr/bin/env node
// CI's second opinion on the breaking-change classifier: runs Redocly CLI's experimental `diff` over every
// fixture pair of packages/spec-tools/test/fixtures/diff and prints where it disagrees with upstat-spec about
// what breaks. Informational: disagreements are for a person to read, they do not fail the build.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { diffDocuments, secondOpinion } = await import(join(root, 'packages/spec-tools/dist/index.js'));
const directory = join(root, 'packages/spec-tools/test/fixtures/diff');

let disagreeing = 0;
const files = readdirSync(directory).filter((name) => name.endsWith('.yaml')).sort();
for (const name of files) {
  const fixture = parse(readFileSync(join(directory, name), 'utf8'));
  const ours = diffDocuments(fixture.old, fixture.new);
  const { disagreements, error } = secondOpinion(fixture.old, fixture.new, ours);
  if (error) {
    console.log(`${name}: second opinion unavailable (${error})`);
    continue;
  }
  if (disagreements.length === 0) continue;
  disagreeing += 1;
  console.log(`${name}:`);
  for (const item of disagreements) console.log(`  ${item.pointer}: upstat ${item.upstat}, Redocly ${item.redocly}${item.detail ? ` — ${item.detail}` : ''}`);
}
console.log(`second opinion (Redocly CLI diff): ${files.length - disagreeing} of ${files.length} fixture pairs agree on what breaks.`);
