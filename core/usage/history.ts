// Read-only queries over lumen.db: sums by day, model, provider, client or project over a time
// range, and pages of events. `queryHistory(home, …)` is the entry point of `lumen report`; the
// daemon's API runs the same `historyOf()` on its own connection.
import type { UsageEvent } from "../types.ts";
import { ceilLocalDay, localDay, startOfLocalDay } from "./day.ts";
import { EVENT_SELECT, EVENT_SUMS, eventFromRow, ROLLUP_SUMS, totalsFromRow } from "./event_row.ts";
import { type Database, openStoreReader, type SqlValue } from "./store.ts";
import { addTotals, emptyTotals, type Totals } from "./totals.ts";
import {
  HISTORY_GROUPS,
  type HistoryGroup,
  type HistoryOptions,
  type HistoryResult,
  type HistoryRow,
  UNTAGGED_PROJECT,
} from "./history_types.ts";

export {
  HISTORY_GROUPS,
  type HistoryGroup,
  type HistoryOptions,
  type HistoryResult,
  type HistoryRow,
  UNTAGGED_PROJECT,
};

/**
 * Sums the history in `home`/lumen.db, opened read-only, so it works whether or not the daemon
 * runs. Throws ConfigError "No Lumen history in <home> yet" when there is no database, ConfigError
 * for one it cannot read, and TypeError for a bad group or bound.
 */
export function queryHistory(home: string, options: HistoryOptions): HistoryResult {
  checkHistoryOptions(options); // before the database: a bad argument says so even without one
  const db = openStoreReader(home);
  try {
    return historyOf(db, options);
  } finally {
    db.close();
  }
}

/** Throws TypeError unless `options` is a valid history query. */
export function checkHistoryOptions(options: HistoryOptions): void {
  if (!HISTORY_GROUPS.includes(options.group)) {
    throw new TypeError(
      `Unknown history group "${options.group}": expected day, model, provider, client or project`,
    );
  }
  for (const bound of ["from", "to"] as const) {
    const value = options[bound];
    if (value !== undefined && !Number.isFinite(value)) {
      throw new TypeError(`History "${bound}" must be epoch milliseconds`);
    }
  }
}

/**
 * Sums the history on an open connection. Whole local days come from `daily_totals` (a few rows per
 * day, so 30 days over a million events cost no scan); only the partial days at the range's edges
 * read `events`, through the `ts` index, and each lies within one local day.
 */
export function historyOf(db: Database, options: HistoryOptions): HistoryResult {
  checkHistoryOptions(options);
  const { group, from, to } = options;
  const sums = new Map<string, Totals>();
  const add = (key: string, totals: Totals) => {
    if (totals.requests === 0) return;
    const known = sums.get(key);
    if (known) addTotals(known, totals);
    else sums.set(key, totals);
  };
  if (from === undefined || to === undefined || from < to) {
    const wholeFrom = from === undefined ? undefined : ceilLocalDay(from);
    const wholeTo = to === undefined ? undefined : startOfLocalDay(to);
    if (wholeFrom === undefined || wholeTo === undefined || wholeFrom < wholeTo) {
      const where: string[] = [];
      const params: SqlValue[] = [];
      if (wholeFrom !== undefined) {
        where.push("day >= ?");
        params.push(localDay(wholeFrom));
      }
      if (wholeTo !== undefined) {
        where.push("day < ?");
        params.push(localDay(wholeTo));
      }
      // `group` is one of HISTORY_GROUPS (checked above), each also a daily_totals column.
      const key = group === "project"
        ? `CASE WHEN project = '' THEN '${UNTAGGED_PROJECT}' ELSE project END`
        : group;
      const rows = db.all(
        `SELECT ${key} AS key, ${ROLLUP_SUMS} FROM daily_totals
         ${where.length ? `WHERE ${where.join(" AND ")}` : ""} GROUP BY key`,
        ...params,
      );
      for (const row of rows) add(String(row.key), totalsFromRow(row));
    }
    // The partial first day [from, its next midnight) and last day [to's midnight, to).
    const leftEnd = from === undefined ? undefined : Math.min(wholeFrom!, to ?? Infinity);
    if (from !== undefined && from < leftEnd!) addEvents(db, group, from, leftEnd!, add);
    if (to !== undefined) {
      const rightStart = Math.max(wholeTo!, leftEnd ?? -Infinity);
      if (rightStart < to) addEvents(db, group, rightStart, to, add);
    }
  }
  const rows = [...sums].map(([key, totals]) => ({ key, ...totals }));
  rows.sort(group === "day" ? byKey : byCost);
  const total: HistoryRow = { key: "total", ...emptyTotals() };
  for (const row of rows) addTotals(total, row);
  return { rows, total };
}

/** Events newest first (UUIDv7 ids sort by time), older than the id `before` when given. */
export function eventsPage(db: Database, page: { limit: number; before?: string }): UsageEvent[] {
  const rows = page.before === undefined
    ? db.all(`SELECT ${EVENT_SELECT} FROM events ORDER BY id DESC LIMIT ?`, page.limit)
    : db.all(
      `SELECT ${EVENT_SELECT} FROM events WHERE id < ? ORDER BY id DESC LIMIT ?`,
      page.before,
      page.limit,
    );
  return rows.map(eventFromRow);
}

/** Adds the events with `start <= ts < end` (within one local day) by `group`. */
function addEvents(
  db: Database,
  group: HistoryGroup,
  start: number,
  end: number,
  add: (key: string, totals: Totals) => void,
): void {
  if (group === "day") {
    const row = db.get(`SELECT ${EVENT_SUMS} FROM events WHERE ts >= ? AND ts < ?`, start, end);
    add(localDay(start), totalsFromRow(row));
    return;
  }
  const column = group === "model"
    ? "COALESCE(model, 'unknown')"
    : group === "project"
    ? `COALESCE(project, '${UNTAGGED_PROJECT}')`
    : group;
  const rows = db.all(
    `SELECT ${column} AS key, ${EVENT_SUMS} FROM events WHERE ts >= ? AND ts < ? GROUP BY key`,
    start,
    end,
  );
  for (const row of rows) add(String(row.key), totalsFromRow(row));
}

function byKey(a: HistoryRow, b: HistoryRow): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

function byCost(a: HistoryRow, b: HistoryRow): number {
  return b.cost_usd - a.cost_usd || b.api_equivalent_usd - a.api_equivalent_usd ||
    b.requests - a.requests || byKey(a, b);
}
