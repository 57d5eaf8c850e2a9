/**
 * The live display against a terminal emulator that rewraps on resize (xterm.js, the terminal of VS Code, run
 * headless), where the test decides the order of everything a real terminal races: when it reads each picture, when
 * it rewraps for a new width, and when upstat learns of that width. tmux shows the same in `terminal.test.ts`, but only
 * in whatever order the machine's load happens to give.
 *
 * What each case checks is the screen: below the lines above the display, exactly one row per upload and nothing else;
 * and those lines still there, except where the README says a row above may be cleared.
 */
import { EventEmitter } from 'node:events';
import headless from '@xterm/headless';
import type { AnyStatus } from 'upstat';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createDisplay, RESIZE_QUIET_MS } from '../src/display.js';
import { REFS as CODEC } from '../src/providers.js';
import { isRowOf } from './support.js';

const { Terminal } = headless;

const BEFORE = ['before-1', 'before-2'];
const REFS = ['nullspace:sb_1/upl_1', 'nullspace:sb_2/upl_2'];

afterEach(() => {
  vi.useRealTimers();
});

/**
 * A terminal and a stdout in front of it. Bytes written while `hold` is on wait, as a terminal that has not read them
 * yet; `told` is the size upstat has been told (it changes, with a `resize` event, only when the test says).
 */
function world(width: number, height = 24) {
  // convertEol: what the pseudo-terminal's line discipline does to "\n" (ONLCR) before a terminal sees it.
  const terminal = new Terminal({ cols: width, rows: height, allowProposedApi: true, convertEol: true });
  let written = Promise.resolve();
  const feed = (bytes: string) => {
    written = written.then(
      () =>
        new Promise<void>((resolve) => {
          terminal.write(bytes, resolve);
        }),
    );
  };
  const held: string[] = [];
  let hold = false;
  let told: [number, number] = [width, height];
  const out = Object.assign(new EventEmitter(), {
    isTTY: true,
    // What the display asks at each draw (the terminal's size, through an ioctl on a real one).
    getWindowSize: () => told,
    write: (bytes: string) => {
      if (hold) held.push(bytes);
      else feed(bytes);
      return true;
    },
  });
  const stream = out as unknown as NodeJS.WriteStream;
  feed(`${BEFORE.join('\n')}\n`);
  return {
    out: stream,
    /** Until the terminal has read everything it was given. */
    settled: async () => {
      await written;
    },
    hold: () => {
      hold = true;
    },
    /** The terminal reads what waited. */
    release: () => {
      hold = false;
      for (const bytes of held.splice(0)) feed(bytes);
    },
    /** The terminal takes a new size (and rewraps); upstat is not told yet. */
    resize: async (columns: number) => {
      await written;
      terminal.resize(columns, height);
    },
    /**
     * The terminal takes a new size and upstat would read it at its next draw, but hears no `resize` event: Node emits
     * none when, by the time it handles SIGWINCH, the size is back to the one it knew.
     */
    resizeUnheard: async (columns: number) => {
      await written;
      terminal.resize(columns, height);
      told = [terminal.cols, terminal.rows];
    },
    /** upstat is told of the size the terminal has now (SIGWINCH), and the size holds until it redraws. */
    tell: async () => {
      told = [terminal.cols, terminal.rows];
      out.emit('resize');
      await new Promise((resolve) => setTimeout(resolve, RESIZE_QUIET_MS + 50));
    },
    screen: async (): Promise<string[]> => {
      await written;
      const buffer = terminal.buffer.active;
      return Array.from({ length: terminal.rows }, (_, row) => buffer.getLine(buffer.viewportY + row)?.translateToString(true) ?? '');
    },
  };
}

/** A Nullspace upload in progress; `detail` makes the line as long as a test needs. */
function inProgress(ref: string, bytes: number, detail?: string): AnyStatus {
  const totalBytes = 10 * 1024 * 1024;
  return {
    provider: 'nullspace',
    ref: CODEC.parse(ref),
    state: 'in_progress',
    terminal: false,
    raw: { state: 'uploading', body: {} },
    progress: { bytes, totalBytes, fraction: bytes / totalBytes },
    ...(detail === undefined ? {} : { detail }),
  };
}

/** The screen is the lines above, then one row per upload (each within `width`), then nothing. */
function expectLayout(screen: string[], width: number) {
  const filled = screen.filter((row) => row.trim() !== '');
  expect(filled.slice(0, BEFORE.length), screen.join('\n')).toEqual(BEFORE);
  const block = filled.slice(BEFORE.length);
  expect(block.map((row) => REFS.findIndex((ref) => isRowOf(ref, row))), screen.join('\n')).toEqual([0, 1]);
  for (const row of block) expect(Array.from(row).length).toBeLessThanOrEqual(width);
}

/** A display of the two uploads, drawn once with `detail` on their lines and read by the terminal. */
async function shown(width: number, detail?: string) {
  const screen = world(width);
  const err = Object.assign(new EventEmitter(), { isTTY: false, write: () => true }) as unknown as NodeJS.WriteStream;
  const display = createDisplay({ labels: REFS, mode: 'live', out: screen.out, err });
  REFS.forEach((ref, index) => {
    display.start(index);
    display.update(index, inProgress(ref, 700_000, detail));
  });
  await screen.settled();
  return { screen, display };
}

const LONG = 'x'.repeat(120);

describe('a resize to a narrower terminal', () => {
  it('with every picture read before the terminal rewrapped: redrawn in place, the lines above kept', async () => {
    const { screen, display } = await shown(80, LONG);
    expectLayout(await screen.screen(), 80);
    await screen.resize(40);
    await screen.tell();
    expectLayout(await screen.screen(), 40);
    display.close();
  });

  it.each([1, 3])('with %i picture(s) read only after the terminal rewrapped, however late upstat hears of it: no copy left', async (late) => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const { screen, display } = await shown(80, LONG);
    screen.hold();
    for (let index = 0; index < late; index += 1) display.update(index % 2, inProgress(REFS[index % 2] ?? '', 1_400_000 + index, LONG));
    await screen.resize(40);
    screen.release();
    // The redraw after SIGWINCH comes long after the last picture: a loaded machine gives no bound on that.
    vi.setSystemTime(Date.now() + 10_000);
    await screen.tell();
    expectLayout(await screen.screen(), 40);
    display.close();
  });

  // At 200 columns a line with the long detail is cut at the width, one without it is not: the pictures differ in shape.
  it('with a late picture whose lines are shorter than those before it: no copy left, the lines above kept', async () => {
    const { screen, display } = await shown(200, LONG);
    screen.hold();
    REFS.forEach((ref, index) => {
      display.update(index, inProgress(ref, 1_400_000));
    });
    await screen.resize(40);
    screen.release();
    await screen.tell();
    expectLayout(await screen.screen(), 40);
    display.close();
  });

  it('with a late picture whose lines are longer than those before it: no copy left', async () => {
    const { screen, display } = await shown(200);
    screen.hold();
    REFS.forEach((ref, index) => {
      display.update(index, inProgress(ref, 1_400_000, LONG));
    });
    await screen.resize(40);
    screen.release();
    await screen.tell();
    // The redraw cannot tell this from the same pictures read in time, whose rows it must clear too: the rows above
    // the display may go (the README says so), but no piece of an upload's line stays.
    const rows = (await screen.screen()).filter((row) => row.trim() !== '' && !BEFORE.includes(row));
    expect(rows.map((row) => REFS.findIndex((ref) => isRowOf(ref, row)))).toEqual([0, 1]);
    display.close();
  });

  it('twice over, each time with a late picture: no copy left', async () => {
    const { screen, display } = await shown(100, LONG);
    for (const width of [60, 30]) {
      screen.hold();
      display.update(0, inProgress(REFS[0] ?? '', 2_000_000 + width, LONG));
      await screen.resize(width);
      screen.release();
      await screen.tell();
      expectLayout(await screen.screen(), width);
    }
    display.close();
  });
});

describe('a burst of resizes upstat hears nothing of', () => {
  it('draws nothing at the widths on the way, each read late, and redraws once the width holds: no copy, the lines above kept', async () => {
    const { screen, display } = await shown(80, LONG);
    let bytes = 1_000_000;
    for (const width of [40, 120, 60, 30, 80]) {
      await screen.resizeUnheard(width);
      // A status arrives at each width; what is drawn for it is read only at the next one.
      screen.hold();
      display.update(0, inProgress(REFS[0] ?? '', (bytes += 100_000), LONG));
      if (width !== 80) continue;
      await new Promise((resolve) => setTimeout(resolve, RESIZE_QUIET_MS + 50));
    }
    screen.release();
    await new Promise((resolve) => setTimeout(resolve, RESIZE_QUIET_MS + 50));
    expectLayout(await screen.screen(), 80);
    display.close();
  });
});
