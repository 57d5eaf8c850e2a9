import type { UploadSessionStatus } from '@upstat/nullspace';
import type { SectionUploadState } from '@upstat/pandadoc';

/**
 * One status model for every provider (DESIGN.md). The vendor's own value is always kept next to it.
 *
 * | canonical         | terminal | PandaDoc  | Document360            | Send.ai              | Nullspace                     |
 * |-------------------|----------|-----------|------------------------|----------------------|-------------------------------|
 * | `queued`          | no       |           | Pending                |                      | created                       |
 * | `in_progress`     | no       | UPLOADED  | InProgress, Processing | PROCESSING           | uploading, staged, completing |
 * | `action_required` | no       |           |                        | REVIEWING, IN_REVIEW |                               |
 * | `succeeded`       | yes      | PROCESSED | Completed              | COMPLETED            | completed                     |
 * | `partial`         | yes      |           |                        | PARTIAL              |                               |
 * | `failed`          | yes      | ERROR     | Failed                 | FAILED               | failed                        |
 * | `canceled`        | yes      |           |                        |                      | aborted                       |
 * | `expired`         | yes      |           |                        |                      | expired                       |
 * | `unknown`         | no       | any value not listed: kept raw, never a crash                                      |
 */
export const CANONICAL_STATES = [
  'queued',
  'in_progress',
  'action_required',
  'succeeded',
  'partial',
  'failed',
  'canceled',
  'expired',
  'unknown',
] as const;
export type CanonicalState = (typeof CANONICAL_STATES)[number];

export const TERMINAL_STATES: readonly CanonicalState[] = ['succeeded', 'partial', 'failed', 'canceled', 'expired'];

export function isTerminal(state: CanonicalState): boolean {
  return TERMINAL_STATES.includes(state);
}

// PandaDoc and Nullspace declare their statuses as enums, so these tables are checked against the
// generated types: a value added to the enum in a regenerated client fails `typecheck` here until it
// is mapped, and a value removed fails it too.

export const PANDADOC_STATES = {
  'document_sections_upload.UPLOADED': 'in_progress',
  'document_sections_upload.PROCESSED': 'succeeded',
  'document_sections_upload.ERROR': 'failed',
} as const satisfies Record<SectionUploadState, CanonicalState>;

export const NULLSPACE_STATES = {
  created: 'queued',
  uploading: 'in_progress',
  staged: 'in_progress',
  completing: 'in_progress',
  completed: 'succeeded',
  aborted: 'canceled',
  expired: 'expired',
  failed: 'failed',
} as const satisfies Record<UploadSessionStatus, CanonicalState>;

// Document360 and Send.ai document open strings: known values are mapped, anything else is `unknown`.

export const DOCUMENT360_STATES: Readonly<Record<string, CanonicalState>> = {
  Pending: 'queued',
  InProgress: 'in_progress',
  Processing: 'in_progress',
  Completed: 'succeeded',
  Failed: 'failed',
};

export const SENDAI_STATES: Readonly<Record<string, CanonicalState>> = {
  PROCESSING: 'in_progress',
  REVIEWING: 'action_required',
  IN_REVIEW: 'action_required',
  COMPLETED: 'succeeded',
  PARTIAL: 'partial',
  FAILED: 'failed',
};

/** Looks a vendor value up in a table; anything not listed (or not a string) is `unknown`. */
export function mapState(table: Readonly<Record<string, CanonicalState>>, value: unknown): CanonicalState {
  return typeof value === 'string' && Object.hasOwn(table, value) ? (table[value] ?? 'unknown') : 'unknown';
}
