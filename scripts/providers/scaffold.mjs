// `npx pnpm provider:add <id> --spec <file>`: the three files a new provider is written from, filled in as far as
// the spec allows — specs/<id>/<spec> (the document, copied as it is), specs/<id>/PROVENANCE.md (a stub) and
// packages/<id>/src/definition.ts (facts read from the spec, TODOs for the rest) — and a changeset. The caller
// (scripts/providers.mjs) then generates the package around the definition, and `next steps` says what is left.
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, extname, join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';

export class ScaffoldError extends Error {
  name = 'ScaffoldError';
}

const ID = /^[a-z][a-z0-9]*$/;
const CANONICAL = ['queued', 'in_progress', 'action_required', 'succeeded', 'partial', 'failed', 'canceled', 'expired', 'unknown'];

/** The words of an identifier: split at anything but letters and digits, and where the case changes (`HTTPServer`, `uploadId`). */
const words = (name) => String(name).match(/[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+/g) ?? [];
/** `UPLOAD_ID`, `upload-id`, `uploadId` → `uploadId`. */
export const camel = (name) =>
  words(name)
    .map((word, index) => (index === 0 ? word.toLowerCase() : `${word.charAt(0).toUpperCase()}${word.slice(1).toLowerCase()}`))
    .join('');
const pascal = (name) => camel(name).replace(/^[a-z]/, (first) => first.toUpperCase());

/**
 * The vendor's name for people, from the document's title when no --name is given: words that describe the document
 * rather than the vendor come off the end ("Acme Uploads API" → "Acme"), since the README and the docs put the
 * provider's name before what it uploads ("Acme uploads").
 */
const TITLE_TAIL = /\s+(?:api|apis|rest|http|openapi|swagger|public|reference|spec|specification|documentation|docs|service|services|v\d+(?:\.\d+)*|uploads?|status|file|files)$/i;
export function providerName(title, id) {
  let name = String(title ?? '').trim().replace(/\s+/g, ' ');
  for (let trimmed = name.replace(TITLE_TAIL, ''); trimmed !== name; trimmed = name.replace(TITLE_TAIL, '')) name = trimmed;
  return name === '' ? pascal(id) : name;
}

function loadSpec(file) {
  let text;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new ScaffoldError(`--spec ${file}: not a readable file`);
  }
  let spec;
  try {
    spec = /\.json$/i.test(file) ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new ScaffoldError(`--spec ${file}: not JSON or YAML (${error.message})`);
  }
  if (typeof spec?.openapi !== 'string' || !/^3\./.test(spec.openapi)) throw new ScaffoldError(`--spec ${file}: not an OpenAPI 3.x document`);
  return spec;
}

/** Follows local `$ref`s. */
function deref(spec, value) {
  let current = value;
  for (let hops = 0; current && typeof current.$ref === 'string' && current.$ref.startsWith('#/') && hops < 32; hops++) {
    current = current.$ref
      .slice(2)
      .split('/')
      .map((key) => key.replace(/~1/g, '/').replace(/~0/g, '~'))
      .reduce((node, key) => node?.[key], spec);
  }
  return current;
}

/** The status operation: the spec's only GET, or the one `--operation` names. */
function statusOperation(spec, wanted) {
  const gets = Object.entries(spec.paths ?? {}).filter(([, item]) => item?.get !== undefined);
  if (wanted !== undefined) {
    const found = gets.find(([path, item]) => path === wanted || item.get.operationId === wanted);
    if (found === undefined) throw new ScaffoldError(`the spec has no GET operation ${JSON.stringify(wanted)}`);
    return found;
  }
  if (gets.length === 1) return gets[0];
  throw new ScaffoldError(
    gets.length === 0
      ? 'the spec has no GET operation to read a status from'
      : `the spec has ${gets.length} GET operations (${gets.map(([path]) => path).join(', ')}); name the status one with --operation <path or operationId>`,
  );
}

/** The first string enum under a `status` or `state` property of the success body, with where it was found. */
function findStatusEnum(spec, schema, path = [], seen = new Set()) {
  const node = deref(spec, schema);
  if (node === null || typeof node !== 'object' || seen.has(node) || path.length > 4) return undefined;
  seen.add(node);
  for (const [name, property] of Object.entries(node.properties ?? {})) {
    const inner = deref(spec, property);
    if (/^(status|state)$/i.test(name) && Array.isArray(inner?.enum) && inner.enum.every((value) => typeof value === 'string')) {
      return { path: [...path, name], values: inner.enum };
    }
  }
  for (const [name, property] of Object.entries(node.properties ?? {})) {
    const found = findStatusEnum(spec, property, [...path, name], seen);
    if (found !== undefined) return found;
  }
  for (const [name, property] of Object.entries(node.properties ?? {})) {
    const inner = deref(spec, property);
    if (/^(status|state)$/i.test(name) && inner?.type === 'string') return { path: [...path, name], values: [] };
  }
  return undefined;
}

/**
 * Words vendors use for each canonical state: a status value is read as words joined by `_` (`upload_timed_out`,
 * `document_sections_upload.PROCESSED`), and the longest synonym found among its words decides (`asset_created` is
 * succeeded before `created` is queued). A guess only: the definition marks each one for review.
 */
const SYNONYMS = {
  succeeded: ['complete', 'completed', 'done', 'success', 'succeeded', 'successful', 'processed', 'finished', 'ready', 'available', 'published', 'asset_created', 'asset_ready'],
  failed: ['fail', 'failed', 'failure', 'error', 'errored', 'rejected', 'invalid'],
  canceled: ['cancel', 'canceled', 'cancelled', 'aborted', 'revoked', 'withdrawn'],
  expired: ['expired', 'expire', 'timeout', 'timed_out', 'timedout', 'stale'],
  partial: ['partial', 'partially_completed', 'partially_succeeded', 'partial_success'],
  action_required: ['review', 'reviewing', 'action_required', 'needs_action', 'needs_review', 'on_hold'],
  queued: ['pending', 'queued', 'created', 'waiting', 'new', 'scheduled', 'accepted', 'received', 'initiated'],
  in_progress: ['running', 'processing', 'in_progress', 'inprogress', 'uploading', 'uploaded', 'working', 'started', 'staged', 'completing', 'validating', 'converting', 'importing'],
};
const BY_LENGTH = Object.entries(SYNONYMS)
  .flatMap(([state, synonyms]) => synonyms.map((synonym) => ({ synonym, state })))
  .sort((a, b) => b.synonym.length - a.synonym.length);

/** The canonical state a vendor value probably is, and the synonym that says so (none: `unknown`). */
export function guessState(value) {
  const text = `_${String(value).toLowerCase().replace(/[^a-z0-9]+/g, '_')}_`;
  const found = BY_LENGTH.find(({ synonym }) => text.includes(`_${synonym}_`));
  return found === undefined ? { state: 'unknown', synonym: undefined } : found;
}

// The canonical states that end a wait (packages/core/src/status.ts), for what the mock's scenarios need below.
const TERMINAL = ['succeeded', 'partial', 'failed', 'canceled', 'expired'];

/**
 * What the suite needs from a provider's spec that the spec may lack, one sentence each saying what to add (none:
 * nothing is missing). The contract tests map each documented error response of the status operation to its error
 * class, and need at least four of them to mean anything (tests/contract/test/contract.test.ts); the mock plays the
 * 200 response's named examples as scenarios, each ending in a state the examples reach (packages/mocks), so it needs
 * one example that ends a wait and one still queued or in progress. `stateOf` reads an example's canonical state: the
 * definition's table once there is one; before (provider:add), the guesses above of the value at `stateOf`, a path.
 */
export function specNeeds(spec, path, operation, stateOf) {
  const needs = [];
  const errors = Object.keys(operation.responses ?? {}).filter((code) => /^[45]\d\d$/.test(code));
  if (errors.length < 4) {
    needs.push(
      `GET ${path} documents ${errors.length} error response${errors.length === 1 ? '' : 's'}${errors.length === 0 ? '' : ` (${errors.join(', ')})`}: document at least 4 (e.g. 401, 404, 429, 500), each with its body; the contract tests check that each maps to its error class`,
    );
  }
  const success = Object.entries(operation.responses ?? {}).find(([code]) => /^2\d\d$/.test(code))?.[1];
  const examples = Object.entries(deref(spec, deref(spec, success)?.content?.['application/json'])?.examples ?? {});
  const guessAt = (value) => {
    let found = value;
    for (const key of stateOf ?? []) found = found?.[key];
    return typeof found === 'string' ? guessState(found).state : 'unknown';
  };
  const read = typeof stateOf === 'function' ? stateOf : guessAt;
  const states = examples.map(([, example]) => read(deref(spec, example)?.value));
  const where = `the 200 response of GET ${path} (content.application/json.examples)`;
  if (examples.length === 0) {
    needs.push(`${where} has no named examples: add one for each state that ends an upload (at least one) and one still queued or in progress; the mock plays them as scenarios`);
  } else {
    if (!states.some((state) => TERMINAL.includes(state))) needs.push(`${where} has no named example that ends an upload (${TERMINAL.join(', ')}): add one for each the vendor documents`);
    if (!states.some((state) => state === 'queued' || state === 'in_progress')) needs.push(`${where} has no named example still queued or in progress: add one`);
  }
  return needs;
}

/** The word a description or `x-default` says goes before an API key in its header (PandaDoc's `API-Key <key>`). */
function keyPrefix(scheme) {
  const sample = typeof scheme['x-default'] === 'string' ? /^(\S+) \S+$/.exec(scheme['x-default'])?.[1] : undefined;
  const described = /prefix(?:ed)? (?:with|by) [`'"]?([A-Za-z][\w-]*)/i.exec(scheme.description ?? '')?.[1];
  return sample ?? described;
}

/**
 * The definition's credentials from the spec's security schemes, in the order the spec requires them (`security`,
 * then the rest): each with its scheme as data and its client options (named after what each part is).
 */
export function credentialsOf(spec, operation) {
  const declared = spec.components?.securitySchemes ?? {};
  const required = [...(operation.security ?? spec.security ?? [])].flatMap((requirement) => Object.keys(requirement ?? {}));
  const names = [...new Set([...required.filter((name) => name in declared), ...Object.keys(declared)])];
  const taken = new Set();
  const unique = (option) => {
    let name = option;
    for (let n = 2; taken.has(name); n++) name = `${option}${n}`;
    taken.add(name);
    return name;
  };
  const credentials = [];
  for (const name of names) {
    const scheme = deref(spec, declared[name]) ?? {};
    const type = scheme.type;
    let data;
    let options;
    let description;
    const notes = [];
    if (type === 'http' && /^bearer$/i.test(scheme.scheme ?? '')) {
      const isKey = /\bkey\b/i.test(`${name} ${scheme.description ?? ''}`);
      data = "{ type: 'http', scheme: 'bearer' }";
      options = [isKey ? 'apiKey' : 'token'];
      description = `${isKey ? 'API key' : 'token'}, sent as \`Authorization: Bearer <${isKey ? 'key' : 'token'}>\``;
    } else if (type === 'http' && /^basic$/i.test(scheme.scheme ?? '')) {
      const isToken = /token|secret/i.test(scheme.description ?? '');
      data = "{ type: 'http', scheme: 'basic' }";
      options = isToken ? ['tokenId', 'tokenSecret'] : ['username', 'password'];
      description = `${isToken ? 'token id and secret' : 'user name and password'}, sent as HTTP Basic (\`Authorization: Basic …\`)`;
      notes.push('the two options: name them as the vendor does');
    } else if (type === 'apiKey' && (scheme.in === 'header' || scheme.in === 'query')) {
      const prefix = scheme.in === 'header' ? keyPrefix(scheme) : undefined;
      data = `{ type: 'apiKey', in: ${quote(scheme.in)}, name: ${quote(scheme.name ?? 'TODO')}${prefix ? `, prefix: ${quote(prefix)}` : ''} }`;
      options = ['apiKey'];
      description = scheme.in === 'query' ? `API key, sent as the \`${scheme.name}\` query parameter` : `API key, sent as \`${scheme.name}: ${prefix ? `${prefix} ` : ''}<key>\``;
      if (scheme.in === 'header' && /^authorization$/i.test(scheme.name ?? '') && !prefix) notes.push('a word before the key in Authorization? add prefix');
    } else if (type === 'oauth2' && scheme.flows?.clientCredentials?.tokenUrl !== undefined) {
      const scopes = Object.keys(scheme.flows.clientCredentials.scopes ?? {});
      data = `{ type: 'oauth2', flow: 'clientCredentials', tokenUrl: ${quote(scheme.flows.clientCredentials.tokenUrl)}${scopes.length > 0 ? `, scopes: [${scopes.map(quote).join(', ')}]` : ''} }`;
      options = ['clientId', 'clientSecret'];
      description = 'OAuth2 client id and secret; the access token is fetched from the token URL';
      if (scopes.length > 0) notes.push('the scopes asked for: keep only those the status operation needs');
    } else if (type === 'oauth2') {
      data = "{ type: 'oauth2', flow: 'accessToken' }";
      options = ['accessToken'];
      description = 'OAuth2 access token, sent as `Authorization: Bearer <token>`';
    } else {
      credentials.push({ skipped: `// TODO: security scheme ${quote(name)} (${type ?? 'no type'}${scheme.in ? ` in ${scheme.in}` : ''}) is not one upstat applies (see AuthScheme in packages/core/src/auth.ts)` });
      continue;
    }
    credentials.push({ name, data, options: options.map(unique), description, notes });
  }
  return credentials;
}

/** The `credentials:` lines of a definition. */
function credentialLines(credentials) {
  const usable = credentials.filter((credential) => credential.skipped === undefined);
  if (usable.length === 0) {
    return [
      "  // TODO: the spec declares no security scheme upstat applies; write the vendor's (see AuthScheme in packages/core/src/auth.ts)",
      "  // and add it to the spec's components.securitySchemes (an overlay for a vendored document).",
      ...credentials.map((credential) => `  ${credential.skipped}`),
      "  credentials: [{ securityScheme: 'TODO', scheme: { type: 'http', scheme: 'bearer' }, options: ['apiKey'], description: 'TODO' }],",
    ];
  }
  return [
    `  // From the spec's security schemes${usable.length > 1 ? ' (a client passes the options of one of them)' : ''}: check each description and option name.`,
    '  credentials: [',
    ...credentials.flatMap((credential) =>
      credential.skipped !== undefined
        ? [`    ${credential.skipped}`]
        : [
            '    {',
            `      securityScheme: ${quote(credential.name)},`,
            `      scheme: ${credential.data},`,
            `      options: [${credential.options.map(quote).join(', ')}],${credential.notes.length > 0 ? ` // TODO: ${credential.notes.join('; ')}` : ''}`,
            `      description: ${quote(credential.description)},`,
            '    },',
          ],
    ),
    '  ],',
  ];
}

function exampleOf(parameter) {
  if (typeof parameter.example === 'string') return parameter.example;
  const first = Object.values(parameter.examples ?? {})[0];
  if (typeof first?.value === 'string') return first.value;
  if (typeof parameter.schema?.example === 'string') return parameter.schema.example;
  return undefined;
}

const quote = (text) => `'${String(text).replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
const key = (text) => (/^[A-Za-z_$][\w$]*$/.test(text) ? text : quote(text));

/** The status enum of an operation's success response (its values, and where in the body it is). */
function findStatusEnumOf(spec, operation) {
  const success = Object.entries(operation.responses ?? {}).find(([code]) => /^2\d\d$/.test(code))?.[1];
  const schema = deref(spec, success)?.content?.['application/json']?.schema;
  return schema === undefined ? undefined : findStatusEnum(spec, schema);
}

/** `name` is the vendor's name (`named`: given with --name), `statusEnum` what findStatusEnumOf found. */
function definitionSource(id, spec, path, operation, { name, named, statusEnum }) {
  const typeName = pascal(id);
  const parameters = [...(spec.paths[path].parameters ?? []), ...(operation.parameters ?? [])]
    .map((parameter) => deref(spec, parameter))
    .filter((parameter) => parameter?.in === 'path');
  const templateNames = [...path.matchAll(/\{([^{}]+)\}/g)].map((match) => match[1]);
  const ref = templateNames.map((name) => {
    const declared = parameters.find((parameter) => parameter.name === name);
    return { field: camel(name) === 'id' ? `${camel(id)}Id` : camel(name), parameter: name, example: declared ? exampleOf(declared) : undefined };
  });
  const credentials = credentialsOf(spec, operation);
  const method = typeof operation.operationId === 'string' ? camel(operation.operationId) : 'getStatus';
  const title = operation.summary ?? operation.operationId ?? `GET ${path}`;
  const access = statusEnum === undefined ? undefined : `body.${statusEnum.path.join('.')}`;
  const states =
    statusEnum === undefined || statusEnum.values.length === 0
      ? [
          '    // TODO: each status value the vendor documents → a canonical state',
          `    // (${CANONICAL.join(', ')}). Anything not listed is reported as unknown.`,
        ]
      : [
          '    // TODO: check each guess (marked). Every value of the enum must be mapped (the compiler checks it).',
          ...statusEnum.values.map((value) => {
            const guess = guessState(value);
            const mark = guess.synonym === undefined ? 'TODO: no guess; which state is it?' : `guessed from "${guess.synonym}": check`;
            return `    ${key(value)}: ${quote(guess.state)}, // ${mark}`;
          }),
        ];
  const guards = statusEnum === undefined ? [] : statusEnum.path.slice(0, -1).map((_, index) => `body.${statusEnum.path.slice(0, index + 1).join('.')}`);
  const readBody =
    access === undefined
      ? [
          '    // TODO: read the vendor\'s status value (and progress, detail, updatedAt if it gives them) from the body;',
          '    // throw statusShapeError(...) when the body is not what the spec says.',
          '    if (!isRecord(body)) throw statusShapeError(\'the body must be an object\');',
          '    return { value: undefined };',
        ]
      : [
          `    if (!isRecord(body)${guards.map((guard) => ` || !isRecord(${guard})`).join('')}) throw statusShapeError('the body must be an object');`,
          `    if (!isOptionalString(${access})) throw statusShapeError('\`${statusEnum.path.join('.')}\` must be a string');`,
          `    // TODO: add progress, detail and updatedAt if the vendor gives them.`,
          `    return { value: ${access} };`,
        ];
  const lines = [
    "import { defineProvider, isOptionalString, isRecord, statusShapeError, type SuccessBody } from '@upstat/core';",
    "import type { paths } from './generated/openapi.js';",
    '',
    `/** The body of ${title} (200). */`,
    `export type ${typeName}Status = SuccessBody<paths[${quote(path)}]['get']>;`,
    '',
    '// Every fact about this provider is here; everything else in this package is generated from it',
    '// (`npx pnpm generate`). See CONTRIBUTING.md, "Adding a provider".',
    'export const definition = defineProvider({',
    `  id: ${quote(id)},`,
    `  name: ${quote(name)},${named ? '' : " // TODO: the vendor's name for people (from the document's title)"}`,
    `  typeName: ${quote(typeName)},`,
    "  summary: 'uploads', // TODO: what is uploaded, e.g. 'drive tasks'",
    `  operation: { path: ${quote(path)}, method: ${quote(method)}, title: ${quote(title)} },`,
    ...credentialLines(credentials),
    `  ref: { ${ref.map(({ field, parameter }) => `${field}: ${quote(parameter)}`).join(', ')} },`,
    `  example: { ${ref.map(({ field, example }) => `${field}: ${quote(example ?? `TODO-${field}`)}`).join(', ')} },${ref.some(({ example }) => example === undefined) ? ' // TODO: identifiers the spec\'s examples answer for' : ''}`,
    '  states: {',
    ...states,
    '  },',
    `  read(body: ${typeName}Status) {`,
    ...readBody,
    '  },',
    '});',
    '',
  ];
  return lines.join('\n');
}

function provenanceSource(id, spec, specFile, source, today) {
  return `# ${spec.info?.title ?? id} — provenance

- **Origin:** TODO: vendored (the vendor's own document) or hand-written by upstat
- **Source:** TODO: where it came from (URL of the vendor's document or reference page); added from \`${basename(source)}\`
- **Vendor version:** ${spec.info?.version ? `\`info.version\` ${spec.info.version}` : 'TODO'}
- **Licence:** ${spec.info?.license?.name ? `${spec.info.license.name} (declared in the document)` : 'TODO: the document\'s licence'}
- **Retrieved:** ${today} (TODO: say **Written:** instead for a spec written by hand)

## What it covers

TODO: the status operation (\`${specFile}\`), its responses, and anything the document leaves out or gets wrong
(fixes go into \`overlay.yaml\`, never into a vendored document).
`;
}

/** Writes the new provider's files; returns what is left to do, for people. */
export async function scaffold(root, id, specPath, options = {}) {
  if (!ID.test(id)) throw new ScaffoldError(`provider id ${JSON.stringify(id)} must be lowercase letters and digits, starting with a letter`);
  if (options.name !== undefined && String(options.name).trim() === '') throw new ScaffoldError('--name must not be empty: it is the vendor\'s name for people, e.g. --name "Acme"');
  for (const taken of [join(root, 'specs', id), join(root, 'packages', id)]) {
    if (existsSync(taken)) throw new ScaffoldError(`${taken.slice(root.length + 1)} already exists: ${id} is taken`);
  }
  const source = resolve(specPath);
  const spec = loadSpec(source);
  const [path, item] = statusOperation(spec, options.operation);
  const today = options.today ?? new Date().toISOString().slice(0, 10);
  const specFile = `openapi${extname(source).toLowerCase() === '.json' ? '.json' : '.yaml'}`;
  const name = options.name ?? providerName(spec.info?.title, id);
  const statusEnum = findStatusEnumOf(spec, item.get);

  mkdirSync(join(root, 'specs', id), { recursive: true });
  copyFileSync(source, join(root, 'specs', id, specFile));
  writeFileSync(join(root, 'specs', id, 'PROVENANCE.md'), provenanceSource(id, spec, specFile, source, today));
  mkdirSync(join(root, 'packages', id, 'src'), { recursive: true });
  writeFileSync(join(root, 'packages', id, 'src', 'definition.ts'), definitionSource(id, spec, path, item.get, { name, named: options.name !== undefined, statusEnum }));
  writeFileSync(
    join(root, '.changeset', `add-provider-${id}.md`),
    `---\n"@upstat/${id}": minor\n"@upstat/providers": minor\n---\n\nNew provider: ${name} (\`@upstat/${id}\`).\n`,
  );
  const needs = specNeeds(spec, path, item.get, statusEnum?.path);
  const steps = [
    ...(needs.length === 0
      ? []
      : [
          `what the tests need from the spec (add it in specs/${id}/overlay.yaml, an OpenAPI Overlay, if the document is the vendor's):`,
          ...needs.map((need) => `   - ${need}`),
        ]),
    `fill every TODO in packages/${id}/src/definition.ts (name, summary, credentials, states, read) and`,
    `   specs/${id}/PROVENANCE.md; run \`npx pnpm generate\` after changing the definition`,
    'npm test: typecheck, lint, and the contract tests against its Prism mock',
  ];
  let number = 0;
  return [
    `providers: added ${id} — specs/${id}/${specFile}, specs/${id}/PROVENANCE.md, packages/${id}/src/definition.ts and .changeset/add-provider-${id}.md;`,
    `the rest of packages/${id} and the registry are generated. Left to do:`,
    ...steps.map((step) => (step.startsWith('   ') ? `  ${step}` : `  ${++number}. ${step}`)),
  ].join('\n');
}
