// One generator run in a fresh process, so the peak memory reported is this run's own:
//   node generator-child.js upstat <spec-dir> <out-dir> [<spec-dir> <out-dir> ...]
//       what `pnpm generate` does per provider: renderClientFiles(locateSpecDir(spec-dir), out-dir), rendered only
//       (nothing is written)
//   node generator-child.js baseline <openapi.json> [...]
//       bare openapi-typescript: read and parse the effective spec, openapiTS + astToString
// Prints {"ms", "maxRssKb", "bytes"} on stdout: wall time of the generation work only (module loading and process
// start excluded), the process's peak RSS (module loading included), and the bytes of output rendered.
import { readFile } from 'node:fs/promises';
import type { OpenAPI3 } from 'openapi-typescript';

export interface ChildResult {
  ms: number;
  maxRssKb: number;
  bytes: number;
}

/** Loads only the modules the mode needs, then returns the work to time; it resolves to the bytes rendered. */
async function prepare(mode: string | undefined, args: string[]): Promise<() => Promise<number>> {
  if (mode === 'upstat') {
    const { locateSpecDir, renderClientFiles } = await import('@upstat/spec-tools');
    if (args.length === 0 || args.length % 2 !== 0) throw new Error('upstat needs <spec-dir> <out-dir> pairs');
    return async () => {
      let bytes = 0;
      for (let index = 0; index < args.length; index += 2) {
        const files = await renderClientFiles(locateSpecDir(args[index] as string), args[index + 1] as string);
        for (const file of files) bytes += Buffer.byteLength(file.content);
      }
      return bytes;
    };
  }
  if (mode === 'baseline') {
    const { default: openapiTS, astToString } = await import('openapi-typescript');
    if (args.length === 0) throw new Error('baseline needs at least one <openapi.json>');
    return async () => {
      let bytes = 0;
      for (const path of args) {
        const document = JSON.parse(await readFile(path, 'utf8')) as OpenAPI3;
        bytes += Buffer.byteLength(astToString(await openapiTS(document, { silent: true })));
      }
      return bytes;
    };
  }
  throw new Error(`unknown mode ${String(mode)} (upstat | baseline)`);
}

const [mode, ...args] = process.argv.slice(2);
const work = await prepare(mode, args);
const start = performance.now();
const bytes = await work();
const ms = performance.now() - start;
const result: ChildResult = { ms, maxRssKb: process.resourceUsage().maxRSS, bytes };
process.stdout.write(`${JSON.stringify(result)}\n`);
