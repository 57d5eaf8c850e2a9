/** How much a change matters to code that sends requests and reads responses with the generated client. */
export type Severity = 'breaking' | 'non-breaking' | 'docs-only';

/** What a breaking change breaks: compilation of code using the generated types, or only behaviour at run time. */
export type BreakKind = 'compile' | 'runtime';

/** What each kind breaks, in reports' words. */
export const BREAKS_WHAT: Record<BreakKind, string> = { compile: 'compilation', runtime: 'runtime behaviour' };

export interface SpecChange {
  /** Stable identifier of the rule that fired, e.g. `response-enum-value-added`. */
  rule: string;
  severity: Severity;
  /** Set on breaking changes. */
  breaks?: BreakKind | undefined;
  /** JSON pointer to where the change is: in the new document, or in the old one for something removed. */
  pointer: string;
  /** `GET /path/{id}` when the change is inside an operation. */
  operation?: string | undefined;
  /** One sentence for people. */
  message: string;
  /**
   * Set when an entry of the policy file's `accepted` list, in force, matches the change (src/diff/accepted.ts): the
   * change keeps its severity and stays in the report, but fails no `--fail-on` and bumps no major version.
   */
  accepted?: AcceptanceEntry | undefined;
  /** Set when an `accepted` entry matches the change but has expired: the change counts as if never accepted. */
  acceptanceExpired?: AcceptanceEntry | undefined;
  /** Set when the policy file's `severity` map replaced the severity the rules catalogue gives this rule. */
  overridden?: SeverityOverridden | undefined;
}

/** An entry of the policy file's `accepted` list (README, "Accepted changes"). */
export interface AcceptanceEntry {
  /** Where the entry is, for people: `<policy file>: accepted[<index>]`. */
  entry: string;
  rule: string;
  /** A JSON pointer: the entry matches a change at it or under it. */
  pointer?: string | undefined;
  /** `GET /path/{id}`: the entry matches changes inside this operation. */
  operation?: string | undefined;
  /** Why the change was accepted (required). */
  reason: string;
  /** `YYYY-MM-DD`: from this date on (the policy's `--today`), the entry accepts nothing. */
  expires?: string | undefined;
}

/** What a severity override of the policy file did to a change. */
export interface SeverityOverridden {
  /** Where the override is: `<policy file>: severity.<rule>`. */
  entry: string;
  originalSeverity: Severity;
  originalBreaks?: BreakKind | undefined;
}

/** The `accepted` entries that did not accept anything: reported in the report and on stderr. */
export interface AcceptanceProblems {
  /** Entries that match no change (a warning: the vendor may have reverted, or the entry is wrong). */
  unmatched: AcceptanceEntry[];
  /** Entries past their `expires` date (whatever they match counts again). */
  expired: AcceptanceEntry[];
}

export interface DiffSummary {
  breaking: number;
  nonBreaking: number;
  docsOnly: number;
  /**
   * Changes accepted by the policy file (set once the accepted list is applied); `breaking`, `nonBreaking` and
   * `docsOnly` then count only the changes not accepted.
   */
  accepted?: number | undefined;
}

/** Counts the changes by severity, leaving out the accepted ones (counted on their own once any are). */
export function summarize(changes: readonly SpecChange[], accepting = false): DiffSummary {
  const counted = changes.filter((change) => change.accepted === undefined);
  const count = (severity: Severity) => counted.filter((change) => change.severity === severity).length;
  return {
    breaking: count('breaking'),
    nonBreaking: count('non-breaking'),
    docsOnly: count('docs-only'),
    ...(accepting ? { accepted: changes.length - counted.length } : {}),
  };
}

export interface DiffResult {
  changes: SpecChange[];
  summary: DiffSummary;
  /** Set once the policy file's accepted list is applied. */
  acceptance?: AcceptanceProblems | undefined;
}

/**
 * Operations outside those a client covers that were added, removed or changed between two whole vendor documents.
 * Reported in one line, never in the exit code or the bump: the client has none of them.
 */
export interface OutOfScopeChanges {
  added: number;
  removed: number;
  changed: number;
}

export const SEVERITY_ORDER: Record<Severity, number> = { breaking: 0, 'non-breaking': 1, 'docs-only': 2 };

/**
 * Strings in UTF-16 code unit order: the same on every machine, whatever its locale (`localeCompare` follows it, and
 * its first call in a process loads the collator, longer than the rest of a diff of a few changes).
 */
export const byCodeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The order of a report's changes: breaking first, then by operation (the document's own first), then by pointer. */
export const byReportOrder = (a: SpecChange, b: SpecChange): number =>
  SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || byCodeUnits(a.operation ?? '', b.operation ?? '') || byCodeUnits(a.pointer, b.pointer);
