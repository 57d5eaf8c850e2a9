import type { AnyStatus } from 'upstat';
import { formatRef } from './providers.js';
import { columns, fit, printable } from './terminal.js';

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${UNITS[unit] ?? ''}`;
}

export function progressBar(fraction: number, width = 20): string {
  const filled = Math.round(Math.min(1, Math.max(0, fraction)) * width);
  return `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}]`;
}

function progressText(status: AnyStatus, bar: boolean): string | undefined {
  if (!status.progress) return undefined;
  const { bytes, totalBytes, fraction } = status.progress;
  const percent = `${Math.floor(fraction * 100)}%`;
  return `${bar ? `${progressBar(fraction)} ` : ''}${percent} (${formatBytes(bytes)} of ${formatBytes(totalBytes)})`;
}

/**
 * One line for people: ref, canonical state, progress, the vendor's own value and details. What the vendor sent
 * is made printable (no control characters or escape sequences reach the terminal).
 */
export function statusLine(status: AnyStatus, options: { bar?: boolean } = {}): string {
  const parts = [formatRef(status.ref), status.state];
  const progress = progressText(status, options.bar ?? false);
  if (progress) parts.push(progress);
  parts.push(`(${status.provider} status ${printable(JSON.stringify(status.raw.state ?? null))})`);
  if (status.detail) parts.push(`— ${printable(status.detail)}`);
  if (status.updatedAt) parts.push(`updated ${printable(status.updatedAt)}`);
  return parts.join('  ');
}

/**
 * A live line at `width` columns, what matters first: the state, the progress (percentage, then byte counts) and the
 * elapsed time are always kept (at any width of 40 or more); the rest gives way in this order while the line is too
 * wide — the updated-at time, the vendor's detail, the vendor's own value, the bar (half as long first), then the ref,
 * shortened in the middle down to its provider and the end of its last identifier, then the byte counts. `note` (how a wait ended)
 * stays after the state.
 */
export function liveLine(
  parts: { ref: string; status?: AnyStatus | undefined; word?: string | undefined; note?: string | undefined; elapsed?: string | undefined },
  width: number,
): string {
  const { status } = parts;
  const progress = status?.progress;
  const percent = progress === undefined ? undefined : `${Math.floor(progress.fraction * 100)}%`;
  const line = {
    ref: parts.ref,
    state: status?.state ?? parts.word ?? '',
    note: parts.note === undefined ? undefined : printable(parts.note),
    bar: progress === undefined ? undefined : progressBar(progress.fraction),
    percent,
    bytes: progress === undefined ? undefined : `(${formatBytes(progress.bytes)} of ${formatBytes(progress.totalBytes)})`,
    raw: status === undefined ? undefined : `(${status.provider} status ${printable(JSON.stringify(status.raw.state ?? null))})`,
    detail: status?.detail ? `— ${printable(status.detail)}` : undefined,
    updated: status?.updatedAt ? `updated ${printable(status.updatedAt)}` : undefined,
  };
  const render = () =>
    [
      line.ref,
      line.state,
      [line.bar, line.percent, line.bytes].filter(Boolean).join(' ') || undefined,
      line.note,
      line.raw,
      line.detail,
      line.updated,
      parts.elapsed,
    ]
      .filter((part): part is string => part !== undefined && part !== '')
      .join('  ');
  const fits = () => columns(render()) <= width;
  for (const drop of ['updated', 'detail', 'raw'] as const) {
    if (fits()) return render();
    line[drop] = undefined;
  }
  // A shorter bar before none.
  if (!fits() && progress !== undefined) line.bar = progressBar(progress.fraction, 10);
  if (!fits()) line.bar = undefined;
  if (!fits()) line.ref = shortenRef(parts.ref, Math.max(0, columns(parts.ref) - (columns(render()) - width)));
  if (!fits()) line.bytes = undefined;
  if (!fits()) line.ref = shortenRef(parts.ref, Math.max(0, columns(line.ref) - (columns(render()) - width)));
  if (!fits() && line.note !== undefined) line.note = fit(line.note, Math.max(1, columns(line.note) - (columns(render()) - width)));
  return fits() ? render() : fit(render(), width);
}

/** How much of a ref's last identifier a shortened ref keeps at least. */
const REF_TAIL = 6;

/**
 * A ref in at most `width` columns, cut in the middle: `provider:` and the end of the last identifier stay
 * (`document360:7f0c…/…345678`), as much of the rest as fits; at least the provider and `…` and the tail.
 */
export function shortenRef(ref: string, width: number): string {
  if (columns(ref) <= width) return ref;
  const colon = ref.indexOf(':');
  const head = ref.slice(0, colon + 1);
  const tailAll = ref.slice(ref.lastIndexOf('/') + 1 || colon + 1);
  const room = width - columns(head) - 1;
  if (room <= REF_TAIL) return `${head}…${tailAll.slice(-REF_TAIL)}`;
  // Most of the room to the end (the tail tells uploads of one account apart), a little to the start of the rest.
  const tail = ref.slice(-Math.max(REF_TAIL, Math.ceil((room * 2) / 3)));
  const startRoom = room - columns(tail);
  const start = ref.slice(colon + 1, colon + 1 + Math.max(0, startRoom));
  return `${head}${start}…${tail}`;
}
