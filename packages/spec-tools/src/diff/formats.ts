import { isAbsolute, relative, sep } from 'node:path';
import type { LocatableSide, SourcePlace } from './locate.js';
import { BREAKS_WHAT, type DiffResult, type OutOfScopeChanges, type SpecChange } from './types.js';
import { wrap } from '../wrap.js';

// The CLI imports this module for its help text (REPORT_FORMATS, FORMAT_USAGE, FORMAT_HELP): what renders a report is
// imported when one is rendered, and the locator (which reads and parses the spec files again) only by the formats
// that point at files and lines.

/**
 * The report formats of `diff`, `check` and `fetch` (`--format`), in the order the help and the README list them.
 * `located` formats point at each change's spec file and line (src/diff/locate.ts), which costs reading and parsing
 * the spec files again: only they load the locator.
 */
const FORMATS = {
  markdown: { located: false, summary: 'the default: a summary line, then the changes grouped by operation, breaking ones first; for a pull-request comment' },
  json: { located: false, summary: '`{ before, after, changes, summary }` for tools (`--json` is the same)' },
  github: { located: true, summary: 'GitHub Actions workflow commands, one annotation per change at its spec file and line' },
  junit: { located: true, summary: 'a JUnit XML report, one test case per change, failing when the change fails the run (`--fail-on`)' },
} as const satisfies Record<string, { located: boolean; summary: string }>;

export type ReportFormat = keyof typeof FORMATS;
export const REPORT_FORMATS = Object.keys(FORMATS) as ReportFormat[];

export const isReportFormat = (name: string): name is ReportFormat => Object.hasOwn(FORMATS, name);

/** `[--format markdown|json|…]`, for the usage lines. */
export const FORMAT_USAGE = `[--format ${REPORT_FORMATS.join('|')}]`;

/** The help's lines on --format (plain text; the README's table is `formatsMarkdown`). */
export const FORMAT_HELP = REPORT_FORMATS.map((name) => wrap(`--format ${name}: ${FORMATS[name].summary.replace(/`/g, '')}.`)).join('\n');

/** The README's table of formats (a test keeps the README's copy in step). */
export function formatsMarkdown(): string {
  return ['| `--format` | what it writes |', '|---|---|', ...REPORT_FORMATS.map((name) => `| \`${name}\` | ${FORMATS[name].summary}. |`)].join('\n');
}

/** One side of the diff, as reports name it and as the located formats find its file. */
export interface ReportSide extends LocatableSide {
  label: string;
}

export interface ReportInput {
  before: ReportSide;
  after: ReportSide;
  result: DiffResult;
  outOfScope?: OutOfScopeChanges | undefined;
  /** Whether a change fails the run: the rule the exit code follows (`--fail-on`). */
  fails: (change: SpecChange) => boolean;
  /** File paths are shown relative to it (GitHub resolves them from the repository's root). Default: the working directory. */
  cwd?: string;
}

export interface RenderedReport {
  text: string;
  /** Spec files that could not be read or parsed for line numbers (their changes are reported without a line). */
  notes: string[];
}

/** Renders the report of a diff in one of the formats. */
export async function renderReport(format: ReportFormat, input: ReportInput): Promise<RenderedReport> {
  const { before, after, result, outOfScope } = input;
  const { markdownReport, outOfScopeLine } = await import('./report.js');
  if (format === 'markdown') return { text: markdownReport(result, `${before.label} → ${after.label}`, { outOfScope }), notes: [] };
  if (format === 'json') {
    return { text: `${JSON.stringify({ before: before.label, after: after.label, ...result, ...(outOfScope === undefined ? {} : { outOfScope }) }, null, 2)}\n`, notes: [] };
  }
  const { createLocator } = await import('./locate.js');
  const locator = createLocator(before, after);
  const cwd = input.cwd ?? process.cwd();
  const placed = result.changes.map((change) => ({ change, place: shown(locator.place(change), cwd) }));
  const scope = outOfScope === undefined ? undefined : outOfScopeLine(outOfScope);
  const text = format === 'github' ? githubReport(placed, scope) : junitReport(placed, input, scope);
  return { text, notes: locator.problems() };
}

interface Placed {
  change: SpecChange;
  place: SourcePlace | undefined;
}

/** A place with its file relative to `cwd`, `/`-separated (as GitHub and JUnit consumers expect). */
function shown(place: SourcePlace | undefined, cwd: string): SourcePlace | undefined {
  if (place === undefined) return undefined;
  const path = relative(cwd, place.file);
  return { file: path === '' || isAbsolute(path) ? place.file : path.split(sep).join('/'), line: place.line };
}

function verdict(change: SpecChange): string {
  const breaks = change.breaks === undefined ? '' : `, breaks ${BREAKS_WHAT[change.breaks]}`;
  // An accepted change's message already says by which entry and why (src/diff/accepted.ts).
  return `${change.severity}${breaks}${change.accepted === undefined ? '' : ', accepted'}`;
}

/** What a change says to people, in one line: the operation, the message, its verdict and pointer. */
function sentence(change: SpecChange): string {
  return `${change.operation === undefined ? '' : `${change.operation}: `}${change.message} (${verdict(change)}; at ${change.pointer})`;
}

// ------------------------------------------------------------------ GitHub Actions

/** Escapes a workflow command's message: `%`, CR and LF (the runner's escaping, actions/toolkit's `escapeData`). */
export function escapeGithubData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Escapes a workflow command's property value: as data, and `:` and `,`, which separate properties. */
export function escapeGithubProperty(text: string): string {
  return escapeGithubData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

const GITHUB_LEVEL = { breaking: 'error', 'non-breaking': 'warning', 'docs-only': 'notice' } as const;

function githubCommand(level: string, properties: Record<string, string | number | undefined>, message: string): string {
  const list = Object.entries(properties)
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined)
    .map(([key, value]) => `${key}=${escapeGithubProperty(String(value))}`)
    .join(',');
  return `::${level}${list === '' ? '' : ` ${list}`}::${escapeGithubData(message)}`;
}

/**
 * One workflow command per change: `::error` for breaking, `::warning` for non-breaking, `::notice` for docs-only
 * and for a change the policy file accepted (whatever its severity: it fails nothing), at the change's file and line
 * when known, titled with its rule id. Operations outside the cut, when counted, are one more `::notice`.
 */
function githubReport(placed: readonly Placed[], outOfScope: string | undefined): string {
  const lines = placed.map(({ change, place }) =>
    githubCommand(change.accepted === undefined ? GITHUB_LEVEL[change.severity] : 'notice', { file: place?.file, line: place?.line, title: change.rule }, sentence(change)),
  );
  if (outOfScope !== undefined) lines.push(githubCommand('notice', { title: 'outside the covered operations' }, outOfScope));
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

// ------------------------------------------------------------------ JUnit XML

/** Characters XML 1.0 cannot carry at all (control characters other than tab, LF and CR; lone surrogates). */
// eslint-disable-next-line no-control-regex -- these control characters are what the expression is for
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Text content: `&` and `<` escaped (and `>`, for `]]>`), characters XML cannot carry replaced with U+FFFD. */
export function escapeXmlText(text: string): string {
  return text.replace(NOT_XML, '\uFFFD').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** An attribute value in double quotes: also `"`, and tab, LF and CR as character references (parsers normalise them to spaces). */
export function escapeXmlAttribute(text: string): string {
  return escapeXmlText(text).replace(/"/g, '&quot;').replace(/\t/g, '&#9;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;');
}

function attributes(values: Record<string, string | number | undefined>): string {
  return Object.entries(values)
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined)
    .map(([key, value]) => ` ${key}="${escapeXmlAttribute(String(value))}"`)
    .join('');
}

/**
 * One `<testsuite>` for the run, one `<testcase>` per change (classname: the operation, or `document`; name: the rule
 * and the pointer; `file` and `line` where known, as pytest and the JUnit consumers that annotate source read them).
 * A change that fails the run (`--fail-on`, the same rule as the exit code) has a `<failure>`; the others pass, their
 * message in `<system-out>`. Counts, and operations outside the cut, are suite properties.
 */
function junitReport(placed: readonly Placed[], input: ReportInput, outOfScope: string | undefined): string {
  const failures = placed.filter(({ change }) => input.fails(change)).length;
  const counts = { tests: placed.length, failures, errors: 0, skipped: 0, time: 0 };
  const { summary } = input.result;
  const properties: [string, string | number][] = [
    ['before', input.before.label],
    ['after', input.after.label],
    ['breaking', summary.breaking],
    ['non-breaking', summary.nonBreaking],
    ['docs-only', summary.docsOnly],
    ...(summary.accepted === undefined ? [] : ([['accepted', summary.accepted]] as [string, number][])),
    ...(outOfScope === undefined ? [] : ([['outside the covered operations', outOfScope]] as [string, string][])),
  ];
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attributes({ name: 'upstat-spec diff', ...counts })}>`,
    `  <testsuite${attributes({ name: `${input.before.label} → ${input.after.label}`, ...counts })}>`,
    '    <properties>',
    ...properties.map(([name, value]) => `      <property${attributes({ name, value })}/>`),
    '    </properties>',
  ];
  for (const { change, place } of placed) {
    const head = `    <testcase${attributes({ classname: change.operation ?? 'document', name: `${change.rule} at ${change.pointer}`, file: place?.file, line: place?.line, time: 0 })}>`;
    const body = input.fails(change)
      ? `      <failure${attributes({ message: sentence(change), type: change.rule })}>${escapeXmlText(sentence(change))}</failure>`
      : `      <system-out>${escapeXmlText(sentence(change))}</system-out>`;
    lines.push(head, body, '    </testcase>');
  }
  lines.push('  </testsuite>', '</testsuites>');
  return `${lines.join('\n')}\n`;
}
