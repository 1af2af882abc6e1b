// Rebuilds every figure of the Aggregator from lumen.db at start, so a restart changes none of them.
// All sums come from `daily_totals` (a few rows per day), so this stays fast at millions of events.
import type { AggregatorSnapshot, PlanWindows } from "./aggregator.ts";
import { RATE_WINDOW_MS } from "./aggregator.ts";
import { localDay } from "./day.ts";
import { EVENT_SELECT, eventFromRow, ROLLUP_SUMS, totalsFromRow } from "./event_row.ts";
import { loadLaps } from "./laps.ts";
import type { Database } from "./store.ts";
import { addTotals, emptyTotals, type Totals } from "./totals.ts";

/** The figures stored in `db` as of `now`, with the latest `recentLimit` events. */
export function loadSnapshot(db: Database, now: number, recentLimit = 1000): AggregatorSnapshot {
  const total = emptyTotals();
  const byProvider: Record<string, Totals> = {};
  const byModel: Record<string, Totals> = {};
  const byClient: Record<string, Totals> = {};
  const byProject: Record<string, Totals> = {};
  const combos = db.all(
    `SELECT provider, model, client, project, ${ROLLUP_SUMS} FROM daily_totals
     GROUP BY provider, model, client, project`,
  );
  for (const row of combos) {
    const totals = totalsFromRow(row);
    addTotals(total, totals);
    addTotals(byProvider[String(row.provider)] ??= emptyTotals(), totals);
    addTotals(byModel[String(row.model)] ??= emptyTotals(), totals);
    addTotals(byClient[String(row.client)] ??= emptyTotals(), totals);
    // '' is untagged (schema.ts V3), which by_project leaves out.
    if (row.project) addTotals(byProject[String(row.project)] ??= emptyTotals(), totals);
  }
  const today = totalsFromRow(
    db.get(`SELECT ${ROLLUP_SUMS} FROM daily_totals WHERE day = ?`, localDay(now)),
  );
  const laps = loadLaps(db);
  const open = laps.at(-1);
  if (open && open.ended_at === null) {
    const sums = db.get(`SELECT ${ROLLUP_SUMS} FROM daily_totals WHERE lap_id = ?`, open.id);
    Object.assign(open, totalsFromRow(sums));
  }
  const recent = db.all(`SELECT ${EVENT_SELECT} FROM events ORDER BY id DESC LIMIT ?`, recentLimit)
    .map(eventFromRow).reverse();
  // One entry per millisecond is as exact as one per event for the window arithmetic, and bounds
  // the rows read to the window's length even after a burst of thousands of events per second.
  const rate = db.all(
    `SELECT ts, SUM(input_tokens + output_tokens + cache_read_tokens + cache_write_tokens) AS tokens
     FROM events WHERE ts > ? GROUP BY ts ORDER BY ts`,
    now - RATE_WINDOW_MS,
  ).map((row) => ({ ts: Number(row.ts), tokens: Number(row.tokens) }));
  const planWindows: Record<string, PlanWindows> = {};
  for (const row of db.all("SELECT provider, observed_at, windows FROM plan_windows")) {
    planWindows[String(row.provider)] = {
      observed_at: Number(row.observed_at),
      windows: JSON.parse(String(row.windows)),
    };
  }
  return {
    total,
    today,
    by_provider: byProvider,
    by_model: byModel,
    by_client: byClient,
    by_project: byProject,
    laps,
    recent,
    rate,
    plan_windows: planWindows,
  };
}
