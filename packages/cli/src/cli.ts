import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import {
  AbortError,
  AuthenticationError,
  CANONICAL_STATES,
  ConfigurationError,
  createUpstat,
  InvalidArgumentError,
  PermissionError,
  UploadFailedError,
  UpstatError,
  WaitTimeoutError,
  type AnyStatus,
  type CanonicalState,
} from 'upstat';
import { environmentOf, MissingCredential, providerConfig } from './credentials.js';
import { formatDuration, parseDuration } from './duration.js';
import { EXIT } from './exit-codes.js';
import { runMock } from './mock.js';
import { statusJson, statusLine } from './output.js';
import { CLI_PROVIDERS, exampleRef, formatRef, providerById, providerNames, REFS } from './providers.js';

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

export const USAGE = `Usage:
  upstat status <ref> [--json] [--api-key <key>] [--base-url <url>]
  upstat wait <ref> [--json] [--timeout <duration>] [--stop-on <states>] [--accept <states>] ...
  upstat mock [--demo | -- <command> [args...]]
Run "upstat --help" for everything.`;

/** Rows of two columns, the first padded to the longest. */
function table(rows: [string, string][]): string {
  const width = Math.max(0, ...rows.map(([first]) => first.length)) + 2;
  return rows.map(([first, second]) => `  ${first.padEnd(width)}${second}`).join('\n');
}

const HELP = `upstat ${version} — is my upload done yet? ${providerNames()} from the terminal.

${USAGE.split('\n').slice(0, 4).join('\n')}

Commands:
  status <ref>   Check an upload once and print its status.
  wait <ref>     Check until the upload finishes: first at once, then after growing delays (a quarter of the
                 time waited so far, between --min-delay and --max-delay). Shows a live progress line on a
                 terminal (a bar for byte progress), one line per change otherwise.
  mock           Start Prism mock servers of every provider's spec on loopback and print the settings that
                 point upstat at them, until Ctrl-C. With -- <command>, run the command with those settings
                 and stop. With --demo, print each provider's status and wait on an upload that reports byte
                 progress, through this CLI (no account needed).

Refs (identifiers percent-encoded where they contain "/", ":" or "%"):
${table(CLI_PROVIDERS.map(({ definition }) => [REFS.formats[definition.id] ?? definition.id, `e.g. ${exampleRef(definition)}`]))}

Options:
  --json                    Print the status as JSON (for scripts); no progress line.
  --api-key <key>           Credential for the ref's provider (instead of the environment).
  --base-url <url>          Server for the ref's provider (default: the vendor's server).
  --timeout <duration>      wait: give up after this long (default 15m). Durations: 500ms, 90s, 10m, 1h, or seconds.
  --min-delay <duration>    wait: shortest delay between checks (default 5s).
  --max-delay <duration>    wait: longest delay between checks (default 60s).
  --stop-on <states>        wait: also stop at these non-terminal states, e.g. action_required.
  --accept <states>         wait: terminal states that count as success (default succeeded), e.g. succeeded,partial.
  --request-timeout <dur>   Time limit for each HTTP attempt (default 10s).
  -h, --help                This help.   -v, --version   The version.

Environment (the --api-key and --base-url flags win):
${table(
  CLI_PROVIDERS.map((provider) => {
    const { credentials, baseUrl } = environmentOf(provider);
    const [primary, ...alternatives] = credentials.map(({ variable }) => variable);
    const or = alternatives.length > 0 ? ` (or ${alternatives.join(', or ')})` : '';
    return [provider.definition.id, `${primary ?? ''}${or}, ${baseUrl}`];
  }),
)}

States: ${CANONICAL_STATES.join(', ')}.

Exit codes:
  0    status: fetched; wait: succeeded (or stopped at a --stop-on state)
  1    wait: the upload ended failed, partial, canceled or expired
  2    usage error: unknown command or provider, malformed ref or duration, missing credential
  3    authentication or permission error (the provider answered 401 or 403)
  4    wait: timed out
  5    any other error (not found, rate limited, network, server, unexpected response)
  130  interrupted (Ctrl-C)`;

class UsageError extends Error {}

/** How much of a ref an error message shows. */
const SHOWN_CHARACTERS = 100;

/** Parses a ref of any provider in the registry; a provider upstat does not have is a usage error. */
function parseRef(text: string) {
  const colon = text.indexOf(':');
  const provider = text.slice(0, colon);
  if (colon !== -1 && providerById(provider) === undefined) {
    const shorten = (value: string) => (value.length > SHOWN_CHARACTERS ? `${value.slice(0, SHOWN_CHARACTERS)}…` : value);
    throw new UsageError(
      `${JSON.stringify(shorten(text))} is not an upload ref: unknown provider ${JSON.stringify(shorten(provider))}; ` +
        `expected one of ${Object.values(REFS.formats).join(', ')} (identifiers percent-encoded where they contain "/", ":" or "%").`,
    );
  }
  return REFS.parse(text);
}

function fail(message: string, code: number, withUsage = false): number {
  console.error(`upstat: ${message}`);
  if (withUsage) console.error(`\n${USAGE}`);
  return code;
}

function states(value: string | undefined, flag: string): CanonicalState[] | undefined {
  if (value === undefined) return undefined;
  const list = value.split(',').map((state) => state.trim()).filter(Boolean);
  const unknown = list.filter((state) => !(CANONICAL_STATES as readonly string[]).includes(state));
  if (unknown.length > 0) throw new UsageError(`${flag}: unknown state ${unknown.join(', ')}; states are ${CANONICAL_STATES.join(', ')}`);
  return list as CanonicalState[];
}

function duration(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = parseDuration(value);
  if (ms === undefined) throw new UsageError(`${flag}: ${JSON.stringify(value)} is not a duration (e.g. 500ms, 90s, 10m, 1h)`);
  return ms;
}

const OPTIONS = {
  json: { type: 'boolean', default: false },
  'api-key': { type: 'string' },
  'base-url': { type: 'string' },
  timeout: { type: 'string' },
  'min-delay': { type: 'string' },
  'max-delay': { type: 'string' },
  'stop-on': { type: 'string' },
  accept: { type: 'string' },
  'request-timeout': { type: 'string' },
  demo: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
  version: { type: 'boolean', short: 'v', default: false },
} as const;

/** Maps a failure to its exit code and one line for people. */
function reportFailure(error: unknown, interrupted: boolean, json: boolean): number {
  if (error instanceof UsageError || error instanceof MissingCredential) return fail(error.message, EXIT.usage, true);
  if (error instanceof InvalidArgumentError || error instanceof ConfigurationError) return fail(error.message, EXIT.usage, true);
  if (interrupted || error instanceof AbortError) return fail('interrupted.', EXIT.interrupted);
  if (error instanceof UploadFailedError) {
    const status = error.finalStatus as AnyStatus;
    if (json) console.log(JSON.stringify(statusJson(status), null, 2));
    else console.log(statusLine(status));
    return fail(`the upload ended ${error.state}.`, EXIT.uploadFailed);
  }
  if (error instanceof WaitTimeoutError) {
    const last = error.lastStatus as AnyStatus | undefined;
    if (json && last) console.log(JSON.stringify(statusJson(last), null, 2));
    const subject = last ? `${formatRef(last.ref)} did not finish` : 'the upload did not finish';
    return fail(
      `${subject} within ${formatDuration(error.elapsedMs)} (last state ${last?.state ?? 'unknown'}, ${error.checks} checks); wait longer with --timeout.`,
      EXIT.timeout,
    );
  }
  if (error instanceof AuthenticationError || error instanceof PermissionError) return fail(error.message, EXIT.auth);
  if (error instanceof UpstatError) return fail(error.message, EXIT.error);
  return fail(error instanceof Error ? error.message : String(error), EXIT.error);
}

/** A line on a terminal that rewrites itself; plain lines elsewhere. */
function progressReporter(live: boolean) {
  let current = '';
  let startedAt = Date.now();
  const render = () => {
    process.stdout.write(`\r\x1b[2K${current}  ${formatDuration(Date.now() - startedAt)}`);
  };
  const ticker = live ? setInterval(render, 1000) : undefined;
  ticker?.unref();
  return {
    start() {
      startedAt = Date.now();
    },
    update(status: AnyStatus) {
      current = statusLine(status, { bar: live });
      if (live) render();
      else console.log(current);
    },
    finish() {
      if (ticker) clearInterval(ticker);
      if (live && current !== '') process.stdout.write('\n');
    },
  };
}

async function statusOrWait(command: 'status' | 'wait', refText: string | undefined, values: ReturnType<typeof parse>['values']): Promise<number> {
  if (refText === undefined) {
    const first = CLI_PROVIDERS[0];
    throw new UsageError(`${command} needs a ref${first ? `, e.g. ${exampleRef(first.definition)}` : ''}`);
  }
  if (command === 'status') {
    const waitOnly = ['timeout', 'min-delay', 'max-delay', 'stop-on', 'accept'].filter((flag) => values[flag as keyof typeof values] !== undefined);
    if (waitOnly.length > 0) throw new UsageError(`${waitOnly.map((flag) => `--${flag}`).join(', ')} applies to wait only`);
  }
  const ref = parseRef(refText);
  const upstat = createUpstat(providerConfig(ref.provider, { apiKey: values['api-key'], baseUrl: values['base-url'] }, process.env));
  const requestTimeoutMs = duration(values['request-timeout'], '--request-timeout');
  const timeoutMs = duration(values.timeout, '--timeout');
  const minDelayMs = duration(values['min-delay'], '--min-delay');
  const maxDelayMs = duration(values['max-delay'], '--max-delay');
  const stopOn = states(values['stop-on'], '--stop-on');
  const accept = states(values.accept, '--accept');

  // Ctrl-C aborts the request or the wait at once; a second Ctrl-C exits without waiting for anything.
  const controller = new AbortController();
  let interrupted = false;
  const onInterrupt = () => {
    if (interrupted) process.exit(EXIT.interrupted);
    interrupted = true;
    controller.abort();
  };
  process.on('SIGINT', onInterrupt);
  const live = !values.json && process.stdout.isTTY;
  const progress = progressReporter(live);
  try {
    if (command === 'status') {
      const status = await upstat.status(ref, { signal: controller.signal, requestTimeoutMs });
      console.log(values.json ? JSON.stringify(statusJson(status), null, 2) : statusLine(status));
      return EXIT.ok;
    }
    progress.start();
    const status = await upstat.wait(ref, {
      signal: controller.signal,
      requestTimeoutMs,
      timeoutMs,
      minDelayMs,
      maxDelayMs,
      stopOn,
      accept,
      onUpdate: values.json ? undefined : (update) => {
        progress.update(update);
      },
    });
    progress.finish();
    if (values.json) console.log(JSON.stringify(statusJson(status), null, 2));
    else if (!live) console.log(`done: ${status.state}`);
    return EXIT.ok;
  } catch (error) {
    progress.finish();
    return reportFailure(error, interrupted, values.json);
  } finally {
    process.off('SIGINT', onInterrupt);
  }
}

function parse(args: string[]) {
  return parseArgs({ args, allowPositionals: true, strict: true, options: OPTIONS });
}

export async function main(argv: string[]): Promise<number> {
  // Everything after `--` belongs to the command that `upstat mock` runs.
  const separator = argv.indexOf('--');
  const own = separator === -1 ? argv : argv.slice(0, separator);
  const passThrough = separator === -1 ? [] : argv.slice(separator + 1);
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(own);
  } catch (error) {
    return fail((error as Error).message, EXIT.usage, true);
  }
  const { values, positionals } = parsed;
  if (values.version) {
    console.log(version);
    return EXIT.ok;
  }
  const [command, ...rest] = positionals;
  if (values.help || command === 'help') {
    console.log(HELP);
    return EXIT.ok;
  }
  try {
    if (rest.length > 1) throw new UsageError(`too many arguments: ${rest.slice(1).join(' ')}`);
    switch (command) {
      case 'status':
      case 'wait':
        return await statusOrWait(command, rest[0], values);
      case 'mock':
        if (rest.length > 0) throw new UsageError('mock takes no arguments (put a command after --)');
        return await runMock({ demo: values.demo, command: passThrough });
      case undefined:
        throw new UsageError('no command given');
      default:
        throw new UsageError(`unknown command ${JSON.stringify(command)}`);
    }
  } catch (error) {
    return reportFailure(error, false, values.json);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = EXIT.error;
  },
);
