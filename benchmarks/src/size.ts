// Size: minified+gzipped browser bundles (esbuild) of openapi-fetch alone, each provider's client, the facade with each
// provider's plug-in and the facade with every provider (`allProviders` from the registry); and the packed tarball
// of every published package next to openapi-fetch's own.
import { cp, mkdtemp, readFile, realpath, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { pathParameters, type AnyDefinition } from '@upstat/core';
import { PROVIDERS } from '@upstat/providers';
import { packPackage, publishedPackages, readTarball } from '@upstat/test-support';
import { build } from 'esbuild';
import { atMost, formatBytes, ratio, repoRoot, table, type SectionResult } from './report.js';

const benchmarksDir = join(repoRoot, 'benchmarks');
// The goal was 5 kB; the redaction boundary, bounded bodies, deadlines and typed errors in core alone are ~7 kB
// gzipped (a single dist file: packages/core/src), and the request hook, User-Agent and request id of a successful
// status add ~0.6 kB, so this budget guards the measured size against growth rather than promising a number the
// features do not fit in. It was 12 kB until `watch`/`waitAll` moved onto one timer for all waits with per-provider
// request budgets (packages/upstat/src/watcher.ts, packages/core/src/timer-queue.ts and budget.ts): ~3.8 kB more,
// 15.4 kB measured; they are methods of the facade, so a bundler cannot leave them out. It was 16 kB until every wait
// became one engine (packages/core/src/wait-step.ts) that outlasts transient failures and says how and why a wait
// ended (the last status and error, the checks, a Retry-After past the deadline, maxFailures), and `status` went
// through the request budget too: ~1.6 kB more than the loops it replaced, 17.1 kB measured. It was 17.5 kB until it
// held for every provider rather than PandaDoc alone (the largest, Nullspace, reads byte progress: +0.2 kB) and the
// facade had taken on a sliding request window, a line per provider in deadline order and the check of refs against
// the longest request path servers accept (PandaDoc +0.6 kB since): 17.9 kB measured for Nullspace. It was 18 kB until
// credentials became data that core applies (packages/core/src/auth.ts: HTTP Basic, API keys in any header or the
// query, OAuth2 with the token cache of src/oauth2.ts and the redirect handling of src/redirects.ts for a key in a
// header of its own): every client carries every scheme, because the scheme is chosen by the options a caller passes
// at run time, +2.1 kB: 20.0 kB measured for Nullspace. Bundles are deterministic: there is no noise to allow for.
const BUDGET_KB = 20.5;
const BUDGET_BYTES = BUDGET_KB * 1024;

/** A definition's first credential as source: each of its options with a placeholder value. */
const credentialSource = (definition: AnyDefinition) =>
  definition.credentials[0].options.map((option) => `${option}: ${JSON.stringify(`${definition.id}-${option}`)}`).join(', ');

/** `allProviders`' options for every provider of the registry: its first credential and a base URL. */
const EVERY_PROVIDER_OPTIONS = `{ ${PROVIDERS.map(
  ({ definition }) => `${JSON.stringify(definition.id)}: { ${credentialSource(definition)}, baseUrl: ${JSON.stringify(`https://${definition.id}.example`)} }`,
).join(', ')} }`;

/** The first provider of the registry: whose status operation the openapi-fetch baseline calls. */
const FIRST = PROVIDERS[0].definition;
const examplePath = (definition: AnyDefinition) => JSON.stringify(pathParameters(definition, definition.example));

interface Entry {
  id: string;
  label: string;
  /** A facade with one provider's plug-in: the budget holds for the largest. */
  facadeOne?: boolean;
  source: string;
}

/**
 * Entry files, resolved from the benchmarks package (its node_modules links the workspace packages): every provider
 * of the registry gets its client alone and the facade with its plug-in, written from its definition (the package
 * exports `create<TypeName>Client` and a plug-in named by its id, as scripts/providers/render.mjs generates them).
 */
const ENTRIES: Entry[] = [
  {
    id: 'openapi-fetch',
    label: 'openapi-fetch alone',
    source: `import createClient from 'openapi-fetch';
export const client = createClient({ baseUrl: 'https://${FIRST.id}.example' });
export const status = () => client.GET(${JSON.stringify(FIRST.operation.path)}, { params: { path: ${examplePath(FIRST)} } });`,
  },
  ...PROVIDERS.map(({ definition }): Entry => {
    return {
      id: `client-${definition.id}`,
      label: `one provider client (\`@upstat/${definition.id}\`)`,
      source: `import { create${definition.typeName}Client } from '@upstat/${definition.id}';
const client = create${definition.typeName}Client({ ${credentialSource(definition)} });
export const status = () => client.${definition.operation.method}(${examplePath(definition)});`,
    };
  }),
  ...PROVIDERS.map(({ definition }): Entry => {
    return {
      id: `facade-${definition.id}`,
      label: `facade + one provider (\`createUpstat({ providers: [${definition.id}(…)] })\`)`,
      facadeOne: true,
      source: `import { createUpstat } from 'upstat';
import { ${definition.id} } from '@upstat/${definition.id}';
const upstat = createUpstat({ providers: [${definition.id}({ ${credentialSource(definition)} })] });
export const status = (ref) => upstat.status(ref);`,
    };
  }),
  {
    id: 'facade-all',
    label: 'facade + all providers (`createUpstat({ providers: allProviders(…) })`)',
    source: `import { createUpstat } from 'upstat';
import { allProviders } from '@upstat/providers';
const upstat = createUpstat({ providers: allProviders(${EVERY_PROVIDER_OPTIONS}) });
export const status = (ref) => upstat.status(ref);`,
  },
];

interface Bundle {
  id: string;
  label: string;
  facadeOne: boolean;
  minifiedBytes: number;
  gzippedBytes: number;
  /** Minified bytes each package contributes (esbuild's bytesInOutput), before gzip. */
  byPackage: Record<string, number>;
}

interface Tarball {
  name: string;
  version: string;
  files: number;
  packedBytes: number;
  /** Sum of the file sizes in the tarball. */
  unpackedBytes: number;
}

/** The name in the nearest package.json above `file` that has one (dist/package.json files often do not). */
async function packageOf(file: string): Promise<string> {
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    const manifest = await readFile(join(dir, 'package.json'), 'utf8').then((text) => JSON.parse(text) as { name?: unknown }, () => undefined);
    if (typeof manifest?.name === 'string') return manifest.name;
    if (dirname(dir) === dir) throw new Error(`no named package.json above ${file}`);
  }
}

async function bundle(entry: Entry): Promise<Bundle> {
  const sourcefile = `${entry.id}.entry.js`;
  const result = await build({
    stdin: { contents: entry.source, resolveDir: benchmarksDir, sourcefile, loader: 'js' },
    absWorkingDir: benchmarksDir,
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]?.contents;
  const output = Object.values(result.metafile.outputs)[0];
  if (code === undefined || output === undefined) throw new Error(`esbuild wrote no output for ${entry.id}`);
  const byPackage: Record<string, number> = {};
  for (const [path, input] of Object.entries(output.inputs)) {
    const name = path === sourcefile ? '(entry file)' : await packageOf(join(benchmarksDir, path));
    byPackage[name] = (byPackage[name] ?? 0) + input.bytesInOutput;
  }
  return { id: entry.id, label: entry.label, facadeOne: entry.facadeOne === true, minifiedBytes: code.length, gzippedBytes: gzipSync(code, { level: 9 }).length, byPackage };
}

async function pack(dir: string, destination: string): Promise<Tarball> {
  const { name, version, filename } = await packPackage(dir, destination);
  const entries = [...readTarball(filename).values()];
  const packedBytes = (await stat(filename)).size;
  return { name, version, files: entries.length, packedBytes, unpackedBytes: entries.reduce((sum, entry) => sum + entry.content.length, 0) };
}

async function packTarballs(): Promise<{ tarballs: (Tarball & { withDependencies: number })[]; openapiFetch: Tarball }> {
  const destination = await mkdtemp(join(tmpdir(), 'upstat-bench-size-'));
  try {
    const published = publishedPackages().sort((a, b) => a.name.localeCompare(b.name));
    const tarballs = new Map<string, Tarball>();
    for (const { dir } of published) {
      const tarball = await pack(dir, join(destination, 'packages'));
      tarballs.set(tarball.name, tarball);
    }
    // What installing a package brings of this repository: itself and its workspace dependencies, transitively.
    const dependencies = new Map(published.map(({ name, manifest }) => [name, Object.keys(manifest.dependencies ?? {}).filter((dependency) => tarballs.has(dependency))]));
    const closure = (name: string, seen = new Set<string>()): Set<string> => {
      if (!seen.has(name)) {
        seen.add(name);
        for (const dependency of dependencies.get(name) ?? []) closure(dependency, seen);
      }
      return seen;
    };
    const withDependencies = [...tarballs.values()].map((tarball) => ({
      ...tarball,
      withDependencies: [...closure(tarball.name)].reduce((sum, name) => sum + (tarballs.get(name)?.packedBytes ?? 0), 0),
    }));

    // openapi-fetch's registry tarball cannot be fetched here: repack the installed files the same way.
    const copy = join(destination, 'openapi-fetch');
    await cp(await realpath(join(benchmarksDir, 'node_modules', 'openapi-fetch')), copy, { recursive: true });
    const openapiFetch = await pack(copy, join(destination, 'baseline'));
    return { tarballs: withDependencies, openapiFetch };
  } finally {
    await rm(destination, { recursive: true, force: true });
  }
}

export async function benchSize(): Promise<SectionResult> {
  const bundles: Bundle[] = [];
  for (const entry of ENTRIES) bundles.push(await bundle(entry));
  const baseline = bundles[0];
  const facadeAll = bundles.at(-1);
  // The largest facade + one provider is the one the budget holds for.
  const facadeOne = bundles.filter((b) => b.facadeOne).sort((a, b) => b.gzippedBytes - a.gzippedBytes)[0];
  if (baseline === undefined || facadeOne === undefined || facadeAll === undefined) throw new Error('size: missing bundle');
  const extraBytes = facadeOne.gzippedBytes - baseline.gzippedBytes;
  const { tarballs, openapiFetch } = await packTarballs();

  const bundleTable = table(
    ['bundle', 'minified', 'min + gzip', 'gzip beyond openapi-fetch', '× openapi-fetch (gzip)'],
    bundles.map((b) => [
      b.label,
      formatBytes(b.minifiedBytes),
      formatBytes(b.gzippedBytes),
      b === baseline ? '—' : `+${formatBytes(b.gzippedBytes - baseline.gzippedBytes)}`,
      ratio(b.gzippedBytes / baseline.gzippedBytes),
    ]),
  );
  const breakdown = Object.entries(facadeOne.byPackage).sort((a, b) => b[1] - a[1]);
  const breakdownTable = table(
    [`package in the largest facade + one provider bundle (${facadeOne.id.replace(/^facade-/, '')})`, 'minified bytes in output', 'share'],
    breakdown.map(([name, bytes]) => [`\`${name}\``, formatBytes(bytes), `${((bytes / facadeOne.minifiedBytes) * 100).toFixed(0)}%`]),
  );
  const tarballTable = table(
    ['package', 'files', 'packed', 'unpacked', 'packed with its @upstat dependencies'],
    [
      ...tarballs.map((t) => [`\`${t.name}@${t.version}\``, String(t.files), formatBytes(t.packedBytes), formatBytes(t.unpackedBytes), formatBytes(t.withDependencies)]),
      [`\`${openapiFetch.name}@${openapiFetch.version}\` (baseline, repacked)`, String(openapiFetch.files), formatBytes(openapiFetch.packedBytes), formatBytes(openapiFetch.unpackedBytes), '—'],
    ],
  );

  const markdown = [
    bundleTable,
    '',
    breakdownTable,
    '',
    tarballTable,
    '',
    'Each bundle is one small entry file (a client created and one status call exported) bundled by esbuild for the browser',
    '(ESM, minified, tree-shaken) and gzipped at level 9, for every provider of the registry. "All providers" is all of them',
    `(\`allProviders\` from \`@upstat/providers\`, ${PROVIDERS.length} today). The budgets: the largest facade + one provider bundle minus openapi-fetch`,
    `alone is at most ${BUDGET_KB} kB (${BUDGET_BYTES} bytes), and it is smaller than the facade + all providers bundle (an app pays only`,
    "for the providers it plugs in). Tarballs are `pnpm pack` of each published package; openapi-fetch's is a",
    '`pnpm pack` of its installed files (no network here), so it may differ slightly from the registry tarball.',
  ].join('\n');

  return {
    id: 'size',
    title: 'Size',
    markdown,
    data: {
      budgetBytes: BUDGET_BYTES,
      providers: PROVIDERS.map(({ definition }) => definition.id),
      facadeOneExtraGzippedBytes: extraBytes,
      facadeAllGzippedBytes: facadeAll.gzippedBytes,
      bundles,
      tarballs,
      openapiFetchTarball: openapiFetch,
    },
    budgets: [
      atMost(`largest facade + one provider (${facadeOne.id.replace(/^facade-/, '')}) ≤ ${BUDGET_KB} kB gzipped beyond openapi-fetch alone`, extraBytes, BUDGET_BYTES, formatBytes),
      // Whole bytes: "smaller than" is at most one byte less.
      atMost(
        `largest facade + one provider smaller than facade + all providers (${formatBytes(facadeAll.gzippedBytes)} gzipped)`,
        facadeOne.gzippedBytes,
        facadeAll.gzippedBytes - 1,
        formatBytes,
      ),
    ],
  };
}
