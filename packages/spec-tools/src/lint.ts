import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);

/** The ruleset shipped with this package (`redocly.yaml`, rules and their justifications). */
export const DEFAULT_LINT_CONFIG = join(dirname(fileURLToPath(import.meta.url)), '..', 'redocly.yaml');

function redoclyBin(): string {
  const manifestPath = require.resolve('@redocly/cli/package.json');
  const manifest = require(manifestPath) as { bin: string | Record<string, string> };
  const bin = typeof manifest.bin === 'string' ? manifest.bin : (manifest.bin.redocly ?? manifest.bin.openapi);
  if (bin === undefined) throw new Error('@redocly/cli has no "redocly" bin');
  return join(dirname(manifestPath), bin);
}

export interface LintResult {
  ok: boolean;
  /** Redocly's own report, for printing. */
  report: string;
}

/**
 * Lints OpenAPI files with Redocly CLI. Warnings count as failures: a spec is clean or it is not.
 * Telemetry and update checks are switched off; nothing leaves the machine.
 */
export function lintSpecs(files: string[], config: string = DEFAULT_LINT_CONFIG): LintResult {
  const result = spawnSync(
    process.execPath,
    [redoclyBin(), 'lint', ...files.map((file) => resolve(file)), '--config', config, '--format', 'stylish', '--max-problems', '1000'],
    {
      encoding: 'utf8',
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' },
    },
  );
  if (result.error) throw result.error;
  // Redocly 2.x prints a boxed Node 20 end-of-life notice on every run; it is not about the specs.
  const report = `${result.stdout}${result.stderr}`.replace(/^\s*╔[\s\S]*?╚[^\n]*\n/m, '');
  const warned = /You have \d+ warnings?/.test(report);
  return { ok: result.status === 0 && !warned, report };
}
