// Loads every provider definition (`packages/<id>/src/definition.ts`) for the generator: esbuild bundles the
// TypeScript with core's source (so nothing needs building first; the generated types it imports are types
// only), and the bundle is imported from memory. Checks what the type system cannot: the id matches the
// directories, the ref's path parameters are the operation's, each credential is a security scheme of the spec.
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
    securitySchemes: spec?.components?.securitySchemes ?? {},
  };
}

/** How many client options each kind of scheme takes (core's `PARTS`: Basic and client credentials have two). */
const twoParts = (scheme) => (scheme?.type === 'http' && scheme.scheme === 'basic') || (scheme?.type === 'oauth2' && scheme.flow === 'clientCredentials');

/** What does not match between a definition's credential and the security scheme of the spec it names. */
export function credentialProblems(credential, securitySchemes) {
  const where = `credential ${JSON.stringify(credential.securityScheme)}`;
  const declared = securitySchemes[credential.securityScheme];
  if (declared === undefined) {
    const names = Object.keys(securitySchemes);
    return [`${where} is not in the spec's components.securitySchemes (${names.length > 0 ? `it has ${names.join(', ')}` : 'it has none'})`];
  }
  const { scheme = {}, options = [] } = credential;
  const problems = [];
  if (declared.type !== scheme.type) problems.push(`${where} has type ${scheme.type}, the spec's ${declared.type}`);
  else if (scheme.type === 'http' && String(declared.scheme).toLowerCase() !== scheme.scheme) problems.push(`${where} is http ${scheme.scheme}, the spec's http ${declared.scheme}`);
  else if (scheme.type === 'apiKey' && (declared.in !== scheme.in || String(declared.name).toLowerCase() !== String(scheme.name).toLowerCase())) {
    problems.push(`${where} sends the key in ${scheme.in} ${scheme.name}, the spec in ${declared.in} ${declared.name}`);
  } else if (scheme.type === 'oauth2' && scheme.flow === 'clientCredentials' && declared.flows?.clientCredentials?.tokenUrl !== scheme.tokenUrl) {
    problems.push(`${where} has tokenUrl ${JSON.stringify(scheme.tokenUrl)}, the spec's clientCredentials flow ${JSON.stringify(declared.flows?.clientCredentials?.tokenUrl)}`);
  }
  const expected = twoParts(scheme) ? 2 : 1;
  if (options.length !== expected) problems.push(`${where} needs ${expected} option(s), one per part, and names ${options.length}`);
  return problems;
}

function check(id, definition, spec) {
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
  else for (const credential of definition.credentials) problems.push(...credentialProblems(credential, spec.securitySchemes));
  if (problems.length > 0) throw new DefinitionError(`packages/${id}/src/definition.ts: ${problems.join('; ')}.`);
}

/** Every provider: `{ id, definition, spec, typeExports }`, sorted by id. */
export async function loadDefinitions(root) {
  const providers = [];
  for (const id of providerIds(root)) {
    if (!existsSync(join(root, 'specs', id))) throw new DefinitionError(`packages/${id} has a definition but there is no specs/${id}/`);
    const definition = await importDefinition(root, id);
    const spec = readSpec(root, id);
    check(id, definition, spec);
    const source = readFileSync(join(root, 'packages', id, 'src', 'definition.ts'), 'utf8');
    // The types a definition exports (its body and state types) are listed in the package's README.
    const typeExports = [...source.matchAll(/^export type (\w+)/gm)].map((match) => match[1]);
    providers.push({ id, definition, spec, typeExports });
  }
  return providers;
}
