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
  /**
   * USD billed: the priced requests that are not subscription traffic. Unpriced ones are counted in
   * `unpriced_requests` instead, subscription ones in `api_equivalent_usd`.
   */
  cost_usd: number;
  /**
   * USD the subscription traffic (price_source "subscription": claude.ai, Anthropic with a plan's
   * token) would have cost at API prices; the plan pays for it, so it is not in `cost_usd`.
   */
  api_equivalent_usd: number;
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
    api_equivalent_usd: 0,
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
  else if (event.price_source === "subscription") {
    // What the API would charge for plan traffic; the plan pays it, so it is not billed spend.
    totals.api_equivalent_usd = addUsd(totals.api_equivalent_usd, event.cost_usd);
  } else totals.cost_usd = addUsd(totals.cost_usd, event.cost_usd);
  if (event.estimated) totals.estimated_requests += 1;
}

/** Adds `more` into `totals` in place, money through nano-dollars so the sum stays exact. */
export function addTotals(totals: Totals, more: Totals): void {
  totals.requests += more.requests;
  totals.input_tokens += more.input_tokens;
  totals.output_tokens += more.output_tokens;
  totals.cache_read_tokens += more.cache_read_tokens;
  totals.cache_write_tokens += more.cache_write_tokens;
  totals.reasoning_tokens += more.reasoning_tokens;
  totals.cost_usd = addUsd(totals.cost_usd, more.cost_usd);
  totals.api_equivalent_usd = addUsd(totals.api_equivalent_usd, more.api_equivalent_usd);
  totals.estimated_requests += more.estimated_requests;
  totals.unpriced_requests += more.unpriced_requests;
}

/** `a + b` USD, added as whole nano-dollars. */
function addUsd(a: number, b: number): number {
  return fromNanos(toNanos(a) + toNanos(b));
}

/**
 * `usd` in whole nano-dollars. Every sum adds each event's cost rounded this way, in memory and in
 * SQL alike (`CAST(round(cost_usd * 1e9) AS INTEGER)` rounds the same IEEE product half-up), so a
 * total rebuilt from the database equals the one kept live, to the last bit.
 */
export function toNanos(usd: number): number {
  return Math.round(usd * 1e9);
}

/** Nano-dollars as USD. */
export function fromNanos(nanos: number): number {
  return nanos / 1e9;
}
