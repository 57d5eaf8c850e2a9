/**
 * `--format github` and `--format junit` (src/diff/formats.ts, places from src/diff/locate.ts). Each annotation's file
 * and line are checked against the line of the changed node, found here in the fixture's text by its keys (never by
 * the locator), for YAML and JSON specs, removals (the old side) and specs split over files (the referenced file).
 * The fixtures are test/fixtures/formats/ (and test/fixtures/multi-file/); the CLI is the built bin, run as a child
 * process in this package's directory, so that paths are relative to it as GitHub needs them relative to the repo.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { escapeGithubData, escapeGithubProperty, formatsMarkdown, renderReport, REPORT_FORMATS, type ReportInput } from '../src/diff/formats.js';
import type { DiffResult, SpecChange } from '../src/diff/types.js';

const packageRoot = fileURLToPath(new URL('..', import.meta.url));
const bin = fileURLToPath(new URL('../bin/upstat-spec.js', import.meta.url));
const FIXTURES = 'test/fixtures/formats';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], cwd = packageRoot): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { cwd, timeout: 60_000, encoding: 'utf8' }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : null, stdout, stderr });
    });
  });
}

// ------------------------------------------------------------------ reading the outputs back

interface Annotation {
  level: string;
  properties: Record<string, string>;
  message: string;
}

/** Undoes GitHub's escaping of workflow command data and properties (%25 last, so `%253A` stays `%3A`). */
const unescapeGithub = (text: string): string =>
  text.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%3A/g, ':').replace(/%2C/g, ',').replace(/%25/g, '%');

/** `::level key=value,…::message` lines, as the runner reads them: properties end at the first `::`. */
function annotations(output: string): Annotation[] {
  return output
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const match = /^::(\w+)(?: ([^:]*))?::(.*)$/.exec(line);
      if (match === null) throw new Error(`not a workflow command: ${line}`);
      const properties: Record<string, string> = {};
      for (const pair of (match[2] ?? '').split(',').filter(Boolean)) {
        const at = pair.indexOf('=');
        properties[pair.slice(0, at)] = unescapeGithub(pair.slice(at + 1));
      }
      return { level: match[1] ?? '', properties, message: unescapeGithub(match[3] ?? '') };
    });
}

interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const decodeXml = (text: string): string =>
  text.replace(/&(#\d+|#x[\da-f]+|\w+);/gi, (_, entity: string) =>
    entity.startsWith('#x') ? String.fromCodePoint(parseInt(entity.slice(2), 16)) : entity.startsWith('#') ? String.fromCodePoint(Number(entity.slice(1))) : (ENTITIES[entity] ?? '\u0000'),
  );

/**
 * A small well-formedness check and parse (the workspace has no XML parser of its own): the declaration, then elements
 * that nest and close, attributes in double quotes without `<`, and `&` only in known references.
 */
function parseXml(xml: string): XmlElement {
  expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n')).toBe(true);
  const body = xml.slice(xml.indexOf('\n') + 1);
  const token = /<\/([\w-]+)>|<([\w-]+)((?:\s+[\w-]+="[^"<]*")*)\s*(\/?)>|([^<]+)/y;
  const root: XmlElement = { name: '#document', attributes: {}, children: [], text: '' };
  const stack = [root];
  while (token.lastIndex < body.length) {
    const start = token.lastIndex;
    const match = token.exec(body);
    if (match === null) throw new Error(`not well-formed XML at ${start}: ${body.slice(start, start + 60)}`);
    const [, closing, opening, attributeText, selfClosing, text] = match;
    const top = stack.at(-1) as XmlElement;
    if (text !== undefined) {
      expect(text, 'a bare & in text').not.toMatch(/&(?!(#\d+|#x[\da-f]+|amp|lt|gt|quot|apos);)/i);
      top.text += decodeXml(text);
    } else if (closing !== undefined) {
      expect(closing, 'closing tag').toBe(top.name);
      stack.pop();
    } else if (opening !== undefined) {
      const attributes: Record<string, string> = {};
      for (const [, key, value] of (attributeText ?? '').matchAll(/([\w-]+)="([^"]*)"/g)) {
        expect(value, `a bare & in ${key ?? ''}`).not.toMatch(/&(?!(#\d+|#x[\da-f]+|amp|lt|gt|quot|apos);)/i);
        expect(attributes, `attribute ${key ?? ''} repeated`).not.toHaveProperty(key ?? '');
        attributes[key ?? ''] = decodeXml(value ?? '');
      }
      const element: XmlElement = { name: opening, attributes, children: [], text: '' };
      top.children.push(element);
      if (selfClosing !== '/') stack.push(element);
    }
  }
  expect(stack, 'every element closed').toHaveLength(1);
  expect(root.children.filter((child) => child.name !== '#text')).toHaveLength(1);
  return root.children[0] as XmlElement;
}

// ------------------------------------------------------------------ where a change should be, from the text

type Key = string | ((line: string, index: number, lines: readonly string[]) => boolean);

/**
 * The 1-based line of a node found by its keys in order, each searched from the line of the one before: a string
 * matches a line whose content starts with that key (`key:`, `'key':` or `"key":`); a function decides itself.
 */
function lineOfKeys(text: string, keys: readonly Key[]): number {
  const lines = text.split('\n');
  let at = 0;
  for (const key of keys) {
    const matches =
      typeof key === 'string'
        ? (line: string) => [`${key}:`, `'${key}':`, `"${key}":`].some((form) => line.trim().replace(/^- /, '').startsWith(form))
        : (line: string, index: number) => key(line, index, lines);
    let found = -1;
    for (let index = at; index < lines.length; index++) {
      if (matches(lines[index] ?? '', index)) {
        found = index;
        break;
      }
    }
    if (found === -1) throw new Error(`no line for ${String(key)} after line ${at + 1}`);
    at = found;
  }
  return at + 1;
}

/** The first line of a file that is not blank or a comment: where a file's root node starts. */
const firstContentLine = (text: string): number => text.split('\n').findIndex((line) => line.trim() !== '' && !line.trimStart().startsWith('#')) + 1;

/** An array item whose `name` is `value`: YAML's `- name: value` line, or in JSON the `{` line above `"name": "value"`. */
const itemNamed =
  (value: string): Key =>
  (line, index, lines) =>
    line.trim() === `- name: ${value}` || ((lines[index + 1] ?? '').trim() === `"name": "${value}",` && line.trim() === '{');

interface Expected {
  rule: string;
  file: string;
  line: number;
}

/** Each annotation's rule, file and line (only those titled with a rule: every change has one). */
const places = (found: readonly Annotation[]): Expected[] =>
  found.map(({ properties }) => ({ rule: properties.title ?? '', file: properties.file ?? '', line: Number(properties.line) }));

const byRule = (a: Expected, b: Expected) => `${a.rule} ${a.file} ${a.line}`.localeCompare(`${b.rule} ${b.file} ${b.line}`);

/** The changes of the same diff, as `--format json` gives them. */
async function jsonChanges(args: string[], cwd = packageRoot): Promise<{ changes: SpecChange[]; summary: DiffResult['summary'] }> {
  const result = await run([...args, '--format', 'json', '--fail-on', 'none'], cwd);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as { changes: SpecChange[]; summary: DiffResult['summary'] };
}

const LEVEL = { breaking: 'error', 'non-breaking': 'warning', 'docs-only': 'notice' } as const;

let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'upstat-formats-'));
});

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe('--format github', () => {
  /** The changes between old and new (either spelling), each where it is: the new file, or the old one for a removal. */
  function expectedPlaces(oldFile: string, newFile: string, oldText: string, newText: string): Expected[] {
    return [
      { rule: 'operation-removed', file: oldFile, line: lineOfKeys(oldText, ['/uploads', 'delete']) },
      { rule: 'response-property-removed', file: oldFile, line: lineOfKeys(oldText, ['components', 'Upload', 'legacy']) },
      { rule: 'response-enum-value-added', file: newFile, line: lineOfKeys(newText, ['components', 'Upload', 'status', 'enum']) },
      { rule: 'request-parameter-added-optional', file: newFile, line: lineOfKeys(newText, ['/uploads/{id}', 'parameters', itemNamed('verbose')]) },
      { rule: 'description-changed', file: newFile, line: lineOfKeys(newText, ['/uploads/{id}', '200', 'description']) },
    ].sort(byRule);
  }

  it('annotates every change at its line in YAML specs: the new file, the old one for a removal; the level by severity', async () => {
    const [oldFile, newFile] = [`${FIXTURES}/old.yaml`, `${FIXTURES}/new.yaml`];
    const result = await run(['diff', oldFile, newFile, '--format', 'github']);
    const { changes } = await jsonChanges(['diff', oldFile, newFile]);
    expect(result.code).toBe(changes.some((change) => change.severity === 'breaking') ? 1 : 0);
    const found = annotations(result.stdout);
    expect(found).toHaveLength(changes.length);
    const [oldText, newText] = [readFileSync(join(packageRoot, oldFile), 'utf8'), readFileSync(join(packageRoot, newFile), 'utf8')];
    expect(places(found).sort(byRule)).toEqual(expectedPlaces(oldFile, newFile, oldText, newText));
    for (const change of changes) {
      const annotation = found.find((candidate) => candidate.properties.title === change.rule && candidate.message.includes(change.pointer));
      expect(annotation?.level, change.rule).toBe(LEVEL[change.severity]);
      expect(annotation?.message).toContain(change.message);
    }
  });

  it('annotates the same changes at their lines in JSON specs', async () => {
    const dir = join(scratch, 'json');
    mkdirSync(dir, { recursive: true });
    const texts: string[] = [];
    for (const side of ['old', 'new']) {
      const text = `${JSON.stringify(parse(readFileSync(join(packageRoot, FIXTURES, `${side}.yaml`), 'utf8')), null, 2)}\n`;
      await writeFile(join(dir, `${side}.json`), text);
      texts.push(text);
    }
    const result = await run(['diff', 'old.json', 'new.json', '--format', 'github', '--fail-on', 'none'], dir);
    expect(result.code, result.stderr).toBe(0);
    expect(places(annotations(result.stdout)).sort(byRule)).toEqual(expectedPlaces('old.json', 'new.json', texts[0] ?? '', texts[1] ?? ''));
  });

  it('points into the file a $ref brought in: a schema in its own file, a removed component at its file', async () => {
    const [oldFile, newFile] = [`${FIXTURES}/split-old/openapi.yaml`, `${FIXTURES}/split-new/openapi.yaml`];
    const result = await run(['diff', oldFile, newFile, '--format', 'github', '--fail-on', 'none']);
    expect(result.code, result.stderr).toBe(0);
    const text = (path: string) => readFileSync(join(packageRoot, FIXTURES, path), 'utf8');
    expect(places(annotations(result.stdout)).sort(byRule)).toEqual(
      [
        { rule: 'operation-removed', file: oldFile, line: lineOfKeys(text('split-old/openapi.yaml'), ['/legacy', 'get']) },
        // The bundler named it `legacy` in components; it was written as the whole of schemas/legacy.yaml.
        { rule: 'component-schema-removed', file: `${FIXTURES}/split-old/schemas/legacy.yaml`, line: firstContentLine(text('split-old/schemas/legacy.yaml')) },
        { rule: 'response-enum-value-added', file: `${FIXTURES}/split-new/schemas/status.yaml`, line: lineOfKeys(text('split-new/schemas/status.yaml'), ['enum']) },
      ].sort(byRule),
    );
  });

  it('follows $refs through fragments of shared files and into JSON files (test/fixtures/multi-file)', async () => {
    const base = 'test/fixtures/multi-file';
    const result = await run(['diff', `${base}/old/openapi.yaml`, `${base}/new/openapi.yaml`, '--format', 'github', '--fail-on', 'none']);
    const found = places(annotations(result.stdout));
    const text = (path: string) => readFileSync(join(packageRoot, base, path), 'utf8');
    const expected = [
      // common.yaml#/components/parameters/PetId, from paths/pet.yaml
      { rule: 'request-format-changed', file: `${base}/new/common.yaml`, line: lineOfKeys(text('new/common.yaml'), ['PetId', 'schema', 'format']) },
      // common.yaml#/components/responses/Problem → ./schemas/problem.json, relative to common.yaml
      { rule: 'response-property-added', file: `${base}/new/schemas/problem.json`, line: lineOfKeys(text('new/schemas/problem.json'), ['properties', 'detail']) },
      { rule: 'request-property-added-optional', file: `${base}/new/schemas/nested/owner.yaml`, line: lineOfKeys(text('new/schemas/nested/owner.yaml'), ['email']) },
      { rule: 'request-constraint-tightened', file: `${base}/new/schemas/pet.yaml`, line: lineOfKeys(text('new/schemas/pet.yaml'), ['name', 'minLength']) },
    ];
    for (const place of expected) expect(found).toContainEqual(place);
  });

  it('check: points into the vendor document as written, though the diff compared it cut and overlaid', async () => {
    const vendored = JSON.parse(readFileSync(join(packageRoot, '../../specs/pandadoc/openapi.json'), 'utf8')) as { components: { schemas: Record<string, { enum: string[] }> } };
    const statusEnum = vendored.components.schemas.UploadSectionStatusEnum;
    if (statusEnum === undefined) throw new Error('specs/pandadoc/openapi.json has no UploadSectionStatusEnum');
    statusEnum.enum.push('document_sections_upload.CANCELED');
    const next = join(scratch, 'pandadoc-next.json');
    const text = `${JSON.stringify(vendored, null, 2)}\n`;
    await writeFile(next, text);
    const result = await run(['check', 'pandadoc', next, '--format', 'github', '--fail-on', 'none']);
    expect(result.code, result.stderr).toBe(0);
    const found = annotations(result.stdout);
    const added = found.filter((annotation) => annotation.properties.title === 'response-enum-value-added');
    expect(added.length).toBeGreaterThan(0);
    for (const annotation of added) {
      expect(annotation.properties).toMatchObject({ file: relative(packageRoot, next), line: String(lineOfKeys(text, ['UploadSectionStatusEnum', 'enum'])) });
    }
    // Operations outside the cut: one notice, with the line the Markdown report has.
    expect(found.filter((annotation) => annotation.level === 'notice' && annotation.properties.title === 'outside the covered operations')).toHaveLength(1);
  });

  it('escapes %, CR and LF in messages, and : and , in properties too (file paths included)', async () => {
    const dir = join(scratch, 'odd, name: here');
    mkdirSync(dir, { recursive: true });
    cpSync(join(packageRoot, FIXTURES, 'new.yaml'), join(dir, 'new.yaml'));
    const message = 'first line\nsecond line\r\n100% sure :: not a separator, really %0A';
    const change: SpecChange = { rule: 'odd:rule,id', severity: 'breaking', breaks: 'runtime', pointer: '/info/version', message };
    const { text } = await renderReport('github', input([change], { after: { label: 'new', file: join(dir, 'new.yaml') }, cwd: scratch }));
    expect(text.trimEnd().split('\n')).toHaveLength(1);
    expect(text).not.toContain('\r');
    const [annotation] = annotations(text);
    expect(annotation?.properties).toEqual({ file: 'odd, name: here/new.yaml', line: String(lineOfKeys(readFileSync(join(dir, 'new.yaml'), 'utf8'), ['info', 'version'])), title: 'odd:rule,id' });
    expect(annotation?.message).toContain(message);
    expect(escapeGithubData('a%b\r\nc::d')).toBe('a%25b%0D%0Ac::d');
    expect(escapeGithubProperty('a%b:c,d\n')).toBe('a%25b%3Ac%2Cd%0A');
  });
});

/** A report's input from changes, the sides without files unless given. */
function input(changes: SpecChange[], options: { before?: { label: string; file?: string }; after?: { label: string; file?: string }; cwd?: string; fails?: (change: SpecChange) => boolean } = {}): ReportInput {
  const count = (severity: SpecChange['severity']) => changes.filter((change) => change.severity === severity && change.accepted === undefined).length;
  return {
    before: { label: 'old', document: {}, ...options.before },
    after: { label: 'new', document: {}, ...options.after },
    result: { changes, summary: { breaking: count('breaking'), nonBreaking: count('non-breaking'), docsOnly: count('docs-only') } },
    fails: options.fails ?? ((change) => change.severity === 'breaking' && change.accepted === undefined),
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
  };
}

describe('places that cannot be found exactly', () => {
  const newYaml = join(packageRoot, FIXTURES, 'new.yaml');
  const newText = readFileSync(newYaml, 'utf8');

  it('give the nearest ancestor that can be (here through the $ref, in the component)', async () => {
    const pointer = '/paths/~1uploads~1{id}/get/responses/200/content/application~1json/schema/properties/nothing/here';
    const change: SpecChange = { rule: 'response-property-added', severity: 'non-breaking', pointer, message: 'm' };
    const { text, notes } = await renderReport('github', input([change], { after: { label: 'new', file: newYaml }, cwd: packageRoot }));
    expect(notes).toEqual([]);
    expect(annotations(text)[0]?.properties).toMatchObject({ file: `${FIXTURES}/new.yaml`, line: String(lineOfKeys(newText, ['components', 'Upload', 'properties'])) });
  });

  it('are left out for a side with no file (a URL) and a file that cannot be read, which is reported', async () => {
    const change: SpecChange = { rule: 'info-changed', severity: 'docs-only', pointer: '/info/version', message: 'm' };
    const noFile = await renderReport('github', input([change]));
    expect(annotations(noFile.text)[0]?.properties).toEqual({ title: 'info-changed' });
    const missing = join(scratch, 'missing.yaml');
    const unread = await renderReport('github', input([change], { after: { label: 'new', file: missing } }));
    expect(annotations(unread.text)[0]?.properties).toEqual({ title: 'info-changed' });
    expect(unread.notes.join('\n')).toContain(missing);
  });

  it('are never looked for by the formats that print none (no file is read)', async () => {
    const change: SpecChange = { rule: 'info-changed', severity: 'docs-only', pointer: '/info/version', message: 'm' };
    const missing = { label: 'new', file: join(scratch, 'never-read.yaml') };
    for (const format of REPORT_FORMATS) {
      const { notes } = await renderReport(format, input([change], { after: missing }));
      expect(notes.length > 0, format).toBe(format === 'github' || format === 'junit');
    }
  });
});

describe('--format junit', () => {
  const testcases = (suite: XmlElement) => suite.children.filter((child) => child.name === 'testcase');

  it('writes one suite with a test case per change, breaking ones failing, counts as the summary, places as github', async () => {
    const [oldFile, newFile] = [`${FIXTURES}/old.yaml`, `${FIXTURES}/new.yaml`];
    const output = join(scratch, 'report.xml');
    const result = await run(['diff', oldFile, newFile, '--format', 'junit', '--output', output]);
    const { changes, summary } = await jsonChanges(['diff', oldFile, newFile]);
    expect(result.code).toBe(summary.breaking > 0 ? 1 : 0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`the report is in ${output}`);
    const root = parseXml(await readFile(output, 'utf8'));
    expect(root.name).toBe('testsuites');
    const suites = root.children.filter((child) => child.name === 'testsuite');
    expect(suites).toHaveLength(1);
    const suite = suites[0] as XmlElement;
    const cases = testcases(suite);
    const failures = cases.filter((testcase) => testcase.children.some((child) => child.name === 'failure'));
    expect(cases).toHaveLength(changes.length);
    expect(failures).toHaveLength(summary.breaking);
    for (const element of [root, suite]) {
      expect(element.attributes).toMatchObject({ tests: String(changes.length), failures: String(summary.breaking), errors: '0', skipped: '0' });
    }
    // Only what the common JUnit schema allows inside a test case.
    for (const testcase of cases) for (const child of testcase.children) expect(['failure', 'system-out']).toContain(child.name);
    const github = annotations((await run(['diff', oldFile, newFile, '--format', 'github'])).stdout);
    expect(cases.map(({ attributes }) => ({ rule: attributes.name?.split(' ')[0] ?? '', file: attributes.file ?? '', line: Number(attributes.line) })).sort(byRule)).toEqual(places(github).sort(byRule));
    // --fail-on moves the failures as it moves the exit code.
    const none = await run(['diff', oldFile, newFile, '--format', 'junit', '--fail-on', 'none']);
    expect(none.code).toBe(0);
    expect(parseXml(none.stdout).attributes.failures).toBe('0');
  });

  it('escapes what XML cannot carry as it is, and reads back the same', async () => {
    const message = 'a <tag> & "quotes" \'here\'\nnext line ]]> \u0001 done';
    const change: SpecChange = { rule: 'response-property-removed', severity: 'breaking', breaks: 'compile', pointer: '/a"b<c>&d', operation: 'GET /x?<&>', message };
    const { text } = await renderReport('junit', input([change]));
    const suite = parseXml(text).children.find((child) => child.name === 'testsuite') as XmlElement;
    const [testcase] = testcases(suite);
    expect(testcase?.attributes.classname).toBe('GET /x?<&>');
    expect(testcase?.attributes.name).toBe('response-property-removed at /a"b<c>&d');
    const failure = testcase?.children.find((child) => child.name === 'failure');
    const readable = message.replace('\u0001', '\uFFFD');
    expect(failure?.attributes.message).toContain(readable);
    expect(failure?.text).toContain(readable);
  });
});

describe('accepted changes (the policy file)', () => {
  it('are notices saying why in github, and pass in junit', async () => {
    const [oldFile, newFile] = [`${FIXTURES}/old.yaml`, `${FIXTURES}/new.yaml`];
    const policy = join(scratch, 'policy.yaml');
    const reason = 'Nobody calls DELETE /uploads any more';
    await writeFile(policy, `accepted:\n  - rule: operation-removed\n    operation: DELETE /uploads\n    reason: ${reason}\n`);
    const github = annotations((await run(['diff', oldFile, newFile, '--format', 'github', '--policy', policy])).stdout);
    const removed = github.find((annotation) => annotation.properties.title === 'operation-removed');
    expect(removed?.level).toBe('notice');
    expect(removed?.message).toContain(reason);
    expect(removed?.message).toMatch(/accepted/i);
    const junit = await run(['diff', oldFile, newFile, '--format', 'junit', '--policy', policy]);
    const suite = parseXml(junit.stdout).children.find((child) => child.name === 'testsuite') as XmlElement;
    const testcase = suite.children.find((child) => child.attributes.name?.startsWith('operation-removed '));
    expect(testcase?.children.map((child) => child.name)).toEqual(['system-out']);
  });
});

describe('choosing a format', () => {
  it('rejects an unknown format and --json with another format, naming the formats, before reading anything', async () => {
    for (const args of [
      ['diff', 'missing-a.yaml', 'missing-b.yaml', '--format', 'sarif'],
      ['diff', 'missing-a.yaml', 'missing-b.yaml', '--json', '--format', 'github'],
      ['check', 'nothing-here', 'missing.yaml', '--format', 'xml'],
    ]) {
      const result = await run(args);
      expect(result.code, args.join(' ')).toBe(2);
      const message = result.stderr.split('\n')[0] ?? '';
      for (const format of REPORT_FORMATS) expect(message).toContain(format);
      expect(message).not.toContain('missing');
    }
  });

  it('--json is --format json', async () => {
    const args = ['diff', `${FIXTURES}/old.yaml`, `${FIXTURES}/new.yaml`, '--fail-on', 'none'];
    const [json, format, both] = await Promise.all([run([...args, '--json']), run([...args, '--format', 'json']), run([...args, '--json', '--format', 'json'])]);
    expect(format).toEqual(json);
    expect(both).toEqual(json);
  });

  it('the help of diff, check and fetch lists every format, and the README has the table', async () => {
    for (const command of ['diff', 'check', 'fetch']) {
      const { stdout } = await run([command, '--help']);
      expect(stdout).toContain(`[--format ${REPORT_FORMATS.join('|')}]`);
    }
    const { stdout } = await run(['diff', '--help']);
    for (const format of REPORT_FORMATS) expect(stdout).toContain(`--format ${format}:`);
    expect(readFileSync(join(packageRoot, 'README.md'), 'utf8')).toContain(formatsMarkdown());
  });
});
