import type { LogSink } from './prism.js';

/** pino's numeric levels (Prism adds `success` between info and warn). */
const LEVELS: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 32: 'success', 40: 'warn', 50: 'error', 60: 'fatal' };

/** A Prism log line that reports a request or response breaking the spec. */
export const VIOLATION_LINE = /Violation:|did not pass the validation rules|errors#VIOLATIONS/;

/** How many lines each of output() and violations() keeps: a long-running mock must not grow without end. */
export const MAX_LOG_LINES = 10_000;

interface Entry {
  level?: number;
  name?: string;
  msg?: string;
  input?: { method?: string; url?: { path?: string } };
}

/** Lines kept up to a limit; past it the oldest go, and the first line says how many went. */
class BoundedLines {
  private readonly lines: string[] = [];
  private dropped = 0;

  push(line: string): void {
    this.lines.push(line);
    if (this.lines.length > MAX_LOG_LINES) {
      this.lines.shift();
      this.dropped += 1;
    }
  }

  list(): string[] {
    return this.dropped === 0 ? [...this.lines] : [`(${this.dropped} earlier lines dropped)`, ...this.lines];
  }
}

/**
 * One mock's log: Prism's pino entries, each turned into one readable line (`error [VALIDATOR] Violation: …`),
 * and the scenario layer's own lines. Only the level, the logger's name, the request's method and path and the
 * message are kept: Prism's entries also carry the request's headers, credentials included, which never reach
 * this log.
 */
export class MockLog implements LogSink {
  private readonly all = new BoundedLines();
  private readonly violationLines = new BoundedLines();

  write(line: string): void {
    let entry: Entry;
    try {
      // pino's child loggers repeat `name`; JSON.parse keeps the last, the innermost logger's (e.g. VALIDATOR).
      entry = JSON.parse(line) as Entry;
    } catch {
      this.add(`unreadable log entry: ${line.trim()}`);
      return;
    }
    const level = LEVELS[entry.level ?? 30] ?? String(entry.level);
    const request = entry.input?.method === undefined ? '' : `${entry.input.method.toUpperCase()} ${entry.input.url?.path ?? ''} `;
    this.add(`${level} [${entry.name ?? 'PRISM'}] ${request}${entry.msg ?? ''}`);
  }

  add(line: string): void {
    this.all.push(line);
    if (VIOLATION_LINE.test(line)) this.violationLines.push(line);
  }

  output(): string {
    const lines = this.all.list();
    return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
  }

  violations(): string[] {
    return this.violationLines.list();
  }
}
