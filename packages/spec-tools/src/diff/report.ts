import type { DiffResult, OutOfScopeChanges, Severity, SpecChange } from './types.js';

const HEADINGS: Record<Severity, string> = { breaking: 'Breaking', 'non-breaking': 'Non-breaking', 'docs-only': 'Docs only' };

function changeLine(change: SpecChange): string {
  const breaks = change.breaks === undefined ? '' : ` (breaks ${change.breaks === 'compile' ? 'compilation' : 'runtime behaviour'})`;
  return `- **${change.severity}**${breaks} \`${change.rule}\` — ${change.message}  \n  at \`${change.pointer}\``;
}

/** The one line about operations a client does not cover: `N operations outside this client's scope changed (…)`. */
export function outOfScopeLine(counts: OutOfScopeChanges): string {
  const total = counts.added + counts.removed + counts.changed;
  return `${total} operation${total === 1 ? '' : 's'} outside this client's scope changed (${counts.added} added, ${counts.removed} removed, ${counts.changed} changed).`;
}

/**
 * A Markdown report: a summary line, then the changes grouped by operation (document-level changes
 * first), breaking ones first within each group. With `outOfScope` (the spec was cut to the operations a client
 * covers), one more line counts what changed elsewhere in the vendor's document.
 */
export function markdownReport(result: DiffResult, title: string, options: { outOfScope?: OutOfScopeChanges | undefined } = {}): string {
  const { summary } = result;
  const lines = [`# ${title}`, ''];
  const scope = options.outOfScope === undefined ? [] : [outOfScopeLine(options.outOfScope), ''];
  if (result.changes.length === 0) {
    lines.push('No changes.', '', ...scope);
    return `${lines.join('\n').trimEnd()}\n`;
  }
  lines.push(`**${summary.breaking} breaking**, ${summary.nonBreaking} non-breaking, ${summary.docsOnly} docs-only.`, '', ...scope);
  const groups = new Map<string, SpecChange[]>();
  for (const change of result.changes) {
    const key = change.operation ?? '';
    groups.set(key, [...(groups.get(key) ?? []), change]);
  }
  const order = [...groups.keys()].sort((a, b) => {
    const worst = (key: string) => Math.min(...(groups.get(key) ?? []).map((change) => (change.severity === 'breaking' ? 0 : 1)));
    return (a === '' ? -1 : 0) - (b === '' ? -1 : 0) || worst(a) - worst(b) || a.localeCompare(b);
  });
  for (const key of order) {
    lines.push(`## ${key === '' ? 'Document' : `\`${key}\``}`, '');
    for (const severity of ['breaking', 'non-breaking', 'docs-only'] as const) {
      const changes = (groups.get(key) ?? []).filter((change) => change.severity === severity);
      if (changes.length === 0) continue;
      lines.push(`### ${HEADINGS[severity]}`, '', ...changes.map(changeLine), '');
    }
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

/** The bump a set of changes implies for a package whose generated client comes from the spec. */
export function impliedBump(result: DiffResult): 'major' | 'minor' | 'patch' | 'none' {
  if (result.summary.breaking > 0) return 'major';
  if (result.summary.nonBreaking > 0) return 'minor';
  if (result.summary.docsOnly > 0) return 'patch';
  return 'none';
}
