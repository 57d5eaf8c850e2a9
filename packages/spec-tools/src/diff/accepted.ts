import type { SeverityOverride } from './policy-config.js';
import { summarize, type AcceptanceEntry, type AcceptanceProblems, type DiffResult, type SpecChange } from './types.js';

/**
 * The policy file's rule-level sections (README, "Accepted changes and severity overrides"); the file is read and
 * checked by ./policy-config.ts.
 *  - `severity` overrides: applied to the classifier's changes before the policy pass (./policy.ts) judges them, so
 *    that a removal overridden to breaking is still judged by its sunset, and a rule overridden away from breaking is
 *    not;
 *  - `accepted` entries: applied last, to the judged changes. An entry in force marks the changes it matches
 *    `accepted`: they stay in the report, keep their severity, and count in the summary's `accepted` only, so they
 *    fail no `--fail-on` and an accepted breaking change bumps minor in `update`. An expired entry accepts nothing.
 */

/** A change with the policy file's severity for its rule, if it gives one that differs from the catalogue's. */
export function overrideSeverity<C extends SpecChange>(change: C, overrides: readonly SeverityOverride[]): C {
  const override = overrides.find((candidate) => candidate.rule === change.rule);
  if (override === undefined || override.severity === change.severity) return change;
  return {
    ...change,
    severity: override.severity,
    // The catalogue says what a breaking rule breaks; a rule made breaking here has no such row, so it says nothing.
    breaks: undefined,
    message: `${change.message} Severity ${override.severity} instead of ${change.severity}: overridden by the policy (${override.entry}).`,
    overridden: { entry: override.entry, originalSeverity: change.severity, originalBreaks: change.breaks },
  };
}

/** Whether `pointer` is `prefix` or under it (segment by segment: `/paths/~1a` is not under `/paths/~1`). */
function under(pointer: string, prefix: string): boolean {
  return pointer === prefix || pointer.startsWith(`${prefix}/`);
}

/** Whether an entry names a change: the same rule, and the pointer and operation it gives (either or both). */
export function matches(entry: AcceptanceEntry, change: SpecChange): boolean {
  if (entry.rule !== change.rule) return false;
  if (entry.pointer !== undefined && !under(change.pointer, entry.pointer)) return false;
  if (entry.operation !== undefined && entry.operation !== change.operation) return false;
  return true;
}

/** An entry expires on its `expires` date: from that day on it accepts nothing (as a sunset passes on its date). */
export const hasExpired = (entry: AcceptanceEntry, today: string): boolean => entry.expires !== undefined && entry.expires <= today;

function accept<C extends SpecChange>(change: C, entries: readonly AcceptanceEntry[], today: string): C {
  const matching = entries.filter((entry) => matches(entry, change));
  const inForce = matching.find((entry) => !hasExpired(entry, today));
  if (inForce !== undefined) {
    const until = inForce.expires === undefined ? '' : ` until ${inForce.expires}`;
    return { ...change, message: `${change.message} Accepted${until} (${inForce.entry}): ${inForce.reason}`, accepted: inForce };
  }
  const expired = matching[0];
  if (expired === undefined) return change;
  return {
    ...change,
    message: `${change.message} It was accepted until ${String(expired.expires)} (${expired.entry}), which has passed: it counts again.`,
    acceptanceExpired: expired,
  };
}

/**
 * Applies the accepted entries to judged changes (the policy's output): marks what they accept, recounts the summary
 * without the accepted changes (`summary.accepted` counts them), and says which entries accepted nothing. Without
 * entries the result is returned as it was, so that `--json` without an `accepted` list is what it always was.
 */
export function acceptChanges<R extends DiffResult>(result: R, entries: readonly AcceptanceEntry[], today: string): R {
  if (entries.length === 0) return result;
  const changes = result.changes.map((change) => accept(change, entries, today));
  const expired = entries.filter((entry) => hasExpired(entry, today));
  const unmatched = entries.filter((entry) => !hasExpired(entry, today) && !changes.some((change) => change.accepted === entry));
  return {
    ...result,
    changes,
    summary: summarize(changes, true),
    acceptance: { unmatched, expired },
  };
}

/** Where an entry points, for people: `rule` at its operation and/or pointer. */
function described(entry: AcceptanceEntry): string {
  const where = [entry.operation, entry.pointer].filter((part) => part !== undefined).join(' ');
  return `\`${entry.rule}\` at \`${where}\``;
}

/** One line per entry that accepted nothing (Markdown), for the report; `acceptanceWarnings` says the same on stderr. */
export function acceptanceLines(problems: AcceptanceProblems | undefined): string[] {
  if (problems === undefined) return [];
  return [
    ...problems.expired.map((entry) => `- ${entry.entry} (${described(entry)}) expired on ${String(entry.expires)}: it accepts nothing, and what it matches counts again.`),
    ...problems.unmatched.map((entry) => `- ${entry.entry} (${described(entry)}) matches no change.`),
  ];
}

/** The same, as plain lines for stderr. */
export function acceptanceWarnings(problems: AcceptanceProblems | undefined): string[] {
  return acceptanceLines(problems).map((line) => `upstat-spec: ${line.slice(2).replaceAll('`', '')}`);
}
