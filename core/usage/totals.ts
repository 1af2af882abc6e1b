// Token and cost sums shared by totals, today, laps and the per-provider/model/client breakdowns.
import type { UsageEvent } from "../types.ts";

/** Sums over a set of usage events. */
export interface Totals {
  requests: number;
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  reasoning_tokens: number;
  /** USD of the priced requests; unpriced ones are counted in `unpriced_requests` instead. */
  cost_usd: number;
  estimated_requests: number;
  unpriced_requests: number;
}

/** Returns zeroed totals. */
export function emptyTotals(): Totals {
  return {
    requests: 0,
    input_tokens: 0,
    output_tokens: 0,
    cache_read_tokens: 0,
    cache_write_tokens: 0,
    reasoning_tokens: 0,
    cost_usd: 0,
    estimated_requests: 0,
    unpriced_requests: 0,
  };
}

/** Adds `event` into `totals` in place. */
export function addEvent(totals: Totals, event: UsageEvent): void {
  totals.requests += 1;
  totals.input_tokens += event.input_tokens;
  totals.output_tokens += event.output_tokens;
  totals.cache_read_tokens += event.cache_read_tokens;
  totals.cache_write_tokens += event.cache_write_tokens;
  totals.reasoning_tokens += event.reasoning_tokens;
  if (event.cost_usd === null) totals.unpriced_requests += 1;
  else totals.cost_usd = roundUsd(totals.cost_usd + event.cost_usd);
  if (event.estimated) totals.estimated_requests += 1;
}

/** Rounds to a nano-dollar so that long sums of float prices do not drift. */
export function roundUsd(usd: number): number {
  return Math.round(usd * 1e9) / 1e9;
}
