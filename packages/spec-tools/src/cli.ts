#!/usr/bin/env node
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { SpecToolError } from './errors.js';
import { findStaleFiles, renderClientFiles, writeGeneratedFiles } from './generate.js';
import { lintSpecs } from './lint.js';
import { startMockServers, stopMockServers } from './mock.js';
import { displayPath } from './paths.js';
import { locateSpecDir } from './spec-dir.js';

const USAGE = `Usage: upstat-spec <command> [options]

Commands:
  generate <spec-dir> [--out <dir>] [--check]
      Apply <spec-dir>/overlay.yaml to <spec-dir>/openapi.{json,yaml} and generate the effective spec
      (openapi.json) and its types (src/generated/) into --out (default: the current directory).
      --check writes nothing and fails, naming each file, when the committed output is out of date.
  lint <openapi-file>...
      Lint OpenAPI files with Redocly CLI (this package's redocly.yaml); warnings fail too.
  mock <name>=<openapi-file>...
      Start one Prism mock server per file on a free loopback port and print their URLs; Ctrl-C stops them.

Exit codes: 0 success, 1 check or lint failed, 2 bad usage or unreadable input.`;

class UsageError extends Error {}

async function generate(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { out: { type: 'string', default: '.' }, check: { type: 'boolean', default: false } },
  });
  if (positionals.length !== 1) throw new UsageError('generate needs exactly one <spec-dir>');
  const [dir] = positionals as [string];
  const specDir = locateSpecDir(dir);
  const outDir = resolve(values.out);
  const files = await renderClientFiles(specDir, outDir);
  if (!values.check) {
    await writeGeneratedFiles(outDir, files);
    console.log(`generated ${files.map((file) => file.path).join(', ')} from ${displayPath(specDir.dir)}`);
    return 0;
  }
  const stale = await findStaleFiles(outDir, files);
  if (stale.length === 0) {
    console.log(`generated code is in sync with ${displayPath(specDir.dir)}`);
    return 0;
  }
  console.error(`Generated code is out of date with ${displayPath(specDir.dir)}:`);
  for (const file of stale) console.error(`  ${file.path}: ${file.reason}`);
  console.error('Run `pnpm generate` and commit the result (generated files are never edited by hand).');
  return 1;
}

function lint(args: string[]): number {
  if (args.length === 0) throw new UsageError('lint needs at least one <openapi-file>');
  const result = lintSpecs(args);
  process.stdout.write(result.report);
  return result.ok ? 0 : 1;
}

async function mock(args: string[]): Promise<number> {
  if (args.length === 0) throw new UsageError('mock needs at least one <name>=<openapi-file>');
  const specs = args.map((arg) => {
    const [name, specPath] = arg.split('=');
    if (!name || !specPath) throw new UsageError(`expected <name>=<openapi-file>, got ${arg}`);
    return { name, specPath: resolve(specPath) };
  });
  const servers = await startMockServers(specs);
  for (const server of servers) console.log(`${server.name}\t${server.url}`);
  await new Promise<void>((done) => {
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
  await stopMockServers(servers);
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'generate':
      return generate(rest);
    case 'lint':
      return lint(rest);
    case 'mock':
      return mock(rest);
    case undefined:
    case '-h':
    case '--help':
      console.log(USAGE);
      return command === undefined ? 2 : 0;
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError || (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'))) {
      console.error(`upstat-spec: ${error.message}\n\n${USAGE}`);
      process.exitCode = 2;
    } else if (error instanceof SpecToolError) {
      console.error(`upstat-spec: ${error.message}`);
      process.exitCode = 2;
    } else {
      console.error(error);
      process.exitCode = 1;
    }
  },
);
