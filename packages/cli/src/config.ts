/**
 * Providers from outside upstat's registry, from a config file: `--config <file>`, the `UPSTAT_CONFIG` variable, or
 * `upstat.config.mjs` / `upstat.config.json` in the working directory (README, "A provider of your own").
 *
 * - `upstat.config.mjs`: `export default { providers: [entry, …] }`;
 * - `upstat.config.json`: `{ "providers": ["./acme/provider.mjs", "@acme/upstat-acme"] }`, module specifiers resolved
 *   from the config's directory, each exporting `provider` (or a default export) that is an entry.
 *
 * An entry is `{ definition, specPath?, baseUrl?, plugin? }`: the definition (`defineProvider`), its spec (for
 * `upstat mock`; a relative path is resolved from the file that names it), the server to use without
 * `UPSTAT_<ID>_BASE_URL`, and a plug-in factory (by default `pluginFor(definition, options, { baseUrl })`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { pluginFor, type AnyDefinition, type ProviderPlugin } from 'upstat';
import type { CliProvider } from './providers.js';

/** The files looked for in the working directory, in this order. */
export const CONFIG_FILES = ['upstat.config.mjs', 'upstat.config.json'] as const;

/** A config file that cannot be used: the message names the file and what is wrong (a usage error, exit 2). */
export class ConfigFileError extends Error {
  override readonly name = 'ConfigFileError';
}

const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/** What is wrong with a definition, as far as the CLI can tell without calling it. */
function definitionProblem(definition: unknown): string | undefined {
  if (!isRecord(definition)) return 'has no `definition` (an object made with defineProvider)';
  const { id, name, operation, credentials, ref, example, states, read } = definition;
  if (typeof id !== 'string' || !/^[a-z][a-z0-9]*$/.test(id)) return 'its definition needs an `id` of lowercase letters and digits';
  if (typeof name !== 'string' || name === '') return `${id}: its definition needs a \`name\``;
  if (!isRecord(operation) || typeof operation.path !== 'string') return `${id}: its definition needs \`operation.path\``;
  if (!Array.isArray(credentials) || credentials.length === 0) return `${id}: its definition needs \`credentials\``;
  if (!isRecord(ref) || !isRecord(example) || !isRecord(states) || typeof read !== 'function') return `${id}: its definition needs \`ref\`, \`example\`, \`states\` and \`read\``;
  return undefined;
}

/** A path or file URL named by `from` (a file), as an absolute path. */
function pathFrom(from: string, value: unknown): string | undefined {
  if (value instanceof URL) return fileURLToPath(value);
  if (typeof value !== 'string' || value === '') return undefined;
  if (value.startsWith('file:')) return fileURLToPath(value);
  return isAbsolute(value) ? value : resolve(dirname(from), value);
}

function entryOf(value: unknown, from: string, where: string): CliProvider {
  const problem = definitionProblem(isRecord(value) ? value.definition : undefined);
  if (problem !== undefined || !isRecord(value)) throw new ConfigFileError(`${where} ${problem ?? 'is not an object'}`);
  const definition = value.definition as AnyDefinition;
  if (value.plugin !== undefined && typeof value.plugin !== 'function') throw new ConfigFileError(`${where}: \`plugin\` must be a function`);
  const baseUrl = typeof value.baseUrl === 'string' ? value.baseUrl : undefined;
  const plugin = (value.plugin as CliProvider['plugin'] | undefined) ?? ((options: Record<string, unknown>): ProviderPlugin => pluginFor(definition, options, { baseUrl }));
  const specPath = pathFrom(from, value.specPath);
  if (specPath !== undefined && !existsSync(specPath)) throw new ConfigFileError(`${where}: its specPath ${specPath} does not exist`);
  return { definition, plugin, ...(specPath === undefined ? {} : { specPath }) };
}

async function importFile(path: string): Promise<unknown> {
  try {
    return (await import(pathToFileURL(path).href)) as unknown;
  } catch (error) {
    throw new ConfigFileError(`${path} could not be loaded: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** The entries a config's `providers` list names: objects, or module specifiers exporting `provider`. */
async function entriesOf(list: unknown, file: string): Promise<CliProvider[]> {
  if (!Array.isArray(list) || list.length === 0) throw new ConfigFileError(`${file}: \`providers\` must be a list of providers`);
  const entries: CliProvider[] = [];
  for (const [index, item] of list.entries()) {
    const where = `${file}: providers[${index}]`;
    if (typeof item !== 'string') {
      entries.push(entryOf(item, file, where));
      continue;
    }
    let path: string;
    try {
      path = item.startsWith('.') || isAbsolute(item) ? resolve(dirname(file), item) : createRequire(file).resolve(item);
    } catch {
      throw new ConfigFileError(`${where}: ${JSON.stringify(item)} cannot be found from ${dirname(file)}`);
    }
    const module = (await importFile(path)) as Record<string, unknown>;
    entries.push(entryOf(module.provider ?? module.default, path, `${where} (${item})`));
  }
  return entries;
}

/** The config file to read: the one named, or the first of `CONFIG_FILES` in `cwd`; undefined when there is none. */
export function configPath(named: string | undefined, cwd: string): string | undefined {
  if (named !== undefined && named !== '') {
    const path = resolve(cwd, named);
    if (!existsSync(path)) throw new ConfigFileError(`the config file ${path} does not exist`);
    return path;
  }
  return CONFIG_FILES.map((name) => resolve(cwd, name)).find((path) => existsSync(path));
}

/** The providers a config file adds (none without one). */
export async function loadConfig(named: string | undefined, cwd: string): Promise<{ path: string; providers: CliProvider[] } | undefined> {
  const path = configPath(named, cwd);
  if (path === undefined) return undefined;
  let config: unknown;
  if (path.endsWith('.json')) {
    try {
      config = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    } catch (error) {
      throw new ConfigFileError(`${path} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
    }
  } else {
    const module = (await importFile(path)) as { default?: unknown };
    config = module.default;
  }
  if (!isRecord(config)) throw new ConfigFileError(`${path} must ${path.endsWith('.json') ? 'hold' : 'export by default'} an object with \`providers\``);
  return { path, providers: await entriesOf(config.providers, path) };
}
