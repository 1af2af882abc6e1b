// The shapes of a history query and its answer (`/api/history`, `lumen report`). No runtime beyond
// the list of groups, so the dashboard can share them.
import type { Totals } from "./totals.ts";

/** What history rows are keyed by. */
export type HistoryGroup = "day" | "model" | "provider" | "client" | "project";

/** Every HistoryGroup, for validating user input. */
export const HISTORY_GROUPS: readonly HistoryGroup[] = [
  "day",
  "model",
  "provider",
  "client",
  "project",
];

/** The `project` group's key for untagged events; no project name can spell it (no parentheses). */
export const UNTAGGED_PROJECT = "(none)";

/** A history query: `from` is inclusive and `to` exclusive, both epoch ms; omitted = unbounded. */
export interface HistoryOptions {
  group: HistoryGroup;
  from?: number;
  to?: number;
}

/**
 * One group's sums. `key` is a local calendar day "YYYY-MM-DD", a model ("unknown" when none was
 * seen, as in `/api/stats`), a provider, a client or a project (UNTAGGED_PROJECT for untagged
 * events); "total" for the range's totals.
 */
export interface HistoryRow extends Totals {
  key: string;
}

/**
 * Rows (days ascending; other groups by billed cost, then API-equivalent cost, then requests,
 * descending) and the range's total.
 */
export interface HistoryResult {
  rows: HistoryRow[];
  total: HistoryRow;
}
