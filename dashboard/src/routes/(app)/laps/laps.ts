// Lap figures for the Laps view. Pure: the caller passes the live lap and the clock.
import type { Lap, LapDelta, LapReport, Totals } from "#lib/types.ts";

/** Every token a lap sent or received: input, output (reasoning included) and cache traffic. */
export function lapTokens(totals: LapDelta): number {
  return totals.input_tokens + totals.output_tokens + totals.cache_read_tokens +
    totals.cache_write_tokens;
}

/** `after` minus `before`, money through nano-dollars like the daemon so sums stay exact. */
export function deltaOf(after: Totals, before: Totals): LapDelta {
  return {
    requests: after.requests - before.requests,
    input_tokens: after.input_tokens - before.input_tokens,
    output_tokens: after.output_tokens - before.output_tokens,
    cache_read_tokens: after.cache_read_tokens - before.cache_read_tokens,
    cache_write_tokens: after.cache_write_tokens - before.cache_write_tokens,
    reasoning_tokens: after.reasoning_tokens - before.reasoning_tokens,
    cost_usd: nanoDifference(after.cost_usd, before.cost_usd),
    api_equivalent_usd: nanoDifference(after.api_equivalent_usd, before.api_equivalent_usd),
  };
}

function nanoDifference(after: number, before: number): number {
  return (Math.round(after * 1e9) - Math.round(before * 1e9)) / 1e9;
}

/**
 * The laps as loaded (newest first), with the open lap's totals, duration and delta brought up to
 * date from the live stats, so the history never lags behind the current-lap card.
 */
export function withLiveLap(
  laps: LapReport[],
  live: Lap | null,
  now: number,
): LapReport[] {
  return laps.map((lap, i) => {
    if (lap.ended_at !== null) return lap;
    const current = live?.id === lap.id ? { ...lap, ...live } : lap;
    const previous = laps[i + 1];
    return {
      ...current,
      duration_ms: Math.max(0, now - current.started_at),
      delta: previous ? deltaOf(current, previous) : null,
    };
  });
}

/** The change from `before` to `after` as a signed percentage, or null when `before` is zero. */
export function percentChange(after: number, before: number): number | null {
  return before === 0 ? null : ((after - before) / before) * 100;
}
