import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { basename, extname, join, relative } from 'node:path';
import { stringify as toYaml } from 'yaml';
import { resolveCovers } from './covers.js';
import { outOfScopeChanges } from './cut.js';
import { diffDocuments } from './diff/classify.js';
import { judgeDiff } from './diff/policy.js';
import { resolvePolicy } from './diff/policy-config.js';
import { loadSide, readSpecSource, type LoadedSide, type SpecSource } from './diff/load-side.js';
import { impliedBump, markdownReport, outOfScopeLine } from './diff/report.js';
import type { DiffResult, OutOfScopeChanges } from './diff/types.js';
import { assertOpenApi, isObject, loadDocument, type JsonObject } from './load.js';
import { documentDigest } from './provenance.js';
import { effectiveSpec, locateSpecDir, type SpecDir } from './spec-dir.js';
import { FileTransaction } from './transaction.js';

export interface CompareOptions {
  /** Repository root (holds `specs/` and `packages/`). */
  root: string;
  provider: string;
  /** A file path or an http(s) URL of the vendor's new spec (or the new hand-written one). */
  source: string;
  /** Operations the client covers (`GET /path`); default: `upstat.covers` of `packages/<provider>/package.json`, else no cut. */
  covers?: readonly string[] | undefined;
}

/** A new spec compared with what a provider has now: what `check` prints and `update` starts from. */
export interface SpecComparison {
  specDir: SpecDir;
  packageDir: string;
  source: SpecSource;
  /** The spec file in `specs/<provider>/` now (for a vendored spec, the vendor's whole document). */
  previousSpec: JsonObject;
  committed: LoadedSide;
  /** The new spec cut to the covered operations, with the overlay applied. */
  effective: JsonObject;
  covers: string[] | undefined;
  /** Covered operations and the components they use, in full. */
  diff: DiffResult;
  /** Everything else in the vendor's document, counted (only when the spec is cut). */
  outOfScope: OutOfScopeChanges | undefined;
}

/**
 * Cuts a new spec to the operations the provider covers, applies its overlay (a stale fix is an error naming the
 * action), and diffs the result against the committed effective spec. Operations outside the cut are compared
 * with the spec file in `specs/<provider>/` and only counted. Writes nothing.
 */
export async function compareSpec(options: CompareOptions): Promise<SpecComparison> {
  const { root, provider } = options;
  const specDir = locateSpecDir(join(root, 'specs', provider));
  const packageDir = join(root, 'packages', provider);
  const covers = resolveCovers(packageDir, options.covers);
  const source = await readSpecSource(options.source);
  const previousSpec = await loadDocument(specDir.specPath);
  assertOpenApi(previousSpec, specDir.specPath);
  const committed = await loadSide(provider, { packagesDir: join(root, 'packages') });
  const overlayPath = specDir.overlayPath === undefined ? undefined : relative(root, specDir.overlayPath);
  const effective = await effectiveSpec(source.document, { label: options.source, covers, overlayPath: specDir.overlayPath });
  const diff = diffDocuments(committed.document, effective, { before: committed.label, after: `${options.source}${overlayPath ? ' + overlay' : ''}` });
  const outOfScope = covers === undefined ? undefined : outOfScopeChanges(previousSpec, source.document, covers);
  return { specDir, packageDir, source, previousSpec, committed, effective, covers, diff, outOfScope };
}

export interface UpdateOptions {
  /** Repository root (holds `specs/`, `packages/`, `.changeset/`). */
  root: string;
  provider: string;
  /** A file path or an http(s) URL of the vendor's new spec (or the new hand-written one). */
  source: string;
  /** Package name of the generated client; default `@upstat/<provider>`. */
  packageName?: string;
  /** Packages that re-export the client's types and get the same bump (in this repository, the registry). Default none. */
  dependents?: string[];
  /** A shell command run after the files are written; `{provider}` and `{package}` are substituted. */
  typecheckCommand?: string;
  /** Today's date, `YYYY-MM-DD` (injectable for tests). */
  today?: string;
  /** Operations the client covers; default: the client package's manifest (see `compareSpec`). */
  covers?: readonly string[] | undefined;
}

export interface UpdateResult {
  diff: DiffResult;
  outOfScope: OutOfScopeChanges | undefined;
  bump: 'major' | 'minor' | 'patch' | 'none';
  /** Files written, relative to the root. */
  written: string[];
  changesetPath: string | undefined;
  reportPath: string | undefined;
  /** The type check command's outcome: `output` is all it printed, `stdout` its standard output alone. */
  typecheck: { ok: boolean; output: string; stdout: string } | undefined;
}

/** The new spec file's content, in the format of the file it replaces. */
function specFileContent(target: string, source: SpecSource): string {
  if (extname(target) === '.json') return `${JSON.stringify(source.document, null, 2)}\n`;
  return source.isJson ? toYaml(source.document, { lineWidth: 0 }) : source.text;
}

function setField(provenance: string, field: string, value: string): string {
  const line = new RegExp(`^(- \\*\\*${field}:\\*\\* ).*$`, 'm');
  return line.test(provenance) ? provenance.replace(line, `$1${value}`) : provenance;
}

/** Sets a field, or adds it after the last field of the first list when the file has none yet. */
function setOrAddField(provenance: string, field: string, value: string): string {
  if (new RegExp(`^- \\*\\*${field}:\\*\\* `, 'm').test(provenance)) return setField(provenance, field, value);
  const lines = provenance.split('\n');
  const first = lines.findIndex((line) => line.startsWith('- **'));
  if (first === -1) return `${provenance.trimEnd()}\n\n- **${field}:** ${value}\n`;
  let last = first;
  while (last + 1 < lines.length && (lines[last + 1]?.startsWith('- **') || lines[last + 1]?.startsWith('  '))) last++;
  lines.splice(last + 1, 0, `- **${field}:** ${value}`);
  return lines.join('\n');
}

/** `GET /a, GET /b — 2 of 96 paths kept in the effective spec`. */
function coveredField(covers: string[], document: JsonObject): string {
  const total = isObject(document.paths) ? Object.keys(document.paths).length : 0;
  const kept = new Set(covers.map((cover) => cover.slice(cover.indexOf(' ') + 1))).size;
  return `${covers.map((cover) => `\`${cover}\``).join(', ')} — ${kept} of ${total} path${total === 1 ? '' : 's'} kept in the effective spec`;
}

function updatedProvenance(
  provenance: string,
  options: { source: string; today: string; document: JsonObject; vendored: boolean; diff: DiffResult; oldVersion: unknown; covers: string[] | undefined; outOfScope: OutOfScopeChanges | undefined },
): string {
  const info = isObject(options.document.info) ? options.document.info : {};
  let text = provenance;
  text = setField(text, 'Retrieved', options.today);
  text = setField(text, 'Written', options.today);
  if (typeof info.version === 'string') text = setField(text, 'Vendor version', `\`info.version\` ${info.version}`);
  if (options.vendored) text = setField(text, 'Document digest', `\`${documentDigest(options.document)}\``);
  if (options.covers !== undefined) text = setOrAddField(text, 'Covered', coveredField(options.covers, options.document));
  const { summary } = options.diff;
  const scope = options.outOfScope === undefined ? '' : `; ${outOfScopeLine(options.outOfScope).replace(/\.$/, '')}`;
  const entry =
    `- ${options.today}: replaced from \`${options.source}\` by \`upstat-spec update\` ` +
    `(info.version ${String(options.oldVersion)} → ${String(info.version)}; ${summary.breaking} breaking, ${summary.nonBreaking} non-breaking, ${summary.docsOnly} docs-only change(s)${acceptedCount(summary)}${scope}; see last-diff.md).`;
  return text.includes('\n## Updates\n') ? `${text.trimEnd()}\n${entry}\n` : `${text.trimEnd()}\n\n## Updates\n\n${entry}\n`;
}

/** `, N accepted` when the policy file accepted any change (README, "Accepted changes and severity overrides"). */
const acceptedCount = (summary: DiffResult['summary']): string => (summary.accepted ? `, ${summary.accepted} accepted` : '');

function changesetContent(bumps: Record<string, string>, title: string, diff: DiffResult): string {
  const header = ['---', ...Object.entries(bumps).map(([name, bump]) => `"${name}": ${bump}`), '---', ''];
  const lines = diff.changes
    .filter((change) => change.severity !== 'docs-only')
    .slice(0, 50)
    .map((change) => `- ${change.severity}${change.breaks ? ` (${change.breaks})` : ''}${change.accepted ? ', accepted' : ''}: ${change.message}`);
  const { summary } = diff;
  return [...header, `${title}: ${summary.breaking} breaking, ${summary.nonBreaking} non-breaking, ${summary.docsOnly} docs-only change(s)${acceptedCount(summary)}.`, '', ...lines, ''].join('\n');
}

/**
 * Replaces a provider's spec with a new one and brings everything derived from it along: PROVENANCE.md,
 * the effective spec and generated client, a diff report, and a changeset with the bump the diff implies.
 * Every file is written through one transaction: if any step before the type check fails, all of them are
 * restored. The type check runs last, on purpose after the files are in place: a failure there (say, a new
 * enum value the facade does not map yet) is the news, reported with the compiler's output.
 */
export async function updateSpec(options: UpdateOptions): Promise<UpdateResult> {
  const { root, provider } = options;
  const packageName = options.packageName ?? `@upstat/${provider}`;
  // The overlay must still apply to the new spec: a stale fix is an error naming the action.
  const { specDir, packageDir, source, previousSpec, covers, committed, effective, diff: classified, outOfScope } = await compareSpec(options);
  // The bump follows the same policy `check` applies (a policy file at the repository root, else the defaults).
  // Its accepted changes bump minor at most, and its entries that accept nothing are in `diff.acceptance`.
  // `today` as `--today` gives it, else today in UTC, as every command dates sunsets and accepted entries.
  const resolved = await resolvePolicy(options.today === undefined ? {} : { today: options.today }, { cwd: root });
  const { today } = resolved;
  const diff = judgeDiff(classified, committed.document, effective, resolved);
  // Only what the client covers decides: changes outside the cut never make a bump on their own.
  const bump = impliedBump(diff);
  if (bump === 'none') return { diff, outOfScope, bump, written: [], changesetPath: undefined, reportPath: undefined, typecheck: undefined };

  const transaction = new FileTransaction();
  const provenancePath = join(specDir.dir, 'PROVENANCE.md');
  const reportPath = join(specDir.dir, 'last-diff.md');
  const digest = documentDigest(source.document).slice('sha256:'.length, 'sha256:'.length + 8);
  const changesetPath = join(root, '.changeset', `${provider}-spec-${today}-${digest}.md`);
  try {
    await transaction.write(specDir.specPath, specFileContent(specDir.specPath, source));
    const provenance = await readFile(provenancePath, 'utf8');
    const oldInfo = isObject(previousSpec.info) ? previousSpec.info : {};
    await transaction.write(
      provenancePath,
      updatedProvenance(provenance, {
        source: options.source,
        today,
        document: source.document,
        vendored: provenance.includes('**Origin:** vendored'),
        diff,
        oldVersion: oldInfo.version,
        covers,
        outOfScope,
      }),
    );
    // Regenerate from the files just written, exactly as `upstat-spec generate` would. Loaded here, not with this
    // module, because the generator brings TypeScript and `check` (compareSpec) never generates.
    const { renderClientFiles } = await import('./generate.js');
    for (const file of await renderClientFiles(locateSpecDir(specDir.dir), packageDir, covers === undefined ? {} : { covers })) {
      await transaction.write(join(packageDir, file.path), file.content);
    }
    await transaction.write(reportPath, markdownReport(diff, `${basename(specDir.dir)}: ${relative(root, specDir.specPath)} update (${today})`, { outOfScope }));
    const bumps = Object.fromEntries([packageName, ...(options.dependents ?? [])].map((name) => [name, bump]));
    await transaction.write(changesetPath, changesetContent(bumps, `${provider} spec update from ${options.source}`, diff));
  } catch (error) {
    await transaction.rollback();
    throw error;
  }

  let typecheck: UpdateResult['typecheck'];
  if (options.typecheckCommand) {
    const command = options.typecheckCommand.replaceAll('{provider}', provider).replaceAll('{package}', packageName);
    const run = spawnSync(command, { cwd: root, shell: true, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    typecheck = { ok: run.status === 0, output: `${run.stdout}${run.stderr}`, stdout: run.stdout };
  }
  return {
    diff,
    outOfScope,
    bump,
    written: transaction.paths.map((path) => relative(root, path)),
    changesetPath: relative(root, changesetPath),
    reportPath: relative(root, reportPath),
    typecheck,
  };
}

