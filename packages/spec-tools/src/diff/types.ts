/** How much a change matters to code that sends requests and reads responses with the generated client. */
export type Severity = 'breaking' | 'non-breaking' | 'docs-only';

/** What a breaking change breaks: compilation of code using the generated types, or only behaviour at run time. */
export type BreakKind = 'compile' | 'runtime';

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
}

export interface DiffSummary {
  breaking: number;
  nonBreaking: number;
  docsOnly: number;
}

export interface DiffResult {
  changes: SpecChange[];
  summary: DiffSummary;
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
