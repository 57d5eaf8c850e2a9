import type { AnyStatus } from 'upstat';
import { formatRef } from './providers.js';
import { printable } from './terminal.js';

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
