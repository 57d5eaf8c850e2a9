import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { DEFAULT_ATTEMPT_TIMEOUT_MS } from '@upstat/core';
import {
  CANONICAL_STATES,
  isTerminal,
  TERMINAL_STATES,
  createUpstat,
  DEFAULT_WAIT,
  failureSummary,
  MAX_DURATION_MS,
  WAIT_LONGER,
  UploadFailedError,
  WaitTimeoutError,
  type AnyStatus,
  type CanonicalState,
  type UpstatConfig,
} from 'upstat';
import { environmentOf, MissingCredential, providerPlugin, variableList } from './credentials.js';
import { createDisplay, displayMode, type Display } from './display.js';
import { formatDuration, parseDuration } from './duration.js';
import { EXIT, EXIT_CODES, exitCodesHelp, worstExit } from './exit-codes.js';
import { errorDocument, statusDocument, type ErrorSubject } from './json.js';
import { runMock } from './mock.js';
import { classify, UsageError } from './outcome.js';
import { statusLine } from './output.js';
import { CONFIG_FILES, loadConfig } from './config.js';
import { CLI_PROVIDERS, exampleRef, formatRef, providerById, providerNames, REFS, useProviders } from './providers.js';
import { printable } from './terminal.js';
import { requestLogger } from './verbose.js';

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

// ---------------------------------------------------------------------------------------------------------
// Options and help

const OPTIONS = {
  json: { type: 'boolean', default: false },
  stream: { type: 'boolean', default: false },
  verbose: { type: 'boolean', default: false },
  'api-key': { type: 'string' },
  'base-url': { type: 'string' },
  concurrency: { type: 'string' },
  timeout: { type: 'string' },
  'min-delay': { type: 'string' },
  'max-delay': { type: 'string' },
  'max-failures': { type: 'string' },
  'stop-on': { type: 'string' },
  accept: { type: 'string' },
  'request-timeout': { type: 'string' },
  demo: { type: 'boolean', default: false },
  config: { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
  version: { type: 'boolean', short: 'v', default: false },
} as const;

type OptionName = keyof typeof OPTIONS;
type Values = ReturnType<typeof parse>['values'];

/** The default number of uploads checked or waited for at once. */
const DEFAULT_CONCURRENCY = 4;

/** Rows of two columns, the first padded to the longest. */
function table(rows: [string, string][]): string {
  const width = Math.max(0, ...rows.map(([first]) => first.length)) + 2;
  return rows.map(([first, second]) => `  ${first.padEnd(width)}${second}`).join('\n');
}

const d = formatDuration;
const CONFIG_OPTION: [string, string] = [
  '--config <file>',
  `Providers of your own (default: ${CONFIG_FILES.join(' or ')} here, or $UPSTAT_CONFIG).`,
];
const CONNECTION_OPTIONS: [string, string][] = [
  ['--json', 'JSON lines for scripts: one compact document per ref (schema: @upstat/cli/schema/output.schema.json).'],
  ['--api-key <key>', "Credential for the refs' provider (instead of the environment); <first>:<second> for two parts."],
  ['--base-url <url>', "Server for the refs' provider (default: the vendor's server)."],
  ['--concurrency <n>', `How many requests are in flight at once, at most (default ${DEFAULT_CONCURRENCY}).`],
  ['--request-timeout <dur>', `Time limit for each HTTP attempt (default ${d(DEFAULT_ATTEMPT_TIMEOUT_MS)}).`],
  ['--verbose', 'Each HTTP attempt on stderr (or UPSTAT_LOG=debug): method, URL, status, duration.'],
  CONFIG_OPTION,
];
const WAIT_OPTIONS: [string, string][] = [
  ['--timeout <duration>', `Give up after this long (default ${d(DEFAULT_WAIT.timeoutMs)}).`],
  ['--min-delay <duration>', `Shortest delay between checks (default ${d(DEFAULT_WAIT.minDelayMs)}).`],
  ['--max-delay <duration>', `Longest delay between checks (default ${d(DEFAULT_WAIT.maxDelayMs)}).`],
  [
    '--max-failures <n>',
    `Give up after n failed checks in a row (connection, timeout, 5xx; a 429 never counts) (default ${
      Number.isFinite(DEFAULT_WAIT.maxFailures) ? String(DEFAULT_WAIT.maxFailures) : 'none: only --timeout ends a wait'
    }).`,
  ],
  ['--stop-on <states>', 'Also stop at these non-terminal states, e.g. action_required.'],
  ['--accept <states>', 'Terminal states that count as success besides succeeded, e.g. partial.'],
  ['--stream', 'With --json (implied): also a line for each change seen on the way, as it happens.'],
];

const firstExample = () => {
  const first = CLI_PROVIDERS[0];
  return first ? exampleRef(first.definition) : '<ref>';
};

interface CommandHelp {
  usage: string;
  summary: string;
  options: [string, string][];
}

const COMMANDS = {
  status: {
    usage: 'upstat status <ref>... [--json] [--api-key <key>] [--base-url <url>] [--concurrency <n>]',
    summary:
      'Check each upload once and print its status: one line per ref, in the order given. The exit code is the worst ' +
      'outcome among the refs.',
    options: CONNECTION_OPTIONS,
  },
  wait: {
    usage: 'upstat wait <ref>... [--json [--stream]] [--timeout <duration>] [--stop-on <states>] [--accept <states>] ...',
    summary:
      'Check each upload until it finishes: first at once, then after growing delays (a quarter of the time waited so ' +
      'far, between --min-delay and --max-delay). A check that fails for a reason that may pass (network, timeout, 5xx, ' +
      '429) is made again, sooner, until --timeout; one that cannot (401, 403, 404) ends the wait. On a terminal, one live ' +
      'line per upload, cut to the width; one line per change otherwise. With --json, one line per ref as it ends. The ' +
      'exit code is the worst outcome among the refs.',
    options: [...CONNECTION_OPTIONS, ...WAIT_OPTIONS],
  },
  mock: {
    usage: 'upstat mock [--demo | -- <command> [args...]]',
    summary:
      "Start Prism mock servers of every provider's spec on loopback and print the settings that point upstat at them, " +
      'until Ctrl-C. With -- <command>, run the command with those settings and exit with its exit code. With --demo, ' +
      'show each provider through this CLI (no account needed).',
    options: [['--demo', 'Run the demo instead of waiting for Ctrl-C.'], CONFIG_OPTION],
  },
} satisfies Record<string, CommandHelp>;

type Command = keyof typeof COMMANDS;

/** Which command each option belongs to (the others are for every command). */
const OPTION_COMMANDS: Partial<Record<OptionName, readonly Command[]>> = {
  json: ['status', 'wait'],
  verbose: ['status', 'wait'],
  'api-key': ['status', 'wait'],
  'base-url': ['status', 'wait'],
  concurrency: ['status', 'wait'],
  'request-timeout': ['status', 'wait'],
  timeout: ['wait'],
  'min-delay': ['wait'],
  'max-delay': ['wait'],
  'max-failures': ['wait'],
  'stop-on': ['wait'],
  accept: ['wait'],
  stream: ['wait'],
  demo: ['mock'],
  config: ['status', 'wait', 'mock'],
};

export const USAGE = `Usage:
${Object.values(COMMANDS)
  .map((command) => `  ${command.usage}`)
  .join('\n')}
Run "upstat --help" for everything, "upstat <command> --help" for one command.`;

const wrap = (text: string, indent: string, width = 80): string => {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && indent.length + line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  lines.push(line);
  return lines.map((text) => `${indent}${text}`).join('\n');
};

function refsHelp(): string {
  return `Refs (identifiers percent-encoded where they contain "/", ":" or "%"):
${CLI_PROVIDERS.map(({ definition }) => `  ${REFS.formats[definition.id] ?? definition.id}\n      e.g. ${exampleRef(definition)}`).join('\n')}`;
}

function environmentHelp(): string {
  return `Environment (the --api-key and --base-url flags win):
${table(
  CLI_PROVIDERS.map((provider) => {
    const { credentials, baseUrl, tokenUrl } = environmentOf(provider);
    const [primary, ...alternatives] = credentials.map(variableList);
    const or = alternatives.length > 0 ? ` (or ${alternatives.join(', or ')})` : '';
    return [provider.definition.id, [`${primary ?? ''}${or}`, baseUrl, ...(tokenUrl === undefined ? [] : [tokenUrl])].join(', ')];
  }),
)}`;
}

function exitHelp(): string {
  return `Exit codes (with many refs, the worst outcome, in this order: ${EXIT_CODES.map(({ code }) => code).join(', ')}):
${exitCodesHelp()}`;
}

const DURATIONS = 'Durations: 500ms, 90s, 10m, 1h, 2d, or a number of seconds.';

/** Help fits this many columns: a terminal's default, and what a pager or a narrow window shows without wrapping. */
const HELP_WIDTH = 80;

/**
 * Text wrapped to `HELP_WIDTH` at spaces: a table row's continuation lines start under its second column (or four
 * spaces in, when that is far right), any other line's four spaces further in than it; a word longer than the room
 * (a long example ref) is broken after a "/".
 */
function fitHelp(text: string): string {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    if (line.length <= HELP_WIDTH) {
      out.push(line);
      continue;
    }
    const lead = /^ */.exec(line)?.[0].length ?? 0;
    const column = /^ *\S+(?: \S+)*? {2,}(?=\S)/.exec(line)?.[0].length;
    const indent = ' '.repeat(column !== undefined && column <= 40 ? column : lead + 4);
    let current = line.slice(0, lead);
    let first = true;
    for (const word of line.slice(lead).split(' ')) {
      const room = HELP_WIDTH - indent.length;
      const pieces = word.length <= room ? [word] : (word.match(new RegExp(`.{1,${room - 1}}(?:/|$)|.{1,${room}}`, 'g')) ?? [word]);
      for (const piece of pieces) {
        const joined = first ? `${current}${piece}` : `${current} ${piece}`;
        if (!first && joined.length > HELP_WIDTH) {
          out.push(current);
          current = `${indent}${piece}`;
        } else current = joined;
        first = false;
      }
    }
    out.push(current);
  }
  return out.join('\n');
}

function helpText(): string {
  return fitHelp(`upstat ${version} — is my upload done yet? ${providerNames()} from the terminal.

${USAGE.split('\n').slice(0, -1).join('\n')}

Commands:
${Object.entries(COMMANDS)
  .map(([name, command]) => `  ${name.padEnd(8)}${wrap(command.summary, ' '.repeat(10)).trimStart()}`)
  .join('\n')}

${refsHelp()}

Options of status and wait:
${table(CONNECTION_OPTIONS)}
Options of wait:
${table(WAIT_OPTIONS)}
  ${DURATIONS}
Everywhere:
${table([
  ['-h, --help', 'This help; "upstat <command> --help" for one command.'],
  ['-v, --version', 'The version.'],
])}

${environmentHelp()}

States: ${CANONICAL_STATES.join(', ')}.
Output: data (statuses, JSON) on stdout; everything upstat says about itself (errors, hints, --verbose) on stderr.

${exitHelp()}`);
}

function commandHelp(name: Command): string {
  const command = COMMANDS[name];
  const sections = [`Usage: ${command.usage}`, wrap(command.summary, ''), `Options:\n${table([...command.options, ['-h, --help', 'This help.']])}`];
  if (name !== 'mock') sections.push(refsHelp(), environmentHelp());
  if (name === 'wait') sections.push(`${DURATIONS}\nStates: ${CANONICAL_STATES.join(', ')}.`);
  if (name !== 'mock') sections.push(exitHelp());
  return fitHelp(sections.join('\n\n'));
}

// ---------------------------------------------------------------------------------------------------------
// Checking what was given

/** How much of a ref an error message shows. */
const SHOWN_CHARACTERS = 100;
const shorten = (value: string) => (value.length > SHOWN_CHARACTERS ? `${value.slice(0, SHOWN_CHARACTERS)}…` : value);

/** Parses a ref of any provider in the registry; a provider upstat does not have is a usage error. */
function parseRef(text: string) {
  const colon = text.indexOf(':');
  const provider = text.slice(0, colon);
  if (colon !== -1 && providerById(provider) === undefined) {
    throw new UsageError(
      `${JSON.stringify(shorten(text))} is not an upload ref: unknown provider ${JSON.stringify(shorten(provider))}; ` +
        `expected one of ${Object.values(REFS.formats).join(', ')} (identifiers percent-encoded where they contain "/", ":" or "%").`,
    );
  }
  try {
    return REFS.parse(text);
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

/**
 * The states each of --accept and --stop-on can take: a wait accepts only a state that ends it (terminal), and stops
 * early only at one that does not (a terminal state always stops it).
 */
const STATE_FLAGS = {
  '--accept': { takes: TERMINAL_STATES, why: 'does not end a wait' },
  '--stop-on': { takes: CANONICAL_STATES.filter((state) => !isTerminal(state)), why: 'ends every wait already' },
} as const;

function states(value: string | undefined, flag: keyof typeof STATE_FLAGS): CanonicalState[] | undefined {
  if (value === undefined) return undefined;
  const { takes, why } = STATE_FLAGS[flag];
  const valid = `${flag} takes ${takes.join(', ')}`;
  const list = value.split(',').map((state) => state.trim()).filter(Boolean);
  const unknown = list.filter((state) => !(CANONICAL_STATES as readonly string[]).includes(state));
  if (unknown.length > 0) throw new UsageError(`${flag}: unknown state ${unknown.join(', ')}; ${valid}`);
  const misplaced = list.filter((state) => !(takes as readonly string[]).includes(state));
  if (misplaced.length > 0) throw new UsageError(`${flag}: ${misplaced.join(', ')} ${why}; ${valid}`);
  if (list.length === 0) throw new UsageError(`${flag}: give at least one state; ${valid}`);
  return list as CanonicalState[];
}

function duration(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = parseDuration(value);
  if (ms === undefined) throw new UsageError(`${flag}: ${JSON.stringify(shorten(value))} is not a duration (e.g. 500ms, 90s, 10m, 1h)`);
  if (ms <= 0) throw new UsageError(`${flag} must be greater than 0, got ${JSON.stringify(shorten(value.trim()))}`);
  if (ms > MAX_DURATION_MS) throw new UsageError(`${flag} must be at most ${formatDuration(MAX_DURATION_MS)}, got ${JSON.stringify(shorten(value.trim()))}`);
  return ms;
}

/** A whole number greater than 0 given to `flag`, if it was given. */
function count(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const number = /^\s*\d+\s*$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(number) || number < 1) {
    throw new UsageError(`${flag} must be a whole number greater than 0, got ${JSON.stringify(shorten(value))}`);
  }
  return number;
}

function concurrency(value: string | undefined): number {
  return count(value, '--concurrency') ?? DEFAULT_CONCURRENCY;
}

/** The wait options, each checked here so that a problem names its flag, not the library's option. */
function waitOptions(values: Values) {
  const timeoutMs = duration(values.timeout, '--timeout');
  const minDelayMs = duration(values['min-delay'], '--min-delay');
  const maxDelayMs = duration(values['max-delay'], '--max-delay');
  const min = minDelayMs ?? DEFAULT_WAIT.minDelayMs;
  const max = maxDelayMs ?? DEFAULT_WAIT.maxDelayMs;
  if (min > max) {
    const shown = (ms: number, given: number | undefined) => `${formatDuration(ms)}${given === undefined ? ', the default' : ''}`;
    throw new UsageError(`--min-delay (${shown(min, minDelayMs)}) must not be longer than --max-delay (${shown(max, maxDelayMs)})`);
  }
  return {
    timeoutMs,
    minDelayMs,
    maxDelayMs,
    maxFailures: count(values['max-failures'], '--max-failures'),
    stopOn: states(values['stop-on'], '--stop-on'),
    // `succeeded` always counts as success: --accept adds states to it.
    accept: ((accepted) => (accepted === undefined ? undefined : [...new Set<CanonicalState>(['succeeded', ...accepted])]))(states(values.accept, '--accept')),
  };
}

/** Lets `--timeout -5s` reach the CLI's own checks: a value that starts with "-" and a digit is the option's value. */
function joinNegativeValues(args: readonly string[]): string[] {
  const joined: string[] = [];
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] ?? '';
    const next = args[index + 1];
    const name = arg.startsWith('--') ? arg.slice(2) : undefined;
    if (name !== undefined && name in OPTIONS && OPTIONS[name as OptionName].type === 'string' && next !== undefined && /^-[\d.]/.test(next)) {
      joined.push(`${arg}=${next}`);
      index += 1;
    } else joined.push(arg);
  }
  return joined;
}

function parse(args: string[]) {
  return parseArgs({ args: joinNegativeValues(args), allowPositionals: true, strict: true, options: OPTIONS });
}

/** Edits (insert, delete, replace, swap two neighbours) between two words. */
function distance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i += 1) {
    for (let j = 1; j <= b.length; j += 1) {
      const row = rows[i] as number[];
      const above = rows[i - 1] as number[];
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min((above[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (above[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, ((rows[i - 2] as number[])[j - 2] ?? 0) + 1);
      row[j] = best;
    }
  }
  return (rows[a.length] as number[])[b.length] ?? 0;
}

/** `; did you mean "x"?` for the closest of `known` within a third of the word's length (at least 1 edit), else ''. */
function didYouMean(word: string, known: readonly string[], show: (name: string) => string): string {
  const limit = Math.max(1, Math.floor(word.length / 3));
  const ranked = known.map((name) => ({ name, edits: distance(word, name) })).filter(({ edits }) => edits <= limit).sort((a, b) => a.edits - b.edits);
  return ranked[0] === undefined ? '' : `; did you mean ${show(ranked[0].name)}?`;
}

const unknownCommand = (command: string) =>
  `unknown command ${JSON.stringify(shorten(command))}${didYouMean(command, [...Object.keys(COMMANDS), 'help'], (name) => JSON.stringify(name))}`;

/** Node's parser errors, said in this CLI's words. */
function parseProblem(error: unknown): string {
  const { code, message } = error as { code?: string; message?: string };
  const option = /'(-[^' ]+)/.exec(message ?? '')?.[1];
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && option) {
    return `unknown option ${option}${option.startsWith('--') ? didYouMean(option.slice(2), Object.keys(OPTIONS), (name) => `--${name}`) : ''}`;
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && option) {
    return (message ?? '').includes('argument missing') ? `${option} needs a value` : `${option} takes no value`;
  }
  return message ?? String(error);
}

// ---------------------------------------------------------------------------------------------------------
// Running status and wait

interface Io {
  out: NodeJS.WriteStream;
  err: NodeJS.WriteStream;
  env: NodeJS.ProcessEnv;
}

/** Runs `task` for each item, at most `limit` at once, until the signal fires; the order of starts is the order given. */
async function pool<T>(items: readonly T[], limit: number, signal: AbortSignal, task: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length && !signal.aborted) {
      const index = next++;
      await task(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** One facade for every provider the refs name, each plug-in built (and checked) from the flags or the environment. */
function facadeFor(refs: readonly { provider: string }[], values: Values, io: Io, say: (message: string) => void) {
  const providers = [...new Set(refs.map((ref) => ref.provider))];
  if (providers.length > 1) {
    const flags = (['api-key', 'base-url'] as const).filter((flag) => values[flag] !== undefined);
    if (flags.length > 0) {
      throw new UsageError(
        `${flags.map((flag) => `--${flag}`).join(' and ')} stand${flags.length === 1 ? 's' : ''} for one provider, but the refs name ${providers.join(', ')}; ` +
          'set each provider\'s variables instead (see "upstat --help").',
      );
    }
  }
  const plugins = providers.map((id) => providerPlugin(id, { apiKey: values['api-key'], baseUrl: values['base-url'] }, io.env));
  // UPSTAT_LOG=debug is --verbose, for scripts that cannot change their command line.
  const verbose = values.verbose || io.env.UPSTAT_LOG === 'debug';
  const config: UpstatConfig = { providers: plugins, ...(verbose ? requestLogger(say) : {}) };
  return createUpstat(config);
}

async function statusOrWait(command: 'status' | 'wait', texts: string[], values: Values, io: Io): Promise<number> {
  if (texts.length === 0) throw new UsageError(`${command} needs a ref, e.g. ${firstExample()}`);
  const json = values.json || values.stream;
  const refs = texts.map((text) => parseRef(text));
  const limit = concurrency(values.concurrency);
  const requestTimeoutMs = duration(values['request-timeout'], '--request-timeout');
  const waiting = command === 'wait' ? waitOptions(values) : undefined;
  const labels = refs.map((ref) => formatRef(ref));
  const many = refs.length > 1;

  const mode = displayMode(io.out, io.env);
  const display: Display | undefined = command === 'wait' && !json ? createDisplay({ labels, mode, out: io.out, err: io.err }) : undefined;
  const say = (message: string) => {
    if (display) display.say(message);
    else io.err.write(`${message}\n`);
  };
  const upstat = facadeFor(refs, values, io, (message) => {
    say(message);
  });

  // Ctrl-C aborts every request and wait at once; a second Ctrl-C exits without waiting for anything.
  const controller = new AbortController();
  let interrupted = false;
  const onInterrupt = () => {
    if (interrupted) process.exit(EXIT.interrupted);
    interrupted = true;
    controller.abort();
  };
  process.on('SIGINT', onInterrupt);

  const codes: number[] = [];
  // `status` prints in the order of the refs; `wait` as each ends.
  // `undefined`: the ref has its turn but nothing to print on stdout (its error went to stderr).
  const pending = new Map<number, string | undefined>();
  let printed = 0;
  const emit = (index: number, line: string | undefined) => {
    if (command === 'wait') {
      if (line !== undefined) io.out.write(`${line}\n`);
      return;
    }
    pending.set(index, line);
    while (pending.has(printed)) {
      const text = pending.get(printed);
      if (text !== undefined) io.out.write(`${text}\n`);
      pending.delete(printed);
      printed += 1;
    }
  };

  const failed = (index: number, error: unknown) => {
    const failure = classify(error, interrupted);
    codes[index] = failure.code;
    const ref = refs[index];
    const subject: ErrorSubject = { ref, text: texts[index] };
    const message = describeFailure(error);
    if (json) emit(index, errorDocument(error, failure, subject, message));
    else emit(index, undefined);
    if (failure.kind === 'interrupted') {
      display?.end(index, 'interrupted');
      return;
    }
    if (error instanceof UploadFailedError) {
      // The upload did end, only not in success: its line keeps the final status (state, progress, the vendor's
      // value), as a success's does; the message above says how it ended.
      display?.update(index, error.finalStatus as AnyStatus);
      display?.end(index);
    } else {
      display?.end(index, `${failure.kind.replaceAll('_', ' ')}: ${message}`);
    }
    // With many refs, the message names its ref once: the library's own message may already hold it.
    const label = labels[index] ?? '';
    say(`upstat: ${many && !message.includes(label) ? `${label}: ` : ''}${message}`);
  };

  try {
    if (command === 'status') {
      await pool(refs, limit, controller.signal, async (ref, index) => {
        try {
          const status = await upstat.status(ref, { signal: controller.signal, requestTimeoutMs });
          codes[index] = EXIT.ok;
          emit(index, json ? statusDocument('status', status) : statusLine(status));
        } catch (error) {
          failed(index, error);
        }
      });
    } else {
      // Every ref is waited for at once, on the library's one wait engine and under the providers' request budgets;
      // --concurrency bounds the requests in flight.
      for (let index = 0; index < refs.length; index += 1) display?.start(index);
      const failing: boolean[] = [];
      await upstat.waitAll(refs, {
        ...waiting,
        concurrency: limit,
        signal: controller.signal,
        requestTimeoutMs,
        onUpdate: (update: AnyStatus, index: number) => {
          if (display) display.update(index, update);
          else if (values.stream) emit(index, statusDocument('update', update));
        },
        onRetry: (error, index) => {
          // The first failed check of a run says why; the wait goes on until its deadline (or --max-failures).
          if (failing[index] === true) return;
          failing[index] = true;
          say(`upstat: ${many ? `${labels[index] ?? ''}: ` : ''}a check failed (${failureSummary(error)}); checking again until the wait ends.`);
        },
        onCheckpoint: (checkpoint, index) => {
          if (checkpoint.failures === undefined) failing[index] = false;
        },
        onResult: (result, index) => {
          if (!result.ok) {
            failed(index, result.error);
            return;
          }
          const { status } = result;
          codes[index] = EXIT.ok;
          if (json) emit(index, statusDocument('status', status));
          display?.end(index);
          // A closing line for every outcome, success included (a failure's is its message).
          if (display) say(`upstat: done: ${many ? `${labels[index] ?? ''} ` : ''}${status.state}.`);
        },
      });
    }
    // Refs that never got a slot before Ctrl-C still get their line.
    for (let index = 0; index < refs.length; index += 1) if (codes[index] === undefined) failed(index, new Error('interrupted'));
  } finally {
    display?.close();
    process.off('SIGINT', onInterrupt);
  }
  if (controller.signal.aborted) {
    io.err.write('upstat: interrupted.\n');
    return EXIT.interrupted;
  }
  return worstExit(codes);
}

/** One line for people about a failure. */
function describeFailure(error: unknown): string {
  if (error instanceof UploadFailedError) return `the upload ended ${error.state}.`;
  // The library's message says what the wait saw and why it ended; only its advice is the command line's own.
  if (error instanceof WaitTimeoutError && error.message.endsWith(WAIT_LONGER)) return `${error.message.slice(0, -WAIT_LONGER.length)}Wait longer with --timeout.`;
  return error instanceof Error ? error.message : String(error);
}

// ---------------------------------------------------------------------------------------------------------
// The command line

export async function main(argv: string[], io: Io = { out: process.stdout, err: process.stderr, env: process.env }): Promise<number> {
  // Everything after `--` belongs to the command that `upstat mock` runs.
  const separator = argv.indexOf('--');
  const own = separator === -1 ? argv : argv.slice(0, separator);
  const passThrough = separator === -1 ? [] : argv.slice(separator + 1);
  // Under --json, a usage error is a JSON line too, even when the options did not parse.
  const wantsJson = own.includes('--json') || own.includes('--stream');
  const usageError = (message: string, command?: Command): number => {
    if (wantsJson) io.out.write(`${errorDocument(new UsageError(message), { code: EXIT.usage, kind: 'usage' })}\n`);
    io.err.write(`upstat: ${printable(message)}\n\n${command ? `Usage: ${COMMANDS[command].usage}\nRun "upstat ${command} --help" for its options.` : USAGE}\n`);
    return EXIT.usage;
  };

  let parsed: ReturnType<typeof parse>;
  const first = own.find((arg) => !arg.startsWith('-'));
  const named = first !== undefined && first in COMMANDS ? (first as Command) : undefined;
  try {
    parsed = parse(own);
  } catch (error) {
    return usageError(parseProblem(error), named);
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  // Providers of your own, before anything lists or reads refs (help included).
  let config: Awaited<ReturnType<typeof loadConfig>>;
  try {
    // An empty variable counts as unset.
    config = await loadConfig(values.config ?? (io.env.UPSTAT_CONFIG === '' ? undefined : io.env.UPSTAT_CONFIG), process.cwd());
    if (config !== undefined) useProviders(config.providers);
  } catch (error) {
    return usageError(`config: ${error instanceof Error ? error.message : String(error)}`, named);
  }
  if (values.version && command === undefined) {
    io.out.write(`${version}\n`);
    return EXIT.ok;
  }
  if (command === 'help') {
    const topic = rest[0];
    if (topic !== undefined && !(topic in COMMANDS)) return usageError(`no help on ${JSON.stringify(shorten(topic))}: commands are ${Object.keys(COMMANDS).join(', ')}`);
    io.out.write(`${topic === undefined ? helpText() : commandHelp(topic as Command)}\n`);
    return EXIT.ok;
  }
  if (values.help) {
    if (command !== undefined && !(command in COMMANDS)) return usageError(unknownCommand(command));
    io.out.write(`${command === undefined ? helpText() : commandHelp(command as Command)}\n`);
    return EXIT.ok;
  }
  if (command === undefined) return usageError('no command given');
  if (!(command in COMMANDS)) return usageError(unknownCommand(command));
  const name = command as Command;
  const misplaced = (Object.keys(OPTION_COMMANDS) as OptionName[]).filter((option) => {
    const given = values[option] as unknown;
    return given !== undefined && given !== false && !(OPTION_COMMANDS[option] ?? []).includes(name);
  });
  if (values.version) misplaced.push('version');
  if (misplaced.length > 0) {
    const where = (option: OptionName) => {
      const commands = OPTION_COMMANDS[option] ?? [];
      return commands.length === 0 ? 'stands alone' : `applies to ${commands.join(' and ')} only`;
    };
    return usageError(misplaced.map((option) => `--${option} ${where(option)}`).join('; '), name);
  }
  if (name !== 'mock' && passThrough.length > 0) return usageError(`"--" and what follows it apply to mock only`, name);

  try {
    if (name === 'mock') {
      if (rest.length > 0) throw new UsageError('mock takes no arguments (put a command after --)');
      if (values.demo && passThrough.length > 0) throw new UsageError('mock takes --demo or a command after --, not both');
      return await runMock({ demo: values.demo, command: passThrough, config: config?.path });
    }
    return await statusOrWait(name, rest, values, io);
  } catch (error) {
    // Problems found before any request (usage, credentials, configuration): one line and the usage.
    const failure = error instanceof MissingCredential ? ({ code: EXIT.usage, kind: 'usage' } as const) : classify(error);
    if (failure.code === EXIT.usage) return usageError(error instanceof Error ? error.message : String(error), name);
    const message = describeFailure(error);
    if (wantsJson) io.out.write(`${errorDocument(error, failure, {}, message)}\n`);
    io.err.write(`upstat: ${printable(message)}\n`);
    return failure.code;
  }
}

// A reader that closes the pipe early (`upstat wait … --stream | head -1`) has what it wanted: stop at once, as a
// command killed by SIGPIPE would, instead of dying on an unhandled EPIPE with a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(EXIT.closedPipe);
  throw error;
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = EXIT.error;
  },
);
