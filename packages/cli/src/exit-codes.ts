/**
 * The exit codes of `upstat`: the one table that `upstat --help` (its "Exit codes" section), the README and the
 * JSON output (`exitCode` on error lines) all follow.
 *
 * `EXIT_CODES` is ordered from the worst outcome to the best: with many refs, `upstat` exits with the code of the
 * worst outcome among them. First what a person must fix before any answer can be had (an interruption, the
 * command line, the credential, an answer upstat cannot read), then what a later retry may fix (transient), then
 * the answers about the uploads from the most to the least definite "no": the upload does not exist, it did not
 * finish in time, it finished badly. Each ref's own outcome is in its line of `--json` output.
 */
export const EXIT_CODES = [
  { name: 'interrupted', code: 130, meaning: 'interrupted (Ctrl-C)' },
  { name: 'terminated', code: 143, meaning: 'mock: stopped with SIGTERM (the mocks and a running command are stopped first)' },
  {
    name: 'closedPipe',
    code: 141,
    meaning: 'stdout was closed by its reader before upstat finished (e.g. `| head -1`): upstat stops at once, as a command killed by SIGPIPE',
  },
  { name: 'commandNotFound', code: 127, meaning: 'mock: the command after -- was not found (as a shell says)' },
  { name: 'notExecutable', code: 126, meaning: 'mock: the command after -- could not be run (not executable, as a shell says)' },
  { name: 'usage', code: 2, meaning: 'usage error: unknown command, option or provider, malformed ref, duration or number, missing or malformed credential' },
  { name: 'auth', code: 3, meaning: 'authentication or permission error (the provider answered 401 or 403)' },
  { name: 'error', code: 5, meaning: 'any other error: an answer upstat cannot use (unexpected response, 400, 409, redirect loop, body too large)' },
  {
    name: 'transient',
    code: 7,
    meaning:
      'transient failure, worth retrying later: rate limited (429), server error (5xx), network failure, request timeout ' +
      '(--request-timeout); wait: --max-failures checks in a row failed so',
  },
  { name: 'notFound', code: 6, meaning: 'not found: the provider answered 404 (no such upload, document, project or sandbox)' },
  {
    name: 'timeout',
    code: 4,
    meaning: 'wait: the upload did not finish within --timeout (a check that failed is made again until then; the message says what the last ones met)',
  },
  { name: 'uploadFailed', code: 1, meaning: 'wait: the upload ended failed, partial, canceled or expired (a state --accept does not list)' },
  { name: 'ok', code: 0, meaning: 'status: fetched; wait: succeeded (or an --accept / --stop-on state)' },
] as const;

export type ExitName = (typeof EXIT_CODES)[number]['name'];

/** Each exit code by name, e.g. `EXIT.notFound`. */
export const EXIT = Object.fromEntries(EXIT_CODES.map(({ name, code }) => [name, code])) as {
  readonly [Row in (typeof EXIT_CODES)[number] as Row['name']]: Row['code'];
};

export type ExitCode = (typeof EXIT_CODES)[number]['code'];

/** The worst of several exit codes, by the order of `EXIT_CODES` (0 for none). */
export function worstExit(codes: Iterable<number>): number {
  let worst: number = EXIT.ok;
  const rank = (code: number) => {
    const index = EXIT_CODES.findIndex((row) => row.code === code);
    // A code not in the table (a command run by `upstat mock --`) ranks with "error".
    return index === -1 ? EXIT_CODES.findIndex((row) => row.name === 'error') : index;
  };
  for (const code of codes) if (rank(code) < rank(worst)) worst = code;
  return worst;
}

/** The "Exit codes" section of `upstat --help`, in numeric order. */
export function exitCodesHelp(): string {
  return [...EXIT_CODES]
    .sort((a, b) => a.code - b.code)
    .map(({ code, meaning }) => `  ${String(code).padEnd(5)}${meaning}`)
    .join('\n');
}
