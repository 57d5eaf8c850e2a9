const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * Parses `500ms`, `90s`, `10m`, `1h`, `2d` or a plain number of seconds, with an optional sign, into milliseconds;
 * undefined if malformed. Zero and negative values parse, so that the caller can say what is wrong with them.
 */
export function parseDuration(text: string): number | undefined {
  const match = /^\s*([-+]?)(\d+(?:\.\d+)?|\.\d+)\s*(ms|s|m|h|d)?\s*$/.exec(text);
  if (!match) return undefined;
  const value = Number(match[2]) * (UNITS[match[3] ?? 's'] ?? 1000);
  if (!Number.isFinite(value)) return undefined;
  return (match[1] === '-' ? -1 : 1) * Math.round(value);
}

/** `850ms`, `42s`, `3m`, `3m20s`, `2h`, `1h30m`: the way durations are written on the command line. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${seconds % 60 === 0 ? '' : `${seconds % 60}s`}`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24 || hours % 24 !== 0 || minutes % 60 !== 0) return `${hours}h${minutes % 60 === 0 ? '' : `${minutes % 60}m`}`;
  return `${hours / 24}d`;
}
