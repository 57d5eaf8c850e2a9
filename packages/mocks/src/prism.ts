/**
 * Prism's own libraries, loaded in this process: the operations loader of `@stoplight/prism-http`, the server of
 * `@stoplight/prism-http-server` and the logger of `@stoplight/prism-core` — the pieces `prism mock` is made of
 * (`@stoplight/prism-cli`'s `createServer`), configured the way `prism mock --errors` configures them.
 */
import Module, { createRequire } from 'node:module';
import { dirname } from 'node:path';

const require = createRequire(import.meta.url);

/** The one HTTP operation shape this package passes along; Prism's own types stay inside Prism. */
export type PrismOperations = readonly unknown[];

export interface PrismServer {
  listen(port: number, host: string): Promise<string>;
  close(): Promise<void>;
}

/** A log destination: pino writes each entry as one line of JSON. */
export interface LogSink {
  write(line: string): void;
}

interface PrismHttp {
  getHttpOperationsFromSpec(specPathOrDocument: string): Promise<unknown[]>;
}
interface PrismHttpServer {
  createServer(operations: unknown[], options: { cors: boolean; config: object; components: { logger: unknown } }): PrismServer;
}
interface PrismCore {
  createLogger(name: string, options: object, destination: LogSink): { child(bindings: object): unknown };
}

export interface PrismLibraries {
  loadOperations: (specPath: string) => Promise<PrismOperations>;
  createServer: (operations: PrismOperations, options: { errors: boolean; log: LogSink }) => PrismServer;
}

let loaded: PrismLibraries | undefined;

/** An object that stands for `target()`, which is called on first use; `known` keys answer without calling it. */
function deferred(target: () => object, known: Record<string, unknown> = {}): object {
  return new Proxy(
    {},
    {
      get: (_stub, key) => (typeof key === 'string' && Object.hasOwn(known, key) ? known[key] : (Reflect.get(target(), key) as unknown)),
      has: (_stub, key) => Reflect.has(target(), key),
      set: (_stub, key, value) => Reflect.set(target(), key, value),
      ownKeys: () => Reflect.ownKeys(target()),
      getOwnPropertyDescriptor: (_stub, key) => {
        const descriptor = Reflect.getOwnPropertyDescriptor(target(), key);
        return descriptor === undefined ? undefined : { ...descriptor, configurable: true };
      },
    },
  );
}

/**
 * Prism's mocker requires `@faker-js/faker` when it loads (about half of Prism's start-up: every locale) but calls
 * it only to generate dynamic examples, which these mocks never do (`dynamic: false`, as `prism mock` without
 * `--dynamic`). The module Prism would get is put in the require cache as a stand-in that loads the real one on
 * first use, so nothing changes if it is ever used.
 */
function deferFaker(): void {
  let fakerPath: string;
  try {
    fakerPath = createRequire(require.resolve('@stoplight/prism-http')).resolve('@faker-js/faker');
  } catch {
    return; // Prism's layout changed: load it the ordinary way.
  }
  if (require.cache[fakerPath] !== undefined) return;
  let real: object | undefined;
  const load = (): object => {
    if (real === undefined) {
      // Drop the stand-in so that require reads the real module (and caches it in its place).
      Reflect.deleteProperty(require.cache, fakerPath);
      real = require(fakerPath) as object;
    }
    return real;
  };
  const standIn = new Module(fakerPath);
  standIn.filename = fakerPath;
  standIn.paths = [dirname(fakerPath)];
  standIn.loaded = true;
  // json-schema-faker reads `default` as soon as Prism registers it, so `default` is deferred as well.
  const deferredDefault = deferred(() => Reflect.get(load(), 'default') as object);
  standIn.exports = deferred(load, { __esModule: true, default: deferredDefault });
  require.cache[fakerPath] = standIn;
}

/** Loads Prism's libraries once (they are CommonJS, and take a moment: only `start*` calls pay for them). */
export function prism(): PrismLibraries {
  if (loaded !== undefined) return loaded;
  deferFaker();
  const http = require('@stoplight/prism-http') as PrismHttp;
  const server = require('@stoplight/prism-http-server') as PrismHttpServer;
  const core = require('@stoplight/prism-core') as PrismCore;
  loaded = {
    loadOperations: async (specPath) => http.getHttpOperationsFromSpec(specPath),
    createServer: (operations, { errors, log }) => {
      // `prism mock` logs at `info` (its default verbosity); the entries go to the caller's sink, not to stdout.
      const logger = core.createLogger('CLI', { level: 'info' }, log);
      // What `prism mock --errors` passes (prism-cli's createServer): static examples, both sides validated,
      // security checked, and response violations turned into error responses when `errors` is on.
      const config = {
        validateRequest: true,
        validateResponse: true,
        checkSecurity: true,
        errors,
        upstreamProxy: undefined,
        isProxy: false,
        mock: { dynamic: false, ignoreExamples: false, seed: null },
      };
      return server.createServer([...operations], { cors: true, config, components: { logger: logger.child({ name: 'HTTP SERVER' }) } });
    },
  };
  return loaded;
}
