#!/usr/bin/env node
// Copies every ```ts block of every README (the root's and each package's) into examples/ as a module of
// its own, headed by where it came from, so `tsc` type-checks the documentation against the real packages.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const out = join(here, 'examples');

const readmes = [join(root, 'README.md')];
for (const group of ['packages', 'tests']) {
  for (const name of readdirSync(join(root, group))) {
    const readme = join(root, group, name, 'README.md');
    if (existsSync(readme)) readmes.push(readme);
  }
}

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
let count = 0;
for (const readme of readmes) {
  const lines = readFileSync(readme, 'utf8').split('\n');
  const source = relative(root, readme);
  for (let index = 0; index < lines.length; index++) {
    if (!/^```(ts|typescript)\s*$/.test(lines[index] ?? '')) continue;
    const start = index + 1;
    const end = lines.findIndex((line, at) => at > index && line.startsWith('```'));
    if (end === -1) throw new Error(`${source}:${index + 1}: unterminated code block`);
    const name = `${source.replace(/[/\\]/g, '__').replace(/\.md$/, '')}__line-${start}.ts`;
    // `export {}` makes each example a module (top-level await, no clashes between examples).
    writeFileSync(join(out, name), `// ${source}, line ${start}\n${lines.slice(start, end).join('\n')}\nexport {};\n`);
    count += 1;
    index = end;
  }
}
console.log(`extracted ${count} TypeScript examples from ${readmes.length} READMEs into ${relative(root, out)}/`);
