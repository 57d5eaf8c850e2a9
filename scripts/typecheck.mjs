#!/usr/bin/env node
// Type-checks workspace packages in one process: `node scripts/typecheck.mjs [<package dir>...]` (none: every package;
// the root's `typecheck:repo`).
//
// Each package's own `typecheck` script stays what is run: its steps are read from its package.json and run in order,
// `node …` steps as child processes in the package's directory, `tsc -p <config> [--noEmit]` steps here, with the
// TypeScript API. What one process buys: every program shares one parse of the files they all read (the standard
// library, Node's and vitest's types, the dependencies' builds), which one `tsc` per package parses again each time;
// on the 2-core machine that is about half the CPU of the same checks as separate `tsc` processes. The diagnostics are
// tsc's, in tsc's order (options and syntax, then types, then declarations), printed as tsc prints them.
import { spawnSync } from 'node:child_process';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { workspace } from './workspace.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function usage(message) {
  console.error(`typecheck: ${message}\nusage: node scripts/typecheck.mjs [<package dir>...]`);
  process.exit(2);
}

// Source files shared between programs, keyed by path and by what changes their parse and binding: the language
// version, the module format the file is read as, and the compiler options that reach the binder (all of them but
// those that only choose files, types or output).
const OUTPUT_ONLY = new Set(['types', 'typeRoots', 'noEmit', 'outDir', 'rootDir', 'declaration', 'declarationMap', 'sourceMap', 'emitDeclarationOnly', 'configFilePath', 'pathsBasePath', 'tsBuildInfoFile', 'incremental', 'composite']);
const parsed = new Map();
function bindingKey(options) {
  return JSON.stringify(Object.entries(options).filter(([key]) => !OUTPUT_ONLY.has(key)).sort(([a], [b]) => (a < b ? -1 : 1)));
}

function createHost(options) {
  const host = ts.createCompilerHost(options, true);
  const read = host.getSourceFile.bind(host);
  const settings = bindingKey(options);
  host.getSourceFile = (fileName, languageVersionOrOptions, onError, shouldCreate) => {
    const version = typeof languageVersionOrOptions === 'object' ? languageVersionOrOptions : { languageVersion: languageVersionOrOptions };
    const key = `${fileName}\0${version.languageVersion}\0${version.impliedNodeFormat}\0${settings}`;
    let file = parsed.get(key);
    if (file === undefined) {
      file = read(fileName, languageVersionOrOptions, onError, shouldCreate);
      if (file !== undefined) parsed.set(key, file);
    }
    return file;
  };
  return host;
}

const formatHost = {
  getCanonicalFileName: (fileName) => fileName,
  getCurrentDirectory: () => root,
  getNewLine: () => '\n',
};
const pretty = process.stdout.isTTY === true && process.env.NO_COLOR === undefined;

/** One `tsc -p <config> [--noEmit]`, in `dir`: tsc's diagnostics, in tsc's order (see emitFilesAndReportErrors). */
function check(dir, args) {
  let project;
  let noEmit = false;
  for (let index = 0; index < args.length; index++) {
    const arg = args[index];
    if (arg === '-p' || arg === '--project') project = args[++index];
    else if (arg === '--noEmit') noEmit = true;
    else usage(`${relative(root, dir)}: tsc ${args.join(' ')}: only -p <config> and --noEmit are understood here`);
  }
  if (project === undefined) usage(`${relative(root, dir)}: tsc ${args.join(' ')}: no -p <config>`);
  const configPath = resolve(dir, project);
  const config = ts.getParsedCommandLineOfConfigFile(configPath, noEmit ? { noEmit: true } : {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
      throw new Error(ts.formatDiagnostic(diagnostic, formatHost));
    },
  });
  if (config.options.noEmit !== true) usage(`${relative(root, configPath)}: a type check must not emit: set "noEmit": true or pass --noEmit`);
  const program = ts.createProgram({ rootNames: config.fileNames, options: config.options, host: createHost(config.options), configFileParsingDiagnostics: ts.getConfigFileParsingDiagnostics(config) });
  const diagnostics = [...program.getConfigFileParsingDiagnostics(), ...program.getOptionsDiagnostics(), ...program.getSyntacticDiagnostics()];
  if (diagnostics.length === 0) {
    diagnostics.push(...program.getGlobalDiagnostics());
    if (diagnostics.length === 0) diagnostics.push(...program.getSemanticDiagnostics());
    if (diagnostics.length === 0 && (config.options.declaration === true || config.options.composite === true)) diagnostics.push(...program.getDeclarationDiagnostics());
  }
  const errors = ts.sortAndDeduplicateDiagnostics(diagnostics);
  // Paths relative to the repository's root, so that each error names its package.
  if (errors.length > 0) process.stdout.write(pretty ? ts.formatDiagnosticsWithColorAndContext(errors, formatHost) : ts.formatDiagnostics(errors, formatHost));
  return errors.filter((diagnostic) => diagnostic.category === ts.DiagnosticCategory.Error).length;
}

const args = process.argv.slice(2);
const packages = workspace(root);
const unknown = args.find((arg) => arg.startsWith('-'));
if (unknown !== undefined) usage(`unknown option ${unknown}`);
const named = args.map((arg) => {
  const dir = resolve(arg);
  const found = packages.find((item) => item.dir === dir);
  if (found === undefined) usage(`${arg} is not a workspace package's directory`);
  return found;
});
const chosen = named.length === 0 ? packages : [...new Set(named)];

let failed = 0;
for (const { dir, manifest } of chosen) {
  const script = manifest.scripts?.typecheck;
  if (script === undefined) continue;
  const name = relative(root, dir);
  for (const step of script.split('&&').map((part) => part.trim())) {
    const words = step.split(/\s+/);
    if (words[0] === 'tsc') {
      const errors = check(dir, words.slice(1));
      if (errors > 0) {
        console.error(`typecheck: ${name}: ${step}: ${errors} error${errors === 1 ? '' : 's'}`);
        failed += 1;
      }
    } else if (words[0] === 'node') {
      const run = spawnSync(process.execPath, words.slice(1), { cwd: dir, stdio: 'inherit' });
      if (run.status !== 0) {
        console.error(`typecheck: ${name}: ${step} exited ${run.status ?? run.signal}`);
        failed += 1;
        break;
      }
    } else {
      usage(`${name}: typecheck step "${step}": only \`tsc -p …\` and \`node …\` steps are understood here`);
    }
  }
}
console.log(`typecheck: ${chosen.length} package${chosen.length === 1 ? '' : 's'}, ${failed === 0 ? 'no errors' : `${failed} failing`}`);
process.exit(failed === 0 ? 0 : 1);
