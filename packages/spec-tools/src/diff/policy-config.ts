import { readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { SpecToolError } from '../errors.js';
import { isObject, parseDocumentText } from '../load.js';
import type { AcceptanceEntry, Severity } from './types.js';
import { wrap } from '../wrap.js';

// The policy's settings: the defaults, the policy file, the command-line flags and how they combine. This module
// loads nothing heavy (the YAML parser only for a YAML file), so the CLI can import it before parsing arguments.
// The pass that applies a policy to a diff is ./policy.ts.

/** `x-stability-level` values, least stable first (the levels oasdiff defines). */
export const STABILITY_LEVELS = ['draft', 'alpha', 'beta', 'stable'] as const;
export type StabilityLevel = (typeof STABILITY_LEVELS)[number];

/** What a change the policy rules on becomes. */
export const POLICY_OUTCOMES = ['breaking', 'non-breaking'] as const;
export type PolicyOutcome = (typeof POLICY_OUTCOMES)[number];

export interface DiffPolicy {
  /** What removing a deprecated item on or after its `x-sunset` date is. */
  afterSunset: PolicyOutcome;
  /** What removing a deprecated item that announces no `x-sunset` date is. */
  deprecatedWithoutSunset: PolicyOutcome;
  /** The `x-stability-level`s whose operations' breaking changes are downgraded to non-breaking. */
  stabilityDowngrade: readonly StabilityLevel[];
}

/**
 * The defaults, the one place they are written: the README's table (`policyDefaultsMarkdown`) and the CLI's help
 * (`POLICY_HELP`) are rendered from this object.
 *  - after the sunset the vendor kept its promise: the removal is reported, but does not break;
 *  - deprecated with no date, the vendor promised nothing about when: a client still using it breaks without notice;
 *  - draft and alpha operations are declared free to change (as oasdiff treats them); beta and stable are not.
 */
export const DEFAULT_POLICY: Readonly<DiffPolicy> = Object.freeze({
  afterSunset: 'non-breaking',
  deprecatedWithoutSunset: 'breaking',
  stabilityDowngrade: Object.freeze(['draft', 'alpha'] as StabilityLevel[]),
});

/** Each setting's flag and meaning, for the README's table and the help. */
const SETTINGS: Record<keyof DiffPolicy, { flag: string; argument: string; values: string; meaning: string; help: string }> = {
  afterSunset: {
    flag: '--after-sunset',
    argument: POLICY_OUTCOMES.join('|'),
    values: POLICY_OUTCOMES.map((name) => `\`${name}\``).join(', '),
    meaning: 'removing a deprecated operation, parameter, property, header or schema on or after its `x-sunset` date',
    help: 'removing a deprecated item on or after its x-sunset date',
  },
  deprecatedWithoutSunset: {
    flag: '--deprecated-without-sunset',
    argument: POLICY_OUTCOMES.join('|'),
    values: POLICY_OUTCOMES.map((name) => `\`${name}\``).join(', '),
    meaning: 'removing a deprecated item that has no `x-sunset`',
    help: 'removing a deprecated item that has no x-sunset',
  },
  stabilityDowngrade: {
    flag: '--stability-downgrade',
    argument: '<levels>|none',
    values: `a list of ${STABILITY_LEVELS.map((name) => `\`${name}\``).join(', ')} (flag: comma-separated, \`none\` for none)`,
    meaning: 'breaking changes to operations at these `x-stability-level`s become non-breaking',
    help: 'breaking changes to operations at these x-stability-levels (comma-separated) become non-breaking',
  },
};
const SETTING_NAMES = Object.keys(SETTINGS) as (keyof DiffPolicy)[];

/**
 * The policy file's sections about single rules, which have no flag: `severity` (a rule's severity instead of the
 * catalogue's) and `accepted` (changes a team decided to take). Applied by ./accepted.ts.
 */
const RULE_SECTIONS = ['severity', 'accepted'] as const;
const FILE_KEYS = [...SETTING_NAMES, ...RULE_SECTIONS];

/** A severity the policy file gives a rule in place of the catalogue's. */
export interface SeverityOverride {
  rule: string;
  severity: Severity;
  /** Where it is written: `<file>: severity.<rule>`. */
  entry: string;
}

/** What a policy file holds: settings, severity overrides and accepted changes, each present only when written. */
export interface PolicyFile extends Partial<DiffPolicy> {
  severity?: SeverityOverride[];
  accepted?: AcceptanceEntry[];
}

/** Policy files found in the current directory when `--policy` is not given (at most one may exist). */
export const POLICY_FILE_NAMES = ['upstat-spec.policy.json', 'upstat-spec.policy.yaml', 'upstat-spec.policy.yml'] as const;

/** A bad policy file, flag or date: the message names the file or flag, the key and what was expected. */
export class PolicyConfigError extends SpecToolError {
  override readonly name: string = 'PolicyConfigError';
}

const quote = (value: unknown): string => JSON.stringify(value);

function outcome(value: unknown, where: string): PolicyOutcome {
  if (typeof value === 'string' && (POLICY_OUTCOMES as readonly string[]).includes(value)) return value as PolicyOutcome;
  throw new PolicyConfigError(`${where}: expected ${POLICY_OUTCOMES.map((name) => `"${name}"`).join(' or ')}, got ${quote(value)}`);
}

function levels(value: unknown, where: string): StabilityLevel[] {
  if (!Array.isArray(value)) throw new PolicyConfigError(`${where}: expected a list of stability levels (${STABILITY_LEVELS.join(', ')}), got ${quote(value)}`);
  const seen = new Set<StabilityLevel>();
  value.forEach((item: unknown, index) => {
    if (typeof item !== 'string' || !(STABILITY_LEVELS as readonly string[]).includes(item)) {
      throw new PolicyConfigError(`${where}[${index}]: ${quote(item)} is not a stability level (${STABILITY_LEVELS.join(', ')})`);
    }
    if (seen.has(item as StabilityLevel)) throw new PolicyConfigError(`${where}[${index}]: "${item}" is listed twice`);
    seen.add(item as StabilityLevel);
  });
  return [...seen];
}

const SEVERITIES: readonly Severity[] = ['breaking', 'non-breaking', 'docs-only'];

/** Edit distance, for naming the rule ids nearest to a misspelt one. */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length] as number;
}

/** A rule id of the catalogue (src/diff/rules.ts); anything else names the three nearest ids. */
function ruleId(value: unknown, where: string, ids: readonly string[]): string {
  if (typeof value !== 'string') throw new PolicyConfigError(`${where}: expected a rule id, got ${quote(value)}`);
  if (ids.includes(value)) return value;
  const nearest = ids
    .map((id) => ({ id, cost: distance(value, id) }))
    .sort((a, b) => a.cost - b.cost || a.id.localeCompare(b.id))
    .slice(0, 3)
    .map((item) => item.id);
  throw new PolicyConfigError(`${where}: unknown rule id ${quote(value)} (nearest: ${nearest.join(', ')}; every id is in the README's rule table)`);
}

function severityOverrides(value: unknown, label: string, ids: readonly string[]): SeverityOverride[] {
  if (!isObject(value)) throw new PolicyConfigError(`${label}: "severity": expected an object mapping rule ids to ${SEVERITIES.map((name) => `"${name}"`).join(', ')}, got ${quote(value)}`);
  return Object.entries(value).map(([key, severity]) => {
    const entry = `${label}: severity.${key}`;
    const rule = ruleId(key, `${label}: "severity"`, ids);
    if (typeof severity !== 'string' || !(SEVERITIES as readonly string[]).includes(severity)) {
      throw new PolicyConfigError(`${entry}: expected ${SEVERITIES.map((name) => `"${name}"`).join(', ')}, got ${quote(severity)}`);
    }
    return { rule, severity: severity as Severity, entry };
  });
}

const ENTRY_KEYS = ['rule', 'pointer', 'operation', 'reason', 'expires'] as const;

function acceptedEntry(value: unknown, entry: string, ids: readonly string[]): AcceptanceEntry {
  if (!isObject(value)) throw new PolicyConfigError(`${entry}: expected an object with ${ENTRY_KEYS.join(', ')}, got ${quote(value)}`);
  for (const key of Object.keys(value)) {
    if (!(ENTRY_KEYS as readonly string[]).includes(key)) throw new PolicyConfigError(`${entry}: unknown key "${key}" (expected ${ENTRY_KEYS.join(', ')})`);
  }
  if (value.rule === undefined) throw new PolicyConfigError(`${entry}: "rule" is required (the id of the rule that reports the change)`);
  const rule = ruleId(value.rule, `${entry}: "rule"`, ids);
  const { pointer, operation, reason, expires } = value;
  if (pointer === undefined && operation === undefined) {
    throw new PolicyConfigError(`${entry}: needs "pointer" (a JSON pointer, as the report prints it) or "operation" ("GET /path"), or both`);
  }
  // A pointer is RFC 6901: empty or slash-separated, `~` only as `~0` or `~1`. The empty pointer (the whole document)
  // would accept the rule everywhere: that is a severity override, so it is refused here.
  if (pointer !== undefined && (typeof pointer !== 'string' || !/^(\/([^~]|~[01])*)+$/.test(pointer))) {
    throw new PolicyConfigError(`${entry}: "pointer": expected a JSON pointer such as "/paths/~1books/get", got ${quote(pointer)}`);
  }
  if (operation !== undefined && (typeof operation !== 'string' || !/^[A-Z]+ \S/.test(operation))) {
    throw new PolicyConfigError(`${entry}: "operation": expected a method and a path such as "GET /books/{id}", as the report names operations, got ${quote(operation)}`);
  }
  if (typeof reason !== 'string' || reason.trim() === '') throw new PolicyConfigError(`${entry}: "reason" is required: say why the change is accepted`);
  const result: AcceptanceEntry = { entry, rule, reason: reason.trim() };
  if (pointer !== undefined) result.pointer = pointer;
  if (operation !== undefined) result.operation = operation;
  if (expires !== undefined) {
    // YAML 1.2 (what the yaml package reads) keeps 2026-12-31 a string; a quoted or JSON date is one anyway.
    if (typeof expires !== 'string') throw new PolicyConfigError(`${entry}: "expires": expected a date as YYYY-MM-DD, got ${quote(expires)}`);
    result.expires = parseToday(expires, `${entry}: "expires"`);
  }
  return result;
}

function acceptedEntries(value: unknown, label: string, ids: readonly string[]): AcceptanceEntry[] {
  if (!Array.isArray(value)) throw new PolicyConfigError(`${label}: "accepted": expected a list of entries (rule, pointer and/or operation, reason, expires), got ${quote(value)}`);
  return value.map((item: unknown, index) => acceptedEntry(item, `${label}: accepted[${index}]`, ids));
}

/**
 * Checks a parsed policy file strictly: an object with only known keys, each with a valid value; rule ids against
 * `ruleIds` (the catalogue's: `catalogueRuleIds()`).
 */
export function parsePolicy(value: unknown, label: string, ruleIds: readonly string[]): PolicyFile {
  if (!isObject(value)) throw new PolicyConfigError(`${label}: expected an object with any of ${FILE_KEYS.join(', ')}, got ${quote(value)}`);
  const policy: PolicyFile = {};
  for (const [key, setting] of Object.entries(value)) {
    const where = `${label}: "${key}"`;
    if (key === 'afterSunset') policy.afterSunset = outcome(setting, where);
    else if (key === 'deprecatedWithoutSunset') policy.deprecatedWithoutSunset = outcome(setting, where);
    else if (key === 'stabilityDowngrade') policy.stabilityDowngrade = levels(setting, where);
    else if (key === 'severity') policy.severity = severityOverrides(setting, label, ruleIds);
    else if (key === 'accepted') policy.accepted = acceptedEntries(setting, label, ruleIds);
    else throw new PolicyConfigError(`${label}: unknown key "${key}" (expected one of ${FILE_KEYS.join(', ')})`);
  }
  return policy;
}

/**
 * Reads and checks a policy file (JSON when named `.json`, else YAML). Messages and the entries' labels name it as
 * `label` (default: the path).
 */
export async function loadPolicyFile(path: string, label = path): Promise<PolicyFile> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new PolicyConfigError(`${label}: cannot read policy file (${(error as NodeJS.ErrnoException).code ?? 'unknown error'})`);
  }
  let value: unknown;
  try {
    value = parseDocumentText(text, label);
  } catch (error) {
    throw new PolicyConfigError((error as Error).message);
  }
  // An empty YAML file parses as null: a policy file that sets nothing is still a mistake worth naming.
  return parsePolicy(value, label, await catalogueRuleIds());
}

/**
 * The rule ids of the catalogue (src/diff/rules.ts), loaded only when a policy file is read: the CLI imports this
 * module for its help text, and `--help` and `--version` are held to a bare Node start (benchmarks/src/spec-tools.ts).
 */
export async function catalogueRuleIds(): Promise<string[]> {
  const { allRules } = await import('./rules.js');
  return allRules().map((known) => known.id);
}

/** The `upstat-spec.policy.*` file in `cwd`, if there is one; two of them are an error (which one would win?). */
export function findPolicyFile(cwd: string): string | undefined {
  const found: string[] = [];
  for (const name of POLICY_FILE_NAMES) {
    const path = join(cwd, name);
    try {
      if (statSync(path).isFile()) found.push(path);
    } catch (error) {
      const { code } = error as NodeJS.ErrnoException;
      if (code !== 'ENOENT') throw new PolicyConfigError(`${path}: cannot read policy file (${code ?? 'unknown error'})`);
    }
  }
  if (found.length > 1) throw new PolicyConfigError(`more than one policy file in ${cwd}: ${found.join(', ')}; keep one`);
  return found[0];
}

/** `parseArgs` options for the policy flags, for any command that prints a diff. */
export const POLICY_OPTIONS = {
  policy: { type: 'string' },
  'after-sunset': { type: 'string' },
  'deprecated-without-sunset': { type: 'string' },
  'stability-downgrade': { type: 'string' },
  today: { type: 'string' },
} as const;

export interface PolicyFlags {
  policy?: string | undefined;
  'after-sunset'?: string | undefined;
  'deprecated-without-sunset'?: string | undefined;
  'stability-downgrade'?: string | undefined;
  today?: string | undefined;
}

/** The settings given as flags. `--stability-downgrade` takes a comma-separated list; `none` (or nothing) is no level. */
export function policyFromFlags(flags: PolicyFlags): Partial<DiffPolicy> {
  const policy: Partial<DiffPolicy> = {};
  const after = flags['after-sunset'];
  if (after !== undefined) policy.afterSunset = outcome(after, SETTINGS.afterSunset.flag);
  const without = flags['deprecated-without-sunset'];
  if (without !== undefined) policy.deprecatedWithoutSunset = outcome(without, SETTINGS.deprecatedWithoutSunset.flag);
  const list = flags['stability-downgrade'];
  if (list !== undefined) {
    const names = list.trim() === '' || list.trim() === 'none' ? [] : list.split(',').map((name) => name.trim());
    policy.stabilityDowngrade = levels(names, SETTINGS.stabilityDowngrade.flag);
  }
  return policy;
}

/** Checks a `YYYY-MM-DD` calendar date (the policy's "today"). */
export function parseToday(value: string, where = '--today'): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match || !isCalendarDate(Number(match[1]), Number(match[2]), Number(match[3]))) {
    throw new PolicyConfigError(`${where}: expected a date as YYYY-MM-DD, got ${quote(value)}`);
  }
  return value;
}

export function isCalendarDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  return day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Today's date in UTC, as `YYYY-MM-DD`. */
export const utcToday = (): string => new Date().toISOString().slice(0, 10);

export interface ResolvedPolicy {
  policy: DiffPolicy;
  /** The date sunsets are compared with (`--today`, else today in UTC). */
  today: string;
  /** The policy file read, if any. */
  file: string | undefined;
  /** The policy file's severity overrides (none without one). */
  severity: SeverityOverride[];
  /** The policy file's accepted changes (none without one). */
  accepted: AcceptanceEntry[];
}

/**
 * The policy a command runs with: the defaults, then the policy file (`--policy <file>`, else an
 * `upstat-spec.policy.*` in `cwd`), then the flags — each layer overrides the settings it names.
 */
export async function resolvePolicy(flags: PolicyFlags, options: { cwd: string }): Promise<ResolvedPolicy> {
  const file = flags.policy ?? findPolicyFile(options.cwd);
  // Named relative to the directory the command runs in when it is there: the entries' labels end up in reports that
  // `update` commits (last-diff.md), which should not carry a machine's absolute paths.
  const inCwd = file === undefined ? undefined : relative(options.cwd, resolve(options.cwd, file));
  const label = inCwd === undefined || inCwd.startsWith('..') || isAbsolute(inCwd) ? file : inCwd;
  const { severity = [], accepted = [], ...fromFile } = file === undefined ? {} : await loadPolicyFile(file, label);
  const fromFlags = policyFromFlags(flags);
  return {
    policy: { ...DEFAULT_POLICY, ...fromFile, ...fromFlags },
    today: flags.today === undefined ? utcToday() : parseToday(flags.today),
    file,
    severity,
    accepted,
  };
}

const renderDefault = (value: DiffPolicy[keyof DiffPolicy]) => (typeof value === 'string' ? value : value.length === 0 ? 'none' : value.join(','));

/** The synopsis fragment for a command's usage line. */
export const POLICY_USAGE = `[--policy <file>] ${SETTING_NAMES.map((name) => `[${SETTINGS[name].flag} ${SETTINGS[name].argument}]`).join(' ')} [--today YYYY-MM-DD]`;

/** Help for the policy flags, with the defaults rendered from DEFAULT_POLICY. */
export const POLICY_HELP = wrap(
  [
    `--policy <file> reads a policy, JSON or YAML (else ${POLICY_FILE_NAMES.join(', ')} in the current directory, if there is one); flags override it.`,
    'The file may also override rules\' severities (severity: {<rule id>: <severity>}) and accept changes taken on purpose (accepted: a list of rule, pointer and/or operation, reason, expires YYYY-MM-DD): accepted changes stay in the report but fail nothing.',
    ...SETTING_NAMES.map((name) => `${SETTINGS[name].flag} ${SETTINGS[name].argument} (default ${renderDefault(DEFAULT_POLICY[name])}): ${SETTINGS[name].help}.`),
    '--today YYYY-MM-DD: the date sunsets are compared with (default: today, UTC).',
  ].join(' '),
);

/** The README's table of settings, rendered from DEFAULT_POLICY (a test keeps the README's copy in step). */
export function policyDefaultsMarkdown(): string {
  const rows = SETTING_NAMES.map(
    (name) => `| \`${name}\` | \`${SETTINGS[name].flag}\` | ${SETTINGS[name].values} | \`${renderDefault(DEFAULT_POLICY[name])}\` | ${SETTINGS[name].meaning} |`,
  );
  return ['| key | flag | values | default | what it decides |', '|---|---|---|---|---|', ...rows].join('\n');
}
