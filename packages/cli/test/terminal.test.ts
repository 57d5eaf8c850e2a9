/**
 * The live display in real pseudo-terminals: tmux (its screen read back with `capture-pane`) at 80 and 40 columns,
 * resized while a wait runs, and `script` for the raw bytes a `TERM=dumb` terminal gets. A local server plays the
 * uploads: queued, then in progress with growing byte counts for as long as the test wants, then succeeded.
 *
 * Nothing here asserts on time: each check polls the screen until it holds, with a generous deadline.
 */
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { startLocalServer, type LocalServer } from '@upstat/test-support';
import { scenarioRef } from '@upstat/mocks';
import { PROVIDERS } from '@upstat/providers';
import { CANONICAL_STATES } from 'upstat';
import { afterEach, describe, expect, it } from 'vitest';
import { bin, isRowOf } from './support.js';

const run = promisify(execFile);

/** Long enough for a loaded 2-core machine; a passing run takes a few seconds. */
const DEADLINE_MS = 30_000;

let server: LocalServer | undefined;
const sockets: string[] = [];
let sessions = 0;
afterEach(async () => {
  await server?.close();
  server = undefined;
  // Each test has its own tmux server (its own socket): stop exactly those.
  for (const socket of sockets.splice(0)) await run('tmux', ['-L', socket, 'kill-server']).catch(() => undefined);
});

/**
 * A Nullspace server: the first check of each upload is `created`; then `uploading`, more bytes each time, until
 * `finish()`. An upload named `failing…` is `failed` from its second check; one named `missing…` is not found.
 */
async function uploads() {
  let finished = false;
  const checks = new Map<string, number>();
  server = await startLocalServer((request, response) => {
    const upload = (request.url ?? '').split('/').at(-1) ?? '';
    if (upload.startsWith('missing')) {
      response.writeHead(404, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { code: 'upload_not_found', message: 'no such upload' } }));
      return;
    }
    const count = (checks.get(upload) ?? 0) + 1;
    checks.set(upload, count);
    const total = 10 * 1024 * 1024;
    const body =
      count === 1
        ? { status: 'created', accepted_bytes: 0, content_length: total }
        : upload.startsWith('failing')
          ? { status: 'failed', accepted_bytes: 7_000_000, content_length: total, updated_at: '2026-01-01T00:00:00Z' }
          : finished
            ? { status: 'completed', accepted_bytes: total, content_length: total, updated_at: '2026-01-01T00:00:00Z' }
            : { status: 'uploading', accepted_bytes: Math.min(total - 1, count * 700_000), content_length: total, updated_at: '2026-01-01T00:00:00Z' };
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body));
  });
  return {
    env: { UPSTAT_NULLSPACE_API_KEY: 'terminal-test-key', UPSTAT_NULLSPACE_BASE_URL: server.url },
    finish: () => {
      finished = true;
    },
  };
}

const REFS = ['nullspace:sb_1/upl_1', 'nullspace:sb_2/upl_2'];
const WAIT = ['--min-delay', '100ms', '--max-delay', '100ms', '--timeout', '10m'];
const BEFORE = ['before-1', 'before-2'];
const quote = (arg: string) => `'${arg.replaceAll("'", "'\\''")}'`;

/** A tmux session of its own running `upstat wait …`, then printing its exit code, in a window of `width` × 24. */
async function session(width: number, args: string[], env: Record<string, string>) {
  // A new name each time: a server being stopped by the previous test's cleanup must not get this test's session.
  const socket = `upstat-cli-test-${process.pid}-${(sessions += 1)}`;
  sockets.push(socket);
  const tmux = (...command: string[]) => run('tmux', ['-L', socket, '-f', '/dev/null', ...command], { env: { ...process.env, ...env } });
  // Lines above the display: after a resize, a redraw that starts from the wrong row leaves pieces of old lines
  // between them and the display (with the display at the top of the screen, the terminal would hide that).
  const command = `printf '${BEFORE.join('\\n')}\\n'; ${[process.execPath, bin, ...args].map(quote).join(' ')}; echo "[exit $?]"; sleep 600`;
  await tmux('new-session', '-d', '-s', 'test', '-x', String(width), '-y', '24', command);
  return {
    /** The screen, one string per row (tmux drops trailing blanks). */
    screen: async () => (await tmux('capture-pane', '-p', '-t', 'test')).stdout.replace(/\n$/, '').split('\n'),
    /** Every row the pane holds, its scrollback first. */
    history: async () => (await tmux('capture-pane', '-p', '-S', '-', '-t', 'test')).stdout.replace(/\n$/, '').split('\n'),
    /** The screen with wrapped rows joined back into the lines the program wrote. */
    joined: async () => (await tmux('capture-pane', '-p', '-J', '-t', 'test')).stdout.replace(/\n$/, '').split('\n'),
    resize: async (columns: number) => {
      await tmux('resize-window', '-t', 'test', '-x', String(columns));
    },
    /** Types keys into the session, e.g. `C-c`. */
    keys: async (...keys: string[]) => {
      await tmux('send-keys', '-t', 'test', ...keys);
    },
  };
}

type Session = Awaited<ReturnType<typeof session>>;

/** Polls the screen until `check` returns nothing (all good) or the deadline passes; fails with the screen. */
async function until(terminal: Session, what: string, check: (rows: string[]) => string | undefined): Promise<string[]> {
  const end = Date.now() + DEADLINE_MS;
  let rows: string[] = [];
  let problem: string | undefined = 'never looked';
  while (Date.now() < end) {
    rows = await terminal.screen();
    problem = check(rows);
    if (problem === undefined) return rows;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${what}: ${problem}\n--- screen ---\n${rows.join('\n')}\n--------------`);
}

/**
 * The rows without upstat's own messages (`upstat: done: …`, above the lines), each with the rows it wrapped onto: a
 * message row as wide as the window continues on the next.
 */
function withoutMessages(rows: string[], width: number): string[] {
  const kept: string[] = [];
  let wrapping = false;
  for (const row of rows) {
    const message: boolean = row.startsWith('upstat: ') || wrapping;
    wrapping = message && Array.from(row).length === width;
    if (!message) kept.push(row);
  }
  return kept;
}

/**
 * What a screen must look like: within the width, every non-blank row one of the uploads' lines (exactly one per
 * upload: no copies left behind, no wrapped pieces) or the exit line, each upload's line matching `state`.
 */
function layout(width: number, refs: string[], state: RegExp, exited = false, copiesAbove = false) {
  return (rows: string[]): string | undefined => {
    // Every character upstat prints here is one column wide in tmux, so the length in code points is the width.
    const wide = rows.find((row) => Array.from(row).length > width);
    if (wide !== undefined) return `a row wider than ${width}: ${JSON.stringify(wide)}`;
    const filled = withoutMessages(rows, width).filter((row) => row.trim() !== '' && !BEFORE.includes(row));
    const exitLines = filled.filter((row) => row.startsWith('[exit '));
    if (exited ? exitLines.length !== 1 : exitLines.length !== 0) return `exit lines: ${exitLines.length}`;
    const all = filled.filter((row) => !row.startsWith('[exit '));
    // The display is the last rows; with `copiesAbove`, rows left above it by a redraw read late are let be.
    const statusRows = copiesAbove ? all.slice(-refs.length) : all;
    if (statusRows.length !== refs.length) return `${statusRows.length} status rows for ${refs.length} uploads`;
    for (const ref of refs) {
      const mine = statusRows.filter((row) => isRowOf(ref, row));
      if (mine.length !== 1) return `${mine.length} rows for ${ref}`;
      if (!state.test(mine[0] ?? '')) return `${ref} is not ${String(state)} yet`;
    }
    return undefined;
  };
}

// tmux is a Debian package the CI installs (`.ci/run`); without it these tests fail rather than pass unseen.
describe('the live display in tmux', () => {
  it('80 columns, two uploads: one line each, redrawn in place; resized to 40 mid-wait, it fits; final state shown', async () => {
    const { env, finish } = await uploads();
    const terminal = await session(80, ['wait', ...REFS, ...WAIT], env);

    const inProgress = /^\S+ {2}in_progress {2}\[[█░]+\] \d+%/;
    await until(terminal, 'both uploads in progress at 80 columns', layout(80, REFS, inProgress));
    // The elapsed tick and the growing bytes redraw the lines many times; still one line per upload.
    const before = (await terminal.screen()).join('\n');
    await until(terminal, 'redrawn, without copies', (rows) => layout(80, REFS, inProgress)(rows) ?? (rows.join('\n') === before ? 'not redrawn yet' : undefined));
    // A line cut to the width ends with "…" (they are longer than 80 columns here) and is never wrapped.
    expect((await terminal.joined()).filter((row) => row.trim() !== '' && !BEFORE.includes(row))).toHaveLength(REFS.length);

    await terminal.resize(40);
    await until(terminal, 'redrawn to fit 40 columns', layout(40, REFS, /^\S+ {2}in_p/));
    const after = (await terminal.screen()).join('\n');
    await until(terminal, 'still one line per upload after more redraws at 40 columns', (rows) =>
      layout(40, REFS, /^\S+ {2}in_p/)(rows) ?? (rows.join('\n') === after ? 'not redrawn yet' : undefined),
    );

    finish();
    const final = await until(terminal, 'both succeeded, exit 0', (rows) => {
      const problem = layout(40, REFS, /^\S+ {2}succeeded/, true)(rows);
      return problem ?? (rows.some((row) => row === '[exit 0]') ? undefined : 'no [exit 0]');
    });
    expect(withoutMessages(final, 40).filter((row) => row.trim() !== '' && !BEFORE.includes(row))).toHaveLength(REFS.length + 1);
  });

  it('40 columns from the start, one upload through to success: the elapsed time stays in view', async () => {
    const { env, finish } = await uploads();
    const [ref] = REFS;
    const terminal = await session(40, ['wait', ref ?? '', ...WAIT], env);
    await until(terminal, 'in progress at 40 columns, with the elapsed time', (rows) => {
      const problem = layout(40, [ref ?? ''], /in_progress/)(rows);
      return problem ?? (rows.some((row) => / {2}\d+(ms|s)$/.test(row)) ? undefined : 'no elapsed time at the end of the line');
    });
    finish();
    await until(terminal, 'succeeded, exit 0', (rows) => layout(40, [ref ?? ''], /succeeded/, true)(rows) ?? (rows.includes('[exit 0]') ? undefined : 'no [exit 0]'));
  });
});

describe('a burst of resizes', () => {
  // The README's limit: a redraw the terminal reads only after it began resizing lands at a width upstat did not draw
  // it for, and a copy of the lines it replaced can stay above the display; no rewrap ever reaches the lines above it.
  it('80→40→120→60→30→80 within a second: the lines above are intact, in the pane and in scrollback; the display redrawn below them', async () => {
    const { env, finish } = await uploads();
    const terminal = await session(80, ['wait', ...REFS, ...WAIT], env);
    const inProgress = /^\S+ {2}in_progress/;
    await until(terminal, 'both uploads in progress at 80 columns', layout(80, REFS, inProgress));
    for (const width of [40, 120, 60, 30, 80]) await terminal.resize(width);
    // Redrawn at 80 again after the burst, more than once.
    const first = (await terminal.screen()).join('\n');
    await until(terminal, 'redrawn at 80 after the burst', (rows) => layout(80, REFS, inProgress, false, true)(rows) ?? (rows.join('\n') === first ? 'not redrawn yet' : undefined));
    finish();
    await until(terminal, 'both succeeded, exit 0', (rows) => layout(80, REFS, /^\S+ {2}succeeded/, true, true)(rows) ?? (rows.includes('[exit 0]') ? undefined : 'no [exit 0]'));
    // Everything the pane ever held, scrollback included: the lines before the display once each, and in order.
    const all = await terminal.history();
    for (const line of BEFORE) expect(all.filter((row) => row === line), `${line} in:\n${all.join('\n')}`).toHaveLength(1);
    expect(all.indexOf(BEFORE[0] ?? '')).toBeLessThan(all.indexOf(BEFORE[1] ?? ''));
    // And below them: the display only ever follows them (no row of it above or between them).
    const firstRow = all.findIndex((row) => REFS.some((ref) => isRowOf(ref, row)));
    expect(firstRow).toBeGreaterThan(all.indexOf(BEFORE[1] ?? ''));
  });
});

describe('what matters first, at every width', () => {
  // Every provider's documented example ref (the longest any of them documents among them), its last identifier a
  // scenario the mock plays: queued or in progress, then succeeded.
  const refs = PROVIDERS.map(({ definition }) => scenarioRef(definition.id, 'succeeded', 'priority'));
  const words = new RegExp(`  (${[...CANONICAL_STATES, 'pending', 'checking…'].join('|')})(  |$)`);

  it.each([40, 80, 120])('%i columns: each live row shows its state; the ref is what gets shortened; a closing line each', async (width) => {
    const terminal = await session(width, ['mock', '--', process.execPath, bin, 'wait', ...refs, '--min-delay', '300ms', '--max-delay', '300ms'], {});
    const isRow = (row: string) => PROVIDERS.some(({ definition }) => row.startsWith(`${definition.id}:`));
    const seen = new Set<string>();
    await until(terminal, 'every upload succeeded, exit 0, every row showing a state', (rows) => {
      const wide = rows.find((row) => Array.from(row).length > width);
      if (wide !== undefined) return `a row wider than ${width}: ${JSON.stringify(wide)}`;
      const live = rows.filter(isRow);
      const stateless = live.find((row) => !words.test(row));
      if (stateless !== undefined) return `a row without its state: ${JSON.stringify(stateless)}`;
      for (const row of live) seen.add(row);
      if (live.length !== refs.length || !live.every((row) => row.includes('  succeeded  '))) return 'not every upload succeeded yet';
      // The closing line of each, on stderr above the rows.
      if (rows.filter((row) => row.startsWith('upstat: done: ')).length !== refs.length) return 'not a closing line each';
      return rows.includes('[exit 0]') ? undefined : 'no [exit 0]';
    });
    // Rows were seen while the uploads were on their way too, not only at the end, each with its state.
    expect([...seen].some((row) => / {2}(queued|in_progress) {2}/.test(row))).toBe(true);
    if (width === 40) expect([...seen].some((row) => row.includes('…'))).toBe(true);
  });
});

describe('messages during the live display', () => {
  it('an error of one ref among many is printed above the lines, which stay one per upload; exit 6', async () => {
    const { env, finish } = await uploads();
    const refs = [REFS[0] ?? '', 'nullspace:sb_9/missing_1'];
    const terminal = await session(80, ['wait', ...refs, ...WAIT], env);
    const message = 'upstat: nullspace:sb_9/missing_1: ';
    await until(terminal, 'the message above, then one line per upload', (rows) => {
      const at = rows.findIndex((row) => row.startsWith(message));
      if (at === -1) return 'no message yet';
      const below = rows.slice(at + 1).filter((row) => refs.some((ref) => isRowOf(ref, row)));
      if (below.length !== refs.length) return `${below.length} lines below the message`;
      if (rows.slice(0, at).some((row) => refs.some((ref) => isRowOf(ref, row)))) return 'a line left above the message';
      return /^nullspace:\S*ng_1 {2}not found: /.test(below[1] ?? '') ? undefined : 'the missing upload does not say not found';
    });
    finish();
    await until(terminal, 'exit 6', (rows) => (rows.includes('[exit 6]') ? undefined : 'no [exit 6]'));
  });
});

describe('an upload that ends failed', () => {
  it('keeps its final status on its line (state, bar, percentage), the message above; exit 1', async () => {
    const { env } = await uploads();
    const ref = 'nullspace:sb_3/failing_1';
    const terminal = await session(80, ['wait', ref, ...WAIT], env);
    await until(terminal, 'the failed status on the line, the message above, exit 1', (rows) => {
      const at = rows.findIndex((row) => row.startsWith('upstat: the upload ended failed.'));
      if (at === -1) return 'no message yet';
      const line = rows.slice(at + 1).find((row) => isRowOf(ref, row));
      if (line === undefined) return 'no line below the message';
      if (!/^\S+ {2}failed {2}\[[█░]+\] \d+%/.test(line)) return `the line does not show the failed status: ${JSON.stringify(line)}`;
      return rows.includes('[exit 1]') ? undefined : 'no [exit 1]';
    });
  });
});

describe('Ctrl-C during a wait', () => {
  it('each line keeps the last status it showed (state, percentage; the bar where it fits beside the note); exit 130', async () => {
    const { env } = await uploads();
    const terminal = await session(80, ['wait', ...REFS, ...WAIT], env);
    const inProgress = /^\S+ {2}in_progress {2}\[[█░]+\] \d+%/;
    await until(terminal, 'both uploads in progress', layout(80, REFS, inProgress));
    await terminal.keys('C-c');
    await until(terminal, 'exit 130, each line still in progress, interrupted, the message below', (rows) => {
      if (!rows.includes('upstat: interrupted.')) return 'no "upstat: interrupted." yet';
      return layout(80, REFS, /^\S+ {2}in_progress {2}(\[[█░]+\] )?\d+% .* {2}interrupted {2}/, true)(rows) ?? (rows.includes('[exit 130]') ? undefined : 'no [exit 130]');
    });
  });
});

/** Runs `upstat` in a pseudo-terminal made by `script`, with `TERM` as given; resolves with every byte it wrote. */
function inPty(term: string, args: string[], env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const command = [process.execPath, bin, ...args].map(quote).join(' ');
    const child = spawn('script', ['-q', '-e', '-c', command, '/dev/null'], { env: { ...process.env, ...env, TERM: term }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('latin1')));
    child.on('error', reject);
    child.on('close', (code) => {
      resolve({ code, output });
    });
  });
}

describe('TERM=dumb in a pseudo-terminal', () => {
  it('gets plain lines and not a single escape byte; the same run with TERM=xterm does get the live display', async () => {
    const { env, finish } = await uploads();
    finish();
    const dumb = await inPty('dumb', ['wait', ...REFS, '--min-delay', '100ms', '--max-delay', '100ms'], env);
    expect(dumb.code, dumb.output).toBe(0);
    expect(dumb.output).not.toContain('\u001b');
    const lines = dumb.output.split('\r\n').filter(Boolean);
    for (const ref of REFS) {
      expect(lines).toContain(`${ref}  queued  0% (0 B of 10.0 MiB)  (nullspace status "created")`);
      expect(lines.some((line) => line.startsWith(`${ref}  succeeded  100%`))).toBe(true);
    }
    // The control: a capable terminal gets escape codes, so the check above could fail.
    const xterm = await inPty('xterm', ['wait', ...REFS, '--min-delay', '100ms', '--max-delay', '100ms'], env);
    expect(xterm.code, xterm.output).toBe(0);
    expect(xterm.output).toContain('\u001b[');
  });
});
