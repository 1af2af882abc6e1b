// `lumen status`: a short text view of /api/stats, or how to start Lumen when it is not running.
import type { Stats } from "../usage/aggregator.ts";
import type { Totals } from "../usage/totals.ts";
import { callApi, NotRunningError } from "./api_client.ts";

/** Runs `lumen status` against the daemon on `port` and returns the exit code (1: not running). */
export async function runStatus(port: number): Promise<number> {
  return await whenRunning(async () => printStatus(await callApi(port, "GET", "/api/stats")));
}

/** Runs `action`; a daemon that is not running is reported on stderr as exit code 1, not thrown. */
export async function whenRunning(action: () => Promise<void>): Promise<number> {
  try {
    await action();
    return 0;
  } catch (error) {
    if (!(error instanceof NotRunningError)) throw error;
    // Not a fault of the CLI: the answer to "is Lumen running?", so no "lumen:" prefix.
    console.error(error.message);
    return 1;
  }
}

/** Prints today's, the current lap's and all-time figures: billed cost, then tokens. */
export function printStatus(stats: Stats): void {
  const row = (label: string, t: Totals) => {
    const unpriced = t.unpriced_requests ? ` (${t.unpriced_requests} unpriced)` : "";
    // Subscription traffic: not billed, so beside the cost rather than in it.
    const plan = t.api_equivalent_usd > 0
      ? ` (+ $${t.api_equivalent_usd.toFixed(4)} API-equivalent)`
      : "";
    console.log(
      `${label.padEnd(10)} $${t.cost_usd.toFixed(4).padStart(10)}  ${
        String(t.requests).padStart(6)
      } req  ` +
        `${t.input_tokens} in / ${t.output_tokens} out / ${t.cache_read_tokens} cache read / ` +
        `${t.cache_write_tokens} cache write${unpriced}${plan}`,
    );
  };
  row("today", stats.today);
  row(`lap`, stats.lap);
  row("total", stats.total);
  console.log(
    `rate       ${stats.token_rate.tokens_per_s} tokens/s over ${stats.token_rate.window_s} s`,
  );
}
