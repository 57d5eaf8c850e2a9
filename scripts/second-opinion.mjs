#!/usr/bin/env node
// CI's second opinion on the breaking-change classifier: runs Redocly CLI's experimental `diff` over every
// fixture pair of packages/spec-tools/test/fixtures/diff and prints where it disagrees with upstat-spec about
// what breaks. Informational: disagreements are for a person to read, they do not fail the build.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { diffDocuments, secondOpinion } = await import(join(root, 'packages/spec-tools/dist/index.js'));
// Each fixture is a shared base document plus edits; the loader builds the two whole documents.
const { loadFixtures } = await import(join(root, 'packages/spec-tools/test/fixtures/diff/load.mjs'));

let disagreeing = 0;
const fixtures = loadFixtures();
for (const fixture of fixtures) {
  const name = `${fixture.name}.yaml`;
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
console.log(`second opinion (Redocly CLI diff): ${fixtures.length - disagreeing} of ${fixtures.length} fixture pairs agree on what breaks.`);
