// Writes one group-commit batch: usage events (with their daily_totals sums) and plan windows, in
// the order they were recorded. The caller wraps it in one transaction.
import type { PlanWindow, Provider, UsageEvent } from "../types.ts";
import { localDay } from "./day.ts";
import { eventParams, INSERT_EVENT_SQL, totalsParams } from "./event_row.ts";
import type { Database } from "./store.ts";
import { addEvent, emptyTotals, type Totals } from "./totals.ts";

/** Something the recorder writes: a usage event, or subscription windows a response reported. */
export type BatchItem =
  | { kind: "event"; event: UsageEvent }
  | {
    kind: "plan";
    provider: Provider;
    windows: Record<string, PlanWindow>;
    observed_at: number;
  };

const UPSERT_DAILY_SQL = `INSERT INTO daily_totals (day, lap_id, provider, model, client, project,
    requests, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, reasoning_tokens,
    cost_nanos, estimated_requests, unpriced_requests, api_equivalent_nanos)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (day, lap_id, provider, model, client, project) DO UPDATE SET
    requests = requests + excluded.requests,
    input_tokens = input_tokens + excluded.input_tokens,
    output_tokens = output_tokens + excluded.output_tokens,
    cache_read_tokens = cache_read_tokens + excluded.cache_read_tokens,
    cache_write_tokens = cache_write_tokens + excluded.cache_write_tokens,
    reasoning_tokens = reasoning_tokens + excluded.reasoning_tokens,
    cost_nanos = cost_nanos + excluded.cost_nanos,
    estimated_requests = estimated_requests + excluded.estimated_requests,
    unpriced_requests = unpriced_requests + excluded.unpriced_requests,
    api_equivalent_nanos = api_equivalent_nanos + excluded.api_equivalent_nanos`;

const UPSERT_PLAN_SQL = `INSERT INTO plan_windows (provider, observed_at, windows) VALUES (?, ?, ?)
  ON CONFLICT (provider) DO UPDATE SET observed_at = excluded.observed_at,
    windows = excluded.windows`;

/**
 * Writes `items`; an event whose id is already stored is skipped and not summed again. Returns the
 * events it stored.
 */
export function writeBatch(db: Database, items: readonly BatchItem[]): UsageEvent[] {
  const written: UsageEvent[] = [];
  // Summed per key in memory first: a batch of thousands of events touches a handful of rows.
  const daily = new Map<string, { key: string[]; totals: Totals }>();
  for (const item of items) {
    if (item.kind === "plan") {
      writePlanWindows(db, item);
      continue;
    }
    const { event } = item;
    if (db.run(INSERT_EVENT_SQL, ...eventParams(event)) === 0) continue;
    written.push(event);
    const model = event.model ?? "unknown";
    // '' for untagged: a daily_totals key column cannot be NULL (see schema.ts V3).
    const key = [
      localDay(event.ts),
      event.lap_id,
      event.provider,
      model,
      event.client,
      event.project ?? "",
    ];
    const id = JSON.stringify(key);
    let slot = daily.get(id);
    if (!slot) daily.set(id, slot = { key, totals: emptyTotals() });
    addEvent(slot.totals, event);
  }
  for (const { key, totals } of daily.values()) {
    db.run(UPSERT_DAILY_SQL, ...key, ...totalsParams(totals));
  }
  return written;
}

/** Merges by window name, as Aggregator.recordPlanWindows() does, so both hold the same. */
function writePlanWindows(db: Database, item: Extract<BatchItem, { kind: "plan" }>): void {
  const row = db.get("SELECT windows FROM plan_windows WHERE provider = ?", item.provider);
  const known = row ? JSON.parse(String(row.windows)) : {};
  db.run(
    UPSERT_PLAN_SQL,
    item.provider,
    item.observed_at,
    JSON.stringify({ ...known, ...item.windows }),
  );
}
