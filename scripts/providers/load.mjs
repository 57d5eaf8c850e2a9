// Loads every provider definition (`packages/<id>/src/definition.ts`) for the generator: esbuild bundles the
// TypeScript with core's source (so nothing needs building first; the generated types it imports are types
// only), and the bundle is imported from memory. Checks what the type system cannot: the id matches the
// directories, the ref's path parameters are the operation's.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { parse as parseYaml } from 'yaml';

export class DefinitionError extends Error {
  name = 'DefinitionError';
}

const ID = /^[a-z][a-z0-9]*$/;
const TYPE_NAME = /^[A-Z][A-Za-z0-9]*$/;
const METHOD = /^[a-z][A-Za-z0-9]*$/;
const SPEC_FILES = ['openapi.json', 'openapi.yaml', 'openapi.yml'];

/** The directories that hold a provider: `packages/<id>/src/definition.ts`, sorted by id. */
export function providerIds(root) {
  return readdirSync(join(root, 'packages'))
    .filter((name) => existsSync(join(root, 'packages', name, 'src', 'definition.ts')))
    .sort();
}

async function importDefinition(root, id) {
  const entry = join(root, 'packages', id, 'src', 'definition.ts');
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'neutral',
    logLevel: 'silent',
    alias: { '@upstat/core': join(root, 'packages', 'core', 'src', 'index.ts') },
    // Core's client imports openapi-fetch; resolve it where core does.
    nodePaths: [join(root, 'packages', 'core', 'node_modules')],
  }).catch((error) => {
    throw new DefinitionError(`packages/${id}/src/definition.ts does not build: ${error.message}`);
  });
  const code = result.outputFiles[0].text;
  const module = await import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`);
  if (module.definition === undefined) throw new DefinitionError(`packages/${id}/src/definition.ts must export \`definition\` (made with defineProvider)`);
  return module.definition;
}

/** The provider's spec as written (no overlay): its info and first server, for docs. */
function readSpec(root, id) {
  const dir = join(root, 'specs', id);
  const file = SPEC_FILES.map((name) => join(dir, name)).find((path) => existsSync(path));
  if (file === undefined) throw new DefinitionError(`specs/${id}/ has no ${SPEC_FILES.join(' / ')}`);
  const text = readFileSync(file, 'utf8');
  const spec = file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  const provenancePath = join(dir, 'PROVENANCE.md');
  const provenance = existsSync(provenancePath) ? readFileSync(provenancePath, 'utf8') : '';
  const origin = /\*\*Origin:\*\*\s*([^\n]+)/.exec(provenance)?.[1]?.trim();
  return {
    file: file.slice(root.length + 1),
    title: spec?.info?.title,
    version: spec?.info?.version,
    server: spec?.servers?.[0]?.url,
    origin,
    hasOverlay: existsSync(join(dir, 'overlay.yaml')),
  };
}

function check(id, definition) {
  const problems = [];
  if (definition.id !== id) problems.push(`id is ${JSON.stringify(definition.id)}, but the package directory is packages/${id}`);
  if (!ID.test(id)) problems.push(`id ${JSON.stringify(id)} must be lowercase letters and digits, starting with a letter`);
  if (!TYPE_NAME.test(definition.typeName ?? '')) problems.push('typeName must be an identifier in PascalCase, e.g. "Acme"');
  if (!METHOD.test(definition.operation?.method ?? '')) problems.push('operation.method must be an identifier in camelCase, e.g. "getUpload"');
  const templateParameters = [...String(definition.operation?.path ?? '').matchAll(/\{([^{}]+)\}/g)].map((match) => match[1]);
  const refParameters = Object.values(definition.ref ?? {});
  const missing = templateParameters.filter((name) => !refParameters.includes(name));
  const extra = refParameters.filter((name) => !templateParameters.includes(name));
  if (missing.length > 0) problems.push(`ref fills no field for path parameter(s) ${missing.join(', ')} of ${definition.operation.path}`);
  if (extra.length > 0) problems.push(`ref names path parameter(s) ${extra.join(', ')} that ${definition.operation.path} does not have`);
  if (!Array.isArray(definition.credentials) || definition.credentials.length === 0) problems.push('credentials must name at least one');
  if (problems.length > 0) throw new DefinitionError(`packages/${id}/src/definition.ts: ${problems.join('; ')}.`);
}

/** Every provider: `{ id, definition, spec, typeExports }`, sorted by id. */
export async function loadDefinitions(root) {
  const providers = [];
  for (const id of providerIds(root)) {
    if (!existsSync(join(root, 'specs', id))) throw new DefinitionError(`packages/${id} has a definition but there is no specs/${id}/`);
    const definition = await importDefinition(root, id);
    check(id, definition);
    const source = readFileSync(join(root, 'packages', id, 'src', 'definition.ts'), 'utf8');
    // The types a definition exports (its body and state types) are listed in the package's README.
    const typeExports = [...source.matchAll(/^export type (\w+)/gm)].map((match) => match[1]);
    providers.push({ id, definition, spec: readSpec(root, id), typeExports });
  }
  return providers;
}
