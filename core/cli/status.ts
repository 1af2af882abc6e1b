// `lumen status`: a short text view of /api/stats.
import type { Stats } from "../usage/aggregator.ts";
import type { Totals } from "../usage/totals.ts";

/** Prints today's, the current lap's and all-time figures. */
export function printStatus(stats: Stats): void {
  const row = (label: string, t: Totals) => {
    const unpriced = t.unpriced_requests ? ` (${t.unpriced_requests} unpriced)` : "";
    console.log(
      `${label.padEnd(10)} $${t.cost_usd.toFixed(4).padStart(10)}  ${
        String(t.requests).padStart(6)
      } req  ` +
        `${t.input_tokens} in / ${t.output_tokens} out / ${t.cache_read_tokens} cache read / ` +
        `${t.cache_write_tokens} cache write${unpriced}`,
    );
  };
  row("today", stats.today);
  row(`lap`, stats.lap);
  row("total", stats.total);
  console.log(
    `rate       ${stats.token_rate.tokens_per_s} tokens/s over ${stats.token_rate.window_s} s`,
  );
}
