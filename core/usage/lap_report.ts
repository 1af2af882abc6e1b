// The `/api/laps` report: each lap's duration and its change against the lap before it (the
// before/after comparison). Pure: no database, no clock.
import type { Lap } from "./aggregator.ts";
import { fromNanos, toNanos, type Totals } from "./totals.ts";

/** A lap's change against the previous one: positive when it used more. */
export type LapDelta = Omit<Totals, "estimated_requests" | "unpriced_requests">;

/** A lap as `GET /api/laps` lists it. */
export interface LapReport extends Lap {
  /** Until it ended, or until now for the open lap. */
  duration_ms: number;
  /** This lap's totals minus the previous lap's; null for the first lap. */
  delta: LapDelta | null;
}

const DELTA_FIELDS = [
  "requests",
  "input_tokens",
  "output_tokens",
  "cache_read_tokens",
  "cache_write_tokens",
  "reasoning_tokens",
] as const;

/** Reports `laps` (newest first, as Aggregator.laps() gives them) with durations and deltas. */
export function reportLaps(laps: readonly Lap[], now: number): LapReport[] {
  return laps.map((lap, i) => {
    const previous = laps[i + 1];
    let delta: LapDelta | null = null;
    if (previous) {
      delta = {
        cost_usd: fromNanos(toNanos(lap.cost_usd) - toNanos(previous.cost_usd)),
        api_equivalent_usd: fromNanos(
          toNanos(lap.api_equivalent_usd) - toNanos(previous.api_equivalent_usd),
        ),
      } as LapDelta;
      for (const field of DELTA_FIELDS) delta[field] = lap[field] - previous[field];
    }
    return { ...lap, duration_ms: Math.max(0, (lap.ended_at ?? now) - lap.started_at), delta };
  });
}
