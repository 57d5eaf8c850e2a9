#!/usr/bin/env node
import { readFileSync, writeFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { SEVERITY_ORDER, type DiffResult, type OutOfScopeChanges, type SpecChange } from './diff/types.js';
import { FORMAT_HELP, FORMAT_USAGE, isReportFormat, renderReport, REPORT_FORMATS, type ReportFormat } from './diff/formats.js';
import { POLICY_HELP, POLICY_OPTIONS, POLICY_USAGE, resolvePolicy, type PolicyFlags } from './diff/policy-config.js';
import { SpecToolError } from './errors.js';
import type { JsonObject } from './load.js';
import { displayPath, findRepoRoot } from './paths.js';

// Each command loads what it needs when it runs (openapi-typescript, Redocly and Prism take seconds to load), so
// that `--help` and `--version` answer at once: this module imports only Node built-ins and small modules of this
// package at its top level, does no work there beyond building the usage text, and every command `await import()`s
// its own modules, which tsup.config.ts keeps in separate chunks. test/startup.test.ts checks what each command loads.

/** Each command's usage and what it does: `upstat-spec <command> --help` prints its entry, `--help` all of them. */
const COMMANDS = {
  generate: `generate <spec-dir> [--out <dir>] [--check] [--covers "GET /path"]...
      Cut <spec-dir>/openapi.{json,yaml} to the covered operations, apply <spec-dir>/overlay.yaml, and generate
      the effective spec (openapi.json) and its types (src/generated/) into --out (default: the current
      directory). The covered operations are --covers, else "upstat.covers" in <out>/package.json; with
      neither, nothing is cut. --check writes nothing and fails, naming each file, when the output is out of date.`,
  lint: `lint <openapi-file>...
      Lint OpenAPI files with Redocly CLI (this package's redocly.yaml); warnings fail too.`,
  mock: `mock <name>=<openapi-file>...
      Start one Prism mock server per file on a free loopback port and print their URLs; Ctrl-C stops them.`,
  diff: `diff <old> <new> ${FORMAT_USAGE} [--json] [--fail-on breaking|non-breaking|docs-only|none] [--output <file>] [--second-opinion]
      ${POLICY_USAGE}
      Classify every change between two OpenAPI 3.0/3.1 documents (JSON or YAML) as breaking, non-breaking
      or docs-only, from the side of a client. A side is a file, an http(s) URL, or a provider name meaning
      its effective spec (packages/<name>/openapi.json in this repository, else the installed
      @upstat/<name>/openapi.json). Exits 1 when a change at or above
      --fail-on (default breaking) is found. --second-opinion also runs Redocly CLI's diff and prints
      where it disagrees. The report goes to stdout, or to --output (the verdict then on stderr):
${FORMAT_HELP}
      Breaking changes are then judged by the policy (deprecation, sunset, stability):
${POLICY_HELP}`,
  check: `check <provider> <new-spec> ${FORMAT_USAGE} [--json] [--second-opinion] [--covers "GET /path"]... [policy flags as for diff]
      Cut <new-spec> to the operations packages/<provider> covers (--covers, else "upstat.covers" in its
      package.json), apply specs/<provider>/overlay.yaml, and diff the committed effective spec against it;
      operations outside the cut are counted in one line. Outside this repository, the installed
      @upstat/<provider> package's effective spec, covers and overlay are used. Writes nothing. Exit codes as for diff.`,
  fetch: `fetch <provider> [--url <url>] [--out <file>] ${FORMAT_USAGE} [--json] [--second-opinion] [--covers "GET /path"]...
      Download the vendor's published document (--url, else the "Published at" URL in
      specs/<provider>/PROVENANCE.md; at most 50 MB, 60 s, 5 redirects), check that it is OpenAPI 3.0/3.1,
      save it to --out (default specs/<provider>/.fetched/openapi.<json|yaml>), then run check on it.`,
  published: `published
      Print, as a JSON list, the spec directories under specs/ whose PROVENANCE.md records a "Published at"
      URL: the ones fetch can update.`,
  update: `update <provider> <new-spec> [--typecheck <command>] [--dependent <package>]... [--today YYYY-MM-DD] [--covers "GET /path"]...
      Replace specs/<provider>'s spec with <new-spec> (the whole document), update PROVENANCE.md, cut it to the
      covered operations (as for check), re-apply the overlay, regenerate the client, write
      specs/<provider>/last-diff.md and a changeset with the bump the covered operations' diff implies, then run
      the type check command ({provider} and {package} are substituted; what it prints to stdout is shown
      after "type check: passed", all of its output when it fails). Any failure before the type check
      restores every file. Exits 1 when the type check fails.`,
  help: `help [<command>]
      Print this help, or one command's (the same as upstat-spec <command> --help).`,
} as const;
type Command = keyof typeof COMMANDS;

const EXIT_CODES = 'Exit codes: 0 success, 1 check, lint, diff threshold or type check failed, 2 bad usage or unreadable input.';

const USAGE = `Usage: upstat-spec <command> [options]
       upstat-spec <command> --help | --help | --version

Commands:
${Object.values(COMMANDS)
  .map((text) => `  ${text}`)
  .join('\n')}

${EXIT_CODES}`;

function commandHelp(command: Command): string {
  return `Usage: upstat-spec ${COMMANDS[command]}\n\n${EXIT_CODES}`;
}

const isCommand = (name: string): name is Command => Object.hasOwn(COMMANDS, name);

/** Whether the arguments ask for help: `--help` or `-h` before any `--` (after it, everything is an operand). */
function asksForHelp(args: readonly string[]): boolean {
  const end = args.indexOf('--');
  return (end === -1 ? args : args.slice(0, end)).some((arg) => arg === '--help' || arg === '-h');
}

/** This package's version, from its package.json (one level above both src/ and dist/). */
function version(): string {
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: unknown };
  return typeof manifest.version === 'string' ? manifest.version : 'unknown';
}

class UsageError extends Error {}

/** What `mock` uses of @upstat/mocks (see packages/mocks/README.md). */
interface MocksModule {
  startMockServers: (specs: { name: string; specPath: string }[]) => Promise<{ name: string; url: string }[]>;
  stopMockServers: (servers: { name: string; url: string }[]) => Promise<void>;
}

/**
 * @upstat/mocks (Prism) is an optional peer, loaded only by `mock`: no other command needs it. It is not a
 * dependency because it depends on upstat's provider packages, which this package generates (a build cycle);
 * the specifier is a variable so that this package builds without it.
 */
async function loadMocks(): Promise<MocksModule> {
  const specifier = '@upstat/mocks';
  try {
    return (await import(specifier)) as MocksModule;
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    if (code === 'ERR_MODULE_NOT_FOUND' && message.includes(`'${specifier}'`)) {
      throw new UsageError(`upstat-spec mock needs ${specifier}: npm install ${specifier}`);
    }
    throw error;
  }
}

async function generate(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { out: { type: 'string', default: '.' }, check: { type: 'boolean', default: false }, covers: { type: 'string', multiple: true } },
  });
  if (positionals.length !== 1) throw new UsageError('generate needs exactly one <spec-dir>');
  const [dir] = positionals as [string];
  const { locateSpecDir } = await import('./spec-dir.js');
  const { findStaleFiles, generateCommand, renderClientFiles, writeGeneratedFiles } = await import('./generate.js');
  const specDir = locateSpecDir(dir);
  const outDir = resolve(values.out);
  const files = await renderClientFiles(specDir, outDir, values.covers === undefined ? {} : { covers: values.covers });
  if (!values.check) {
    await writeGeneratedFiles(outDir, files);
    console.log(`generated ${files.map((file) => file.path).join(', ')} from ${displayPath(specDir.dir)}`);
    return 0;
  }
  const stale = await findStaleFiles(outDir, files);
  if (stale.length === 0) {
    console.log(`generated code is in sync with ${displayPath(specDir.dir)}`);
    return 0;
  }
  console.error(`Generated code is out of date with ${displayPath(specDir.dir)}:`);
  for (const file of stale) console.error(`  ${file.path}: ${file.reason}`);
  const { command, runIn } = generateCommand(specDir, outDir, values.covers);
  console.error(`Run \`${command}\` ${runIn} and commit the result (generated files are never edited by hand).`);
  return 1;
}

async function lint(args: string[]): Promise<number> {
  if (args.length === 0) throw new UsageError('lint needs at least one <openapi-file>');
  const { lintSpecs } = await import('./lint.js');
  const result = lintSpecs(args);
  process.stdout.write(result.report);
  return result.ok ? 0 : 1;
}

async function mock(args: string[]): Promise<number> {
  if (args.length === 0) throw new UsageError('mock needs at least one <name>=<openapi-file>');
  const specs = args.map((arg) => {
    const [name, specPath] = arg.split('=');
    if (!name || !specPath) throw new UsageError(`expected <name>=<openapi-file>, got ${arg}`);
    return { name, specPath: resolve(specPath) };
  });
  const { startMockServers, stopMockServers } = await loadMocks();
  const servers = await startMockServers(specs);
  for (const server of servers) console.log(`${server.name}\t${server.url}`);
  await new Promise<void>((done) => {
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
  await stopMockServers(servers);
  return 0;
}

const FAIL_ON = ['breaking', 'non-breaking', 'docs-only', 'none'] as const;

/** Whether a change fails the run at `--fail-on`: the exit code, and the failures of `--format junit`. */
function failsAt(failOn: (typeof FAIL_ON)[number]): (change: SpecChange) => boolean {
  if (failOn === 'none') return () => false;
  const limit = SEVERITY_ORDER[failOn];
  // A change the policy file accepts fails nothing (README, "Accepted changes and severity overrides").
  return (change) => change.accepted === undefined && SEVERITY_ORDER[change.severity] <= limit;
}

/** `--format`, with `--json` as another name for `--format json`. */
function reportFormat(values: { json?: boolean; format?: string }): ReportFormat {
  const format = values.format ?? (values.json ? 'json' : 'markdown');
  const valid = `one of ${REPORT_FORMATS.join(', ')}`;
  if (!isReportFormat(format)) throw new UsageError(`--format must be ${valid}, not "${format}"`);
  if (values.json && format !== 'json') throw new UsageError(`--json means --format json: give one --format (${valid}), not --json with --format ${format}`);
  return format;
}

async function printDiff(
  before: { label: string; document: JsonObject; file?: string | undefined },
  after: { label: string; document: JsonObject; file?: string | undefined },
  values: { json?: boolean; format?: string; 'fail-on'?: string; output?: string; 'second-opinion'?: boolean } & PolicyFlags,
  given?: { result: DiffResult; outOfScope: OutOfScopeChanges | undefined },
): Promise<number> {
  const failOn = (values['fail-on'] ?? 'breaking') as (typeof FAIL_ON)[number];
  if (!FAIL_ON.includes(failOn)) throw new UsageError(`--fail-on must be one of ${FAIL_ON.join(', ')}`);
  const format = reportFormat(values);
  const { diffDocuments } = await import('./diff/classify.js');
  const { judgeDiff } = await import('./diff/policy.js');
  const resolved = await resolvePolicy(values, { cwd: process.cwd() });
  const classified = given?.result ?? diffDocuments(before.document, after.document, { before: before.label, after: after.label });
  const { acceptanceWarnings } = await import('./diff/accepted.js');
  const result = judgeDiff(classified, before.document, after.document, resolved);
  for (const line of acceptanceWarnings(result.acceptance)) console.error(line);
  const outOfScope = given?.outOfScope;
  const fails = failsAt(failOn);
  const { text, notes } = await renderReport(format, { before, after, result, outOfScope, fails });
  for (const note of notes) console.error(`upstat-spec: ${note}`);
  const failed = result.changes.some(fails);
  if (values.output) {
    writeFileSync(values.output, text);
    // The report is in the file: a CI log still gets the verdict, on stderr, in one line.
    const { breaking, nonBreaking, docsOnly } = result.summary;
    const counts = `${breaking} breaking, ${nonBreaking} non-breaking, ${docsOnly} docs-only`;
    console.error(`${failed ? `fails (--fail-on ${failOn})` : 'passes'}: ${counts} change${breaking + nonBreaking + docsOnly === 1 ? '' : 's'}; the report is in ${values.output}`);
  } else process.stdout.write(text);
  if (values['second-opinion']) {
    const { secondOpinion } = await import('./diff/second-opinion.js');
    const opinion = secondOpinion(before.document, after.document, result);
    if (opinion.error) console.error(`second opinion unavailable: ${opinion.error}`);
    else if (opinion.disagreements.length === 0) console.error('second opinion (Redocly CLI diff): agrees on what breaks.');
    else {
      console.error(`second opinion (Redocly CLI diff): ${opinion.disagreements.length} disagreement(s) on what breaks:`);
      for (const item of opinion.disagreements) console.error(`  ${item.pointer}: upstat ${item.upstat}, Redocly ${item.redocly}${item.detail ? ` (${item.detail})` : ''}`);
    }
  }
  return failed ? 1 : 0;
}

const DIFF_OPTIONS = {
  json: { type: 'boolean', default: false },
  format: { type: 'string' },
  'fail-on': { type: 'string', default: 'breaking' },
  output: { type: 'string' },
  'second-opinion': { type: 'boolean', default: false },
  ...POLICY_OPTIONS,
} as const;

async function diff(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: DIFF_OPTIONS });
  const [first, second] = positionals;
  if (first === undefined || second === undefined || positionals.length !== 2) throw new UsageError('diff needs <old> and <new>');
  reportFormat(values); // a usage error before anything is read
  const { loadSide } = await import('./diff/load-side.js');
  // The classifier and the report load while the two documents are read (printDiff's imports then find them loaded).
  const [before, after] = await Promise.all([loadSide(first), loadSide(second), import('./diff/classify.js'), import('./diff/report.js')]);
  return printDiff(before, after, values);
}

const CHECK_OPTIONS = { ...DIFF_OPTIONS, covers: { type: 'string', multiple: true } } as const;

/** `check`'s work, shared with `fetch`: the committed effective spec against the new spec, cut and overlaid. */
async function checkSource(provider: string, source: string, values: { covers?: string[] | undefined } & Parameters<typeof printDiff>[2]): Promise<number> {
  const { compareProvider } = await import('./spec-dir.js');
  const comparison = await compareProvider({ root: findRepoRoot(), provider, source, covers: values.covers });
  return printDiff(comparison.before, comparison.after, values, { result: comparison.diff, outOfScope: comparison.outOfScope });
}

async function check(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: CHECK_OPTIONS });
  const [provider, source] = positionals;
  if (provider === undefined || source === undefined || positionals.length !== 2) throw new UsageError('check needs <provider> and <new-spec>');
  reportFormat(values); // a usage error before anything is read
  return checkSource(provider, source, values);
}

async function fetchCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { ...CHECK_OPTIONS, url: { type: 'string' }, out: { type: 'string' } },
  });
  const [provider] = positionals;
  if (provider === undefined || positionals.length !== 1) throw new UsageError('fetch needs exactly one <provider>');
  if (!/^[\w.-]+$/.test(provider)) throw new UsageError(`fetch: "${provider}" is not a provider name`);
  reportFormat(values); // a usage error before anything is downloaded
  const root = findRepoRoot();
  const { fetchSpec, publishedUrl, saveFetched } = await import('./fetch.js');
  const url = values.url ?? (await publishedUrl(root, provider));
  const fetched = await fetchSpec(url);
  const saved = await saveFetched(root, provider, fetched, values.out);
  // Where the file is goes to stderr, so that --json output stays one JSON document.
  console.error(`fetched ${fetched.from} (${fetched.bytes} bytes, ${fetched.format.toUpperCase()}) to ${displayPath(saved)}`);
  const code = await checkSource(provider, relative(process.cwd(), saved), values);
  if (code !== 2) console.error(`to apply it: pnpm spec:update ${provider} ${displayPath(saved)}`);
  return code;
}

async function published(args: string[]): Promise<number> {
  if (args.length > 0) throw new UsageError('published takes no arguments');
  const { publishedSpecs } = await import('./fetch.js');
  console.log(JSON.stringify(await publishedSpecs(findRepoRoot())));
  return 0;
}

async function update(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { typecheck: { type: 'string' }, today: { type: 'string' }, dependent: { type: 'string', multiple: true }, covers: { type: 'string', multiple: true } },
  });
  const [provider, source] = positionals;
  if (provider === undefined || source === undefined || positionals.length !== 2) throw new UsageError('update needs <provider> and <new-spec>');
  const { updateSpec } = await import('./update.js');
  const result = await updateSpec({
    root: findRepoRoot(),
    provider,
    source,
    ...(values.typecheck === undefined ? {} : { typecheckCommand: values.typecheck }),
    ...(values.today === undefined ? {} : { today: values.today }),
    ...(values.dependent === undefined ? {} : { dependents: values.dependent }),
    covers: values.covers,
  });
  const { summary } = result.diff;
  const { outOfScopeLine } = await import('./diff/report.js');
  const { acceptanceWarnings } = await import('./diff/accepted.js');
  for (const line of acceptanceWarnings(result.diff.acceptance)) console.error(line);
  const scope = result.outOfScope === undefined ? '' : ` ${outOfScopeLine(result.outOfScope)}`;
  if (result.bump === 'none') {
    console.log(`${provider}: ${source} makes no change to the effective spec; nothing written.${scope}`);
    return 0;
  }
  const accepted = summary.accepted ? `, ${summary.accepted} accepted` : '';
  console.log(`${provider}: ${summary.breaking} breaking, ${summary.nonBreaking} non-breaking, ${summary.docsOnly} docs-only change(s)${accepted} → ${result.bump} bump.${scope}`);
  console.log(`written: ${result.written.join(', ')}`);
  if (result.typecheck === undefined) return 0;
  if (result.typecheck.ok) {
    const said = result.typecheck.stdout.trim();
    console.log(`type check: passed${said === '' ? '' : `\n${said}`}`);
    return 0;
  }
  console.error(`type check failed: code using the regenerated client needs changes.\n${result.typecheck.output.trim()}`);
  return 1;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command !== undefined && isCommand(command) && asksForHelp(rest)) {
    console.log(commandHelp(command));
    return 0;
  }
  switch (command) {
    case 'generate':
      return generate(rest);
    case 'lint':
      return lint(rest);
    case 'mock':
      return mock(rest);
    case 'diff':
      return diff(rest);
    case 'check':
      return check(rest);
    case 'fetch':
      return fetchCommand(rest);
    case 'published':
      return published(rest);
    case 'update':
      return update(rest);
    case 'help': {
      const [topic, ...extra] = rest;
      if (topic === undefined || topic === '--help' || topic === '-h') {
        console.log(USAGE);
        return 0;
      }
      if (!isCommand(topic)) throw new UsageError(`help: unknown command "${topic}"`);
      if (extra.length > 0) throw new UsageError('help takes at most one <command>');
      console.log(commandHelp(topic));
      return 0;
    }
    case '-v':
    case '--version':
      if (rest.length > 0) throw new UsageError(`${command} takes no arguments`);
      console.log(version());
      return 0;
    case undefined:
    case '-h':
    case '--help':
      // With no command at all, the usage goes to stderr (it is a usage error, exit 2); asked for, to stdout.
      if (command === undefined) console.error(USAGE);
      else console.log(USAGE);
      return command === undefined ? 2 : 0;
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError || (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'))) {
      console.error(`upstat-spec: ${error.message}\n\n${USAGE}`);
      process.exitCode = 2;
    } else if (error instanceof SpecToolError) {
      console.error(`upstat-spec: ${error.message}`);
      process.exitCode = 2;
    } else {
      console.error(error);
      process.exitCode = 1;
    }
  },
);
