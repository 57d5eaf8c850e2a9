export { repoRoot } from '@upstat/test-support';

/** One budget from the issue, judged on figures of this run. */
export interface Budget {
  /** What is limited, e.g. "provider client ≤ 1.05× bare openapi-fetch (sequential)". */
  name: string;
  /** The measured value, formatted, e.g. "1.03×". */
  measured: string;
  pass: boolean;
  /** When missed: by how much, e.g. "0.04× over". */
  miss?: string | undefined;
}

/** What each benchmark hands the runner: a Markdown section, its raw figures, and its budgets. */
export interface SectionResult {
  id: string;
  title: string;
  /** Markdown body without the heading: tables first, then a short note on method. */
  markdown: string;
  /** Plain JSON figures for BENCHMARKS.json. */
  data: unknown;
  budgets: Budget[];
}

export interface Spread {
  median: number;
  min: number;
  max: number;
  runs: number;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

export function spread(values: readonly number[]): Spread {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values), runs: values.length };
}

/**
 * Variables that make every Node start do more work, whatever it runs: NODE_EXTRA_CA_CERTS has each process read and
 * parse a certificate bundle at start (on a machine that sets it, `node -e 0` takes about twice as long), NODE_OPTIONS
 * can load anything. `pnpm bench` runs under turbo, whose strict environment mode leaves out variables it is not told
 * of (NODE_EXTRA_CA_CERTS among them), while the bench started directly would inherit them: main.ts removes them
 * before any section runs, so every process and worker a section starts has the same environment however the bench
 * is run.
 */
export const START_COST_VARIABLES = ['NODE_EXTRA_CA_CERTS', 'NODE_OPTIONS'] as const;

/**
 * The 95% interval of the median over all the values of `groups` together, from resampling whole groups with
 * replacement: the groups (e.g. runs) are the independent units; the values inside one (its blocks) are not.
 */
export function pooledMedianInterval(groups: readonly (readonly number[])[], random: () => number, resamples = 400): { low: number; high: number } {
  const estimates: number[] = [];
  for (let resample = 0; resample < resamples; resample++) {
    // As many groups as there are, each drawn at random.
    const values = groups.flatMap(() => groups[Math.floor(random() * groups.length)] as readonly number[]);
    estimates.push(median(values));
  }
  estimates.sort((a, b) => a - b);
  return { low: estimates[Math.floor(resamples * 0.025)] as number, high: estimates[Math.ceil(resamples * 0.975) - 1] as number };
}

/** "1.23 (1.10–1.31)": the median and the range over the runs. */
export function formatSpread(value: Spread, digits = 2): string {
  return `${value.median.toFixed(digits)} (${value.min.toFixed(digits)}–${value.max.toFixed(digits)})`;
}

export const ratio = (value: number, digits = 2): string => `${value.toFixed(digits)}×`;

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} kB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export function formatMs(ms: number): string {
  if (ms < 1000) return `${ms.toFixed(0)} ms`;
  if (ms < 120_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${(ms / 60_000).toFixed(1)} min`;
}

/** A Markdown table; cells are written as given. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** A "lower is better" budget: `measured ≤ limit`. */
export function atMost(name: string, measured: number, limit: number, format: (value: number) => string): Budget {
  const pass = measured <= limit;
  return { name, measured: format(measured), pass, miss: pass ? undefined : `${format(measured - limit)} over` };
}
