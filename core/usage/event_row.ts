// How a UsageEvent maps to an `events` row and back, and the SQL that sums rows into Totals.
import type { UsageEvent } from "../types.ts";
import type { SqlRow, SqlValue } from "./store.ts";
import { emptyTotals, fromNanos, toNanos, type Totals } from "./totals.ts";

/** Every UsageEvent field and how it is stored; a Record, so the compiler checks it is complete. */
const COLUMN_KINDS: Record<keyof UsageEvent, "value" | "boolean"> = {
  id: "value",
  ts: "value",
  provider: "value",
  host: "value",
  path: "value",
  model: "value",
  client: "value",
  mode: "value",
  status: "value",
  streamed: "boolean",
  input_tokens: "value",
  output_tokens: "value",
  cache_read_tokens: "value",
  cache_write_tokens: "value",
  reasoning_tokens: "value",
  cost_usd: "value",
  price_source: "value",
  priced_model: "value",
  estimated: "boolean",
  latency_ms: "value",
  ttfb_ms: "value",
  lap_id: "value",
  project: "value",
};

/** The `events` columns in UsageEvent field order (also the CSV header). */
export const EVENT_COLUMNS = Object.keys(COLUMN_KINDS) as (keyof UsageEvent)[];

const BOOLEAN_COLUMNS = EVENT_COLUMNS.filter((column) => COLUMN_KINDS[column] === "boolean");

/** `SELECT` list of every event column. */
export const EVENT_SELECT = EVENT_COLUMNS.join(", ");

/** Inserts one event; an id already stored is skipped, so a retried batch never doubles one. */
export const INSERT_EVENT_SQL = `INSERT INTO events (${EVENT_SELECT}) VALUES (${
  EVENT_COLUMNS.map(() => "?").join(", ")
}) ON CONFLICT (id) DO NOTHING`;

/** The bound values of INSERT_EVENT_SQL for `event`. */
export function eventParams(event: UsageEvent): SqlValue[] {
  return EVENT_COLUMNS.map((column) => {
    const value = event[column];
    return typeof value === "boolean" ? (value ? 1 : 0) : value;
  });
}

/** The UsageEvent a row selected with EVENT_SELECT holds. */
export function eventFromRow(row: SqlRow): UsageEvent {
  const event: Record<string, unknown> = { ...row };
  for (const column of BOOLEAN_COLUMNS) event[column] = row[column] === 1;
  return event as unknown as UsageEvent;
}

/** An event's cost in whole nano-dollars, rounded as toNanos() rounds it; NULL when unpriced. */
const NANOS = "CAST(round(cost_usd * 1e9) AS INTEGER)";

/**
 * `SELECT` list summing `events` rows into the columns totalsFromRow() reads: subscription traffic's
 * cost goes to api_equivalent_nanos, every other priced event's to cost_nanos (billed).
 */
export const EVENT_SUMS = `COUNT(*) AS requests,
  SUM(input_tokens) AS input_tokens,
  SUM(output_tokens) AS output_tokens,
  SUM(cache_read_tokens) AS cache_read_tokens,
  SUM(cache_write_tokens) AS cache_write_tokens,
  SUM(reasoning_tokens) AS reasoning_tokens,
  SUM(CASE WHEN price_source IS NOT 'subscription' THEN ${NANOS} END) AS cost_nanos,
  SUM(CASE WHEN price_source = 'subscription' THEN ${NANOS} END) AS api_equivalent_nanos,
  SUM(estimated) AS estimated_requests,
  SUM(cost_usd IS NULL) AS unpriced_requests`;

/** `SELECT` list summing `daily_totals` rows into the columns totalsFromRow() reads. */
export const ROLLUP_SUMS = `SUM(requests) AS requests,
  SUM(input_tokens) AS input_tokens,
  SUM(output_tokens) AS output_tokens,
  SUM(cache_read_tokens) AS cache_read_tokens,
  SUM(cache_write_tokens) AS cache_write_tokens,
  SUM(reasoning_tokens) AS reasoning_tokens,
  SUM(cost_nanos) AS cost_nanos,
  SUM(api_equivalent_nanos) AS api_equivalent_nanos,
  SUM(estimated_requests) AS estimated_requests,
  SUM(unpriced_requests) AS unpriced_requests`;

/**
 * The bound values of a totals row in the column order `daily_totals` and `laps` share: requests,
 * the five token counts, cost_nanos, estimated_requests, unpriced_requests, api_equivalent_nanos.
 */
export function totalsParams(totals: Totals): number[] {
  return [
    totals.requests,
    totals.input_tokens,
    totals.output_tokens,
    totals.cache_read_tokens,
    totals.cache_write_tokens,
    totals.reasoning_tokens,
    toNanos(totals.cost_usd),
    totals.estimated_requests,
    totals.unpriced_requests,
    toNanos(totals.api_equivalent_usd),
  ];
}

/** Totals from a row with the columns of EVENT_SUMS / ROLLUP_SUMS (SQL's NULL sums count as 0). */
export function totalsFromRow(row: SqlRow | undefined): Totals {
  const totals = emptyTotals();
  if (!row) return totals;
  const int = (name: string) => Number(row[name] ?? 0);
  totals.requests = int("requests");
  totals.input_tokens = int("input_tokens");
  totals.output_tokens = int("output_tokens");
  totals.cache_read_tokens = int("cache_read_tokens");
  totals.cache_write_tokens = int("cache_write_tokens");
  totals.reasoning_tokens = int("reasoning_tokens");
  totals.cost_usd = fromNanos(int("cost_nanos"));
  totals.api_equivalent_usd = fromNanos(int("api_equivalent_nanos"));
  totals.estimated_requests = int("estimated_requests");
  totals.unpriced_requests = int("unpriced_requests");
  return totals;
}
