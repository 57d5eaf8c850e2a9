import { acceptanceLines } from './accepted.js';
import { BREAKS_WHAT, byCodeUnits, type DiffResult, type OutOfScopeChanges, type Severity, type SpecChange } from './types.js';

const HEADINGS: Record<Severity, string> = { breaking: 'Breaking', 'non-breaking': 'Non-breaking', 'docs-only': 'Docs only' };

function changeLine(change: SpecChange): string {
  const breaks = change.breaks === undefined ? '' : ` (breaks ${BREAKS_WHAT[change.breaks]})`;
  return `- **${change.severity}**${breaks} \`${change.rule}\` — ${change.message}  \n  at \`${change.pointer}\``;
}

/** The one line about operations a client does not cover: `N operations outside this client's scope changed (…)`. */
export function outOfScopeLine(counts: OutOfScopeChanges): string {
  const total = counts.added + counts.removed + counts.changed;
  return `${total} operation${total === 1 ? '' : 's'} outside this client's scope changed (${counts.added} added, ${counts.removed} removed, ${counts.changed} changed).`;
}

/**
 * A Markdown report: a summary line, then the changes grouped by operation (document-level changes
 * first), breaking ones first within each group and the ones the policy file accepts last, under "Accepted" (their
 * messages say why). With `outOfScope` (the spec was cut to the operations a client covers), one more line counts
 * what changed elsewhere in the vendor's document; with accepted entries that accepted nothing (expired, or matching
 * no change), a "Policy file" section lists them.
 */
export function markdownReport(result: DiffResult, title: string, options: { outOfScope?: OutOfScopeChanges | undefined } = {}): string {
  const { summary } = result;
  const lines = [`# ${title}`, ''];
  const scope = options.outOfScope === undefined ? [] : [outOfScopeLine(options.outOfScope), ''];
  const entries = acceptanceLines(result.acceptance);
  const policyFile = entries.length === 0 ? [] : ['## Policy file', '', ...entries, ''];
  if (result.changes.length === 0) {
    lines.push('No changes.', '', ...scope, ...policyFile);
    return `${lines.join('\n').trimEnd()}\n`;
  }
  const accepted = summary.accepted ? `, ${summary.accepted} accepted` : '';
  lines.push(`**${summary.breaking} breaking**, ${summary.nonBreaking} non-breaking, ${summary.docsOnly} docs-only${accepted}.`, '', ...scope, ...policyFile);
  const groups = new Map<string, SpecChange[]>();
  for (const change of result.changes) {
    const key = change.operation ?? '';
    groups.set(key, [...(groups.get(key) ?? []), change]);
  }
  const order = [...groups.keys()].sort((a, b) => {
    const worst = (key: string) => Math.min(...(groups.get(key) ?? []).map((change) => (change.severity === 'breaking' && change.accepted === undefined ? 0 : 1)));
    return (a === '' ? -1 : 0) - (b === '' ? -1 : 0) || worst(a) - worst(b) || byCodeUnits(a, b);
  });
  for (const key of order) {
    lines.push(`## ${key === '' ? 'Document' : `\`${key}\``}`, '');
    const group = groups.get(key) ?? [];
    for (const severity of ['breaking', 'non-breaking', 'docs-only'] as const) {
      const changes = group.filter((change) => change.severity === severity && change.accepted === undefined);
      if (changes.length === 0) continue;
      lines.push(`### ${HEADINGS[severity]}`, '', ...changes.map(changeLine), '');
    }
    const accepted = group.filter((change) => change.accepted !== undefined);
    if (accepted.length > 0) lines.push('### Accepted', '', ...accepted.map(changeLine), '');
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

/**
 * The bump a set of changes implies for a package whose generated client comes from the spec. A change the policy
 * file accepts counts one step lower when breaking (the team took it: minor, not major), as it is otherwise.
 */
export function impliedBump(result: DiffResult): 'major' | 'minor' | 'patch' | 'none' {
  const accepted = result.changes.filter((change) => change.accepted !== undefined);
  if (result.summary.breaking > 0) return 'major';
  if (result.summary.nonBreaking > 0 || accepted.some((change) => change.severity !== 'docs-only')) return 'minor';
  if (result.summary.docsOnly > 0 || accepted.length > 0) return 'patch';
  return 'none';
}
