/** Running the built CLI as a child process, and reading its `--json` output against the shipped JSON Schema. */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Ajv2020 from 'ajv/dist/2020.js';

export const bin = fileURLToPath(new URL('../bin/upstat.js', import.meta.url));
export const schemaPath = fileURLToPath(new URL('../schema/output.schema.json', import.meta.url));

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Everything a child started with piped stdout and stderr prints, and its exit code once it has closed. */
export function collect(child: ChildProcess): Promise<Run> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      resolve({ code, stdout, stderr });
    });
  });
}

/** The environment with no UPSTAT_* variable, plus `env`. */
export function cleanEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  return { ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('UPSTAT_'))), ...env };
}

/** Runs the CLI with no UPSTAT_* variable from this process, only those in `env`; `onStart` gets the child. */
export function upstat(args: string[], env: Record<string, string> = {}, onStart?: (child: ChildProcess) => void): Promise<Run> {
  const child = spawn(process.execPath, [bin, ...args], { env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  const run = collect(child);
  onStart?.(child);
  return run;
}

export const schema = JSON.parse(readFileSync(schemaPath, 'utf8')) as { $defs: { errorLine: { properties: { error: { properties: { kind: { enum: string[] } } } } } } };
// ajv's CommonJS default export, as NodeNext types it.
const ajv = new (Ajv2020 as unknown as typeof Ajv2020.default)({ strict: true, allErrors: true });
const validate = ajv.compile(schema);

/** A document of the `--json` contract (the schema says the rest). */
export interface JsonLine {
  type: 'status' | 'update' | 'error';
  [field: string]: unknown;
}

/**
 * Every line of stdout, each parsed and validated against the schema: throws on a line that is not JSON or does not
 * match, and on output that is not newline-terminated JSON lines.
 */
export function jsonLines(stdout: string): JsonLine[] {
  if (stdout === '') return [];
  if (!stdout.endsWith('\n')) throw new Error(`stdout does not end with a newline: ${JSON.stringify(stdout.slice(-80))}`);
  return stdout
    .slice(0, -1)
    .split('\n')
    .map((line) => {
      if (line.includes('\n') || line.trim() !== line) throw new Error(`not a compact JSON line: ${JSON.stringify(line)}`);
      const document: unknown = JSON.parse(line);
      if (!validate(document)) throw new Error(`does not match the schema: ${ajv.errorsText(validate.errors)}\n${line}`);
      return document as JsonLine;
    });
}

/** The one JSON line of stdout. */
export function jsonLine(stdout: string): JsonLine {
  const lines = jsonLines(stdout);
  if (lines.length !== 1) throw new Error(`expected one JSON line, got ${lines.length}: ${stdout}`);
  return lines[0] as JsonLine;
}

/**
 * Whether a row is the live line of `ref`: narrow terminals shorten the ref in the middle, keeping its provider and
 * the end of its last identifier (`nullspace:…upl_1`).
 */
export function isRowOf(ref: string, row: string): boolean {
  const shown = row.split('  ')[0] ?? '';
  return shown.startsWith(ref.slice(0, ref.indexOf(':') + 1)) && shown.endsWith(ref.slice(-4));
}

/**
 * Help text with its wrapped lines joined back (help fits 80 columns: lines break at spaces, and a word too long for
 * the room, such as a long example ref, after a "/"), for checks on what it says.
 */
export function unwrapHelp(text: string): string {
  return text.replace(/\/\n +(?=\S)/g, '/').replace(/\n {3,}(?=\S)/g, ' ');
}
