/**
 * How much each section measures. `npx pnpm bench` (what BENCHMARKS.md records) takes the full counts; `--quick`
 * (what CI runs, .ci/run) takes the second figure of each `scaled(full, quick)`: the same sections, rows and budgets
 * over fewer runs, seeds and waits, so that it ends in minutes. A quick run's ratios are noisier, never different in
 * kind; it never rewrites BENCHMARKS.md. Read from the command line at import, since the sections' constants are.
 */
export const QUICK = process.argv.slice(2).includes('--quick');

export function scaled<T>(full: T, quick: T): T {
  return QUICK ? quick : full;
}
