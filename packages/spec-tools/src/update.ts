import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { basename, extname, join, relative } from 'node:path';
import { stringify as toYaml } from 'yaml';
import { diffDocuments } from './diff/classify.js';
import { readSpecSource, type SpecSource } from './diff/load-side.js';
import { impliedBump, markdownReport } from './diff/report.js';
import type { DiffResult } from './diff/types.js';
import { renderClientFiles } from './generate.js';
import { assertOpenApi, isObject, loadDocument, type JsonObject } from './load.js';
import { applyOverlay } from './overlay.js';
import { documentDigest } from './provenance.js';
import { locateSpecDir } from './spec-dir.js';
import { FileTransaction } from './transaction.js';

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
}

export interface UpdateResult {
  diff: DiffResult;
  bump: 'major' | 'minor' | 'patch' | 'none';
  /** Files written, relative to the root. */
  written: string[];
  changesetPath: string | undefined;
  reportPath: string | undefined;
  typecheck: { ok: boolean; output: string } | undefined;
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

function updatedProvenance(provenance: string, options: { source: string; today: string; document: JsonObject; vendored: boolean; diff: DiffResult; oldVersion: unknown }): string {
  const info = isObject(options.document.info) ? options.document.info : {};
  let text = provenance;
  text = setField(text, 'Retrieved', options.today);
  text = setField(text, 'Written', options.today);
  if (typeof info.version === 'string') text = setField(text, 'Vendor version', `\`info.version\` ${info.version}`);
  if (options.vendored) text = setField(text, 'Document digest', `\`${documentDigest(options.document)}\``);
  const { summary } = options.diff;
  const entry =
    `- ${options.today}: replaced from \`${options.source}\` by \`upstat-spec update\` ` +
    `(info.version ${String(options.oldVersion)} → ${String(info.version)}; ${summary.breaking} breaking, ${summary.nonBreaking} non-breaking, ${summary.docsOnly} docs-only change(s); see last-diff.md).`;
  return text.includes('\n## Updates\n') ? `${text.trimEnd()}\n${entry}\n` : `${text.trimEnd()}\n\n## Updates\n\n${entry}\n`;
}

function changesetContent(bumps: Record<string, string>, title: string, diff: DiffResult): string {
  const header = ['---', ...Object.entries(bumps).map(([name, bump]) => `"${name}": ${bump}`), '---', ''];
  const lines = diff.changes
    .filter((change) => change.severity !== 'docs-only')
    .slice(0, 50)
    .map((change) => `- ${change.severity}${change.breaks ? ` (${change.breaks})` : ''}: ${change.message}`);
  const { summary } = diff;
  return [...header, `${title}: ${summary.breaking} breaking, ${summary.nonBreaking} non-breaking, ${summary.docsOnly} docs-only change(s).`, '', ...lines, ''].join('\n');
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
  const today = options.today ?? new Date().toISOString().slice(0, 10);
  const specDir = locateSpecDir(join(root, 'specs', provider));
  const packageDir = join(root, 'packages', provider);

  const source = await readSpecSource(options.source);
  const previousSpec = await loadDocument(specDir.specPath);
  const committedEffective = await loadDocument(join(packageDir, 'openapi.json'));
  assertOpenApi(committedEffective, `${provider} committed effective spec`);
  // The overlay must still apply to the new spec: a stale fix is an error naming the action.
  const overlay = specDir.overlayPath === undefined ? undefined : await loadDocument(specDir.overlayPath);
  const newEffective = overlay === undefined ? source.document : await applyOverlay(source.document, overlay, relative(root, specDir.overlayPath ?? ''));
  const diff = diffDocuments(committedEffective, newEffective, { before: `${provider} committed effective spec`, after: options.source });
  const bump = impliedBump(diff);
  if (bump === 'none') return { diff, bump, written: [], changesetPath: undefined, reportPath: undefined, typecheck: undefined };

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
      }),
    );
    // Regenerate from the files just written, exactly as `upstat-spec generate` would.
    for (const file of await renderClientFiles(locateSpecDir(specDir.dir), packageDir)) {
      await transaction.write(join(packageDir, file.path), file.content);
    }
    await transaction.write(reportPath, markdownReport(diff, `${basename(specDir.dir)}: ${relative(root, specDir.specPath)} update (${today})`));
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
    typecheck = { ok: run.status === 0, output: `${run.stdout}${run.stderr}` };
  }
  return {
    diff,
    bump,
    written: transaction.paths.map((path) => relative(root, path)),
    changesetPath: relative(root, changesetPath),
    reportPath: relative(root, reportPath),
    typecheck,
  };
}

