/**
 * What `upstat wait` shows people while it waits.
 *
 * - **live** (stdout is a terminal and `TERM` is not `dumb`): one line per upload, each cut to the terminal's
 *   current width, rewritten in place as statuses change and once a second for the elapsed time, and redrawn
 *   when the terminal is resized. Nothing is left behind: each line is shorter than the width, so none wraps,
 *   and the whole block is rewritten from its first row each time.
 * - **plain** (anything else): one line per change, no escape codes, no bar.
 *
 * Messages about upstat itself go to stderr through `say`, which on a shared terminal lifts the live block,
 * prints the message above it and redraws it below, so the block is never torn.
 *
 * No terminal library draws the block: `log-update` and its kin erase the last frame by its line count at the width
 * of the write, which is exactly the guess a resize makes wrong. What keeps the screen clean here is drawing with
 * autowrap off (one row per line at any width), working out where a rewrapping terminal left the block (`settle`),
 * and not drawing at all while the size is changing (`RESIZE_QUIET_MS`). Widths come from `string-width`.
 */
import type { AnyStatus } from 'upstat';
import { formatDuration } from './duration.js';
import { liveLine, statusLine } from './output.js';
import { columns, fit, printable } from './terminal.js';

/** A message made safe for a terminal, line by line. */
const safe = (message: string) => message.split('\n').map(printable).join('\n');

/** How people see output on this stdout: live lines on a capable terminal, plain lines otherwise. */
export function displayMode(out: NodeJS.WriteStream, env: NodeJS.ProcessEnv): 'live' | 'plain' {
  return out.isTTY && env.TERM !== 'dumb' ? 'live' : 'plain';
}

export interface Display {
  /** Upload `index` started being waited for (it had a concurrency slot). */
  start(index: number): void;
  /** A status of upload `index` that differs from the last one. */
  update(index: number, status: AnyStatus): void;
  /** Upload `index` is done: `note` says how, when it ended without an accepted status (after the last status shown). */
  end(index: number, note?: string): void;
  /** A message about upstat itself, on stderr. */
  say(message: string): void;
  /** The final state of every line stays on the screen; the terminal is left as it was found. */
  close(): void;
}

interface Row {
  label: string;
  status: AnyStatus | undefined;
  /** How the wait ended, when it ended without an accepted status. */
  note: string | undefined;
  startedAt: number | undefined;
  endedAt: number | undefined;
}

const ESC = '\u001b[';
/** Clears from the cursor to the end of the line. */
const CLEAR_LINE = `${ESC}K`;
/** Clears from the cursor to the end of the screen. */
const CLEAR_BELOW = `${ESC}J`;
/**
 * Autowrap off, then on again (DECAWM), around each picture: a line the terminal reads only after it narrowed is then
 * cut at the edge instead of wrapped, so every picture takes one row per line whatever width it is read at, and
 * `settle` can tell where a late one put the block.
 */
const NO_WRAP = `${ESC}?7l`;
const WRAP = `${ESC}?7h`;
/**
 * How many of the latest pictures `settle` considers as the last one a terminal read before it rewrapped. A terminal
 * reads everything waiting for it at once, so only pictures written while it was busy elsewhere can still be unread.
 * Each one more considered clears a row above the display more often (whenever a line changed length among them); a
 * terminal that left more than these unread, while the lines changed length, can still be left with a copy.
 */
const IN_FLIGHT = 4;
const up = (rows: number) => (rows > 0 ? `${ESC}${rows}A` : '');
/**
 * How long the terminal's size must hold after a resize before the block is drawn again: a person dragging a window
 * edge sends a burst of sizes, and each picture drawn within it may land at a width that has already changed.
 */
export const RESIZE_QUIET_MS = 400;

/**
 * The terminal's size, asked of the terminal itself at each draw: Node updates `columns` only when it handles
 * SIGWINCH, and a draw that comes between the terminal's resize and that would use the old width. A terminal that
 * does not say is taken as 80 × 24.
 */
function size(out: NodeJS.WriteStream): { width: number; height: number } {
  let [width, height] = [out.columns, out.rows];
  try {
    [width, height] = out.getWindowSize();
  } catch {
    // Not a terminal any more (or a stream that only looks like one): keep what Node last knew.
  }
  return { width: width > 0 ? width : 80, height: height > 0 ? height : 24 };
}

export function createDisplay(options: {
  labels: readonly string[];
  mode: 'live' | 'plain';
  out: NodeJS.WriteStream;
  err: NodeJS.WriteStream;
  now?: () => number;
}): Display {
  const { out, err, mode } = options;
  const now = options.now ?? Date.now;
  if (mode === 'plain') {
    const printed: string[] = [];
    return {
      start: () => undefined,
      update: (index, status) => {
        // Each status once: an ending repeats the last status it saw (an upload that ended failed, say).
        const line = statusLine(status);
        if (printed[index] === line) return;
        printed[index] = line;
        out.write(`${line}\n`);
      },
      end: () => undefined,
      say: (message) => {
        err.write(`${safe(message)}\n`);
      },
      close: () => undefined,
    };
  }

  const rows: Row[] = options.labels.map((label) => ({ label, status: undefined, note: undefined, startedAt: undefined, endedAt: undefined }));
  /**
   * The pictures drawn since the terminal last changed width, oldest first, at most `IN_FLIGHT`: each one's lines, and
   * how many rows up it moved to replace the one before.
   */
  let recent: { lines: string[]; up: number }[] = [];
  /** Where the block starts, as rows above the cursor, and the width that was worked out for. */
  let drawnRows = 0;
  let drawnWidth = 0;
  let closed = false;

  // What matters first stays in view: state, progress and elapsed time; the ref is shortened in the middle (output.ts).
  const rowText = (row: Row, width: number): string =>
    liveLine(
      {
        ref: row.label,
        status: row.status,
        // An upload that ended before any status shows how it ended instead.
        word: row.startedAt === undefined ? 'pending' : row.endedAt === undefined ? 'checking…' : undefined,
        note: row.note,
        elapsed: row.startedAt === undefined ? undefined : formatDuration((row.endedAt ?? now()) - row.startedAt),
      },
      width,
    );

  const lines = (terminalWidth: number, limit: number | undefined): string[] => {
    // One column is kept free: a line that fills the last column leaves the cursor pending a wrap, which terminals
    // resolve differently.
    const width = terminalWidth - 1;
    if (limit === undefined || rows.length <= limit) return rows.map((row) => rowText(row, width));
    const shown = rows.slice(0, Math.max(0, limit - 1));
    const done = rows.slice(shown.length).filter((row) => row.endedAt !== undefined).length;
    const rest = rows.length - shown.length;
    return [...shown.map((row) => rowText(row, width)), fit(`… and ${rest} more (${done} of them done)`, width)];
  };

  const rowsAt = (picture: readonly string[], width: number) =>
    picture.reduce((total, line) => total + Math.max(1, Math.ceil(columns(line) / width)), 0);
  /**
   * Where the block starts, as rows above the cursor, once the terminal is `width` wide. Terminals that rewrap on a
   * resize (tmux, VTE, iTerm2, Windows Terminal, kitty) split each line wider than the new width over several rows.
   *
   * Which picture they split is not known: the terminal may have read the last one or more pictures only after it
   * rewrapped (a loaded machine can delay that by any time). Each picture that was still unread then moved up by the
   * rows it was drawn to move and, autowrap being off, took one row per line. The redraw starts from the highest
   * row any of those cases leaves behind. When every picture at a width has the same shape (lines that long are all
   * cut to the width), the cases agree; when they differ, a row above the display may be cleared, never a copy of a
   * line left behind.
   *
   * Only pictures drawn at the width being replaced are considered: each reached the terminal after it took that
   * width, since a terminal rewraps before it tells programs of its new size.
   */
  const settle = (width: number) => {
    if (width === drawnWidth) return;
    drawnRows = 0;
    recent.forEach((read, k) => {
      let cursor = 0;
      let top = -rowsAt(read.lines, width);
      for (const late of recent.slice(k + 1)) {
        cursor -= late.up;
        top = Math.min(top, cursor);
        cursor += late.lines.length;
      }
      drawnRows = Math.max(drawnRows, cursor - top);
    });
    drawnWidth = width;
    recent = [];
  };
  /** Rewrites the block from its first row, at most `limit(height)` lines. */
  const draw = (limit: (height: number) => number | undefined, { width, height } = size(out)) => {
    settle(width);
    const next = lines(width, limit(height));
    let text = `${NO_WRAP}${up(drawnRows)}\r`;
    for (const line of next) text += `${line}${CLEAR_LINE}\n`;
    out.write(`${text}${CLEAR_BELOW}${WRAP}`);
    recent = [...recent, { lines: next, up: drawnRows }].slice(-IN_FLIGHT);
    drawnRows = next.length;
  };
  // While the terminal is being resized nothing is drawn: a picture written between two of its rewraps lands at a
  // width upstat no longer knows (a burst of resizes erased the lines above and left a copy of the block). The block
  // is drawn again once the size has held for RESIZE_QUIET_MS; messages said meanwhile wait for it.
  let resizing: ReturnType<typeof setTimeout> | undefined;
  // At most a screenful less one row: the cursor cannot move up into rows that have scrolled away.
  const render = () => {
    if (closed || resizing !== undefined) return;
    // A width that changed without a `resize` event yet (Node emits none when the size is back to the one it knew by
    // the time it reads it, as after a burst that ends where it began) is a resize all the same.
    const current = size(out);
    if (drawnWidth !== 0 && current.width !== drawnWidth) {
      onResize();
      return;
    }
    draw(screenful, current);
  };
  const screenful = (height: number) => Math.max(1, height - 1);
  /** Messages said during a resize, printed above the block when it is drawn again. */
  const waiting: string[] = [];
  /** Lifts the block, prints the messages where it was; the next draw puts the block below them. */
  const lift = (messages: readonly string[]) => {
    if (messages.length === 0) return;
    settle(size(out).width);
    out.write(`${up(drawnRows)}\r${CLEAR_BELOW}`);
    recent = [];
    drawnRows = 0;
    for (const message of messages) err.write(`${safe(message)}\n`);
  };
  function onResize() {
    if (resizing !== undefined) clearTimeout(resizing);
    resizing = setTimeout(() => {
      resizing = undefined;
      lift(waiting.splice(0));
      if (!closed) draw(screenful);
    }, RESIZE_QUIET_MS);
  }
  out.on('resize', onResize);
  const ticker = setInterval(render, 1000);
  ticker.unref();

  return {
    start(index) {
      const row = rows[index];
      if (row) row.startedAt = now();
      render();
    },
    update(index, status) {
      const row = rows[index];
      if (row) row.status = status;
      render();
    },
    end(index, note) {
      const row = rows[index];
      if (!row) return;
      row.endedAt = now();
      // A line that shows a status keeps it: the note (how the wait ended) follows its state.
      if (note !== undefined) row.note = note;
      render();
    },
    say(message) {
      if (!err.isTTY || closed) {
        err.write(`${safe(message)}\n`);
        return;
      }
      // During a resize the message waits with the block; otherwise it is printed where the block was, the block below.
      if (resizing !== undefined) {
        waiting.push(message);
        return;
      }
      lift([message]);
      render();
    },
    close() {
      if (closed) return;
      clearInterval(ticker);
      if (resizing !== undefined) clearTimeout(resizing);
      resizing = undefined;
      lift(waiting.splice(0));
      out.off('resize', onResize);
      // The last picture holds every line, however many: nothing is redrawn after it.
      draw(() => undefined);
      closed = true;
    },
  };
}
