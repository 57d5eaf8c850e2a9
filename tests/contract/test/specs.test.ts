import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { documentDigest, loadDocument, recordedDigest } from '@upstat/spec-tools';
import { describe, expect, it } from 'vitest';
import { PROVIDER_IDS } from '../src/specs.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const specsDir = join(repoRoot, 'specs');
// The project's source documents live beside the repository (../shared) on CI and on developer machines.
const pandadocSeed = join(repoRoot, '..', 'shared', 'seeds', '000_ede27a833ad27627.txt');

const providers = readdirSync(specsDir, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);

describe('specs/', () => {
  it('holds a spec directory for every provider of the registry, and nothing else', () => {
    expect(providers.sort()).toEqual([...PROVIDER_IDS].sort());
    expect(providers.length).toBeGreaterThan(0);
  });

  for (const provider of providers) {
    const provenance = readFileSync(join(specsDir, provider, 'PROVENANCE.md'), 'utf8');

    it(`${provider}: PROVENANCE.md records origin, source, vendor version, licence and date`, () => {
      for (const field of ['Origin', 'Source', 'Vendor version', 'Licence']) expect(provenance).toContain(`**${field}:**`);
      expect(provenance).toMatch(/\*\*(Retrieved|Written):\*\* \d{4}-\d{2}-\d{2}/);
    });

    if (provenance.includes('**Origin:** vendored')) {
      it(`${provider}: the vendored spec is unchanged since it was recorded (digest in PROVENANCE.md)`, async () => {
        const specFile = readdirSync(join(specsDir, provider)).find((name) => name.startsWith('openapi.'));
        expect(specFile).toBeDefined();
        const document = await loadDocument(join(specsDir, provider, specFile ?? ''));
        expect(recordedDigest(provenance)).toBe(documentDigest(document));
      });
    }
  }

  it.runIf(existsSync(pandadocSeed))('pandadoc: openapi.json parses to exactly the document embedded in the vendor page', async () => {
    const page = readFileSync(pandadocSeed, 'utf8');
    const start = page.indexOf('````json') + '````json'.length;
    const vendorDocument = JSON.parse(page.slice(start, page.lastIndexOf('````'))) as unknown;
    expect(await loadDocument(join(specsDir, 'pandadoc', 'openapi.json'))).toStrictEqual(vendorDocument);
  });
});
