// Complete Usage and UsageEvent records for tests, with any fields overridden. Test support only.
import type { Usage, UsageEvent } from "../types.ts";
import { emptyUsage } from "../parse/mod.ts";

/** Returns an exact usage record with every count 0; `counts` replace any field. */
export function usage(counts: Partial<Usage> = {}): Usage {
  return { ...emptyUsage(null, false), ...counts };
}

/** Returns a priced, exact gpt-5-mini event; `overrides` replace any field. */
export function usageEvent(overrides: Partial<UsageEvent> = {}): UsageEvent {
  return {
    id: crypto.randomUUID(),
    ts: 1_800_000_000_000,
    provider: "openai",
    host: "api.openai.com",
    path: "/v1/chat/completions",
    model: "gpt-5-mini",
    client: "sdk",
    mode: "relay",
    status: 200,
    streamed: false,
    input_tokens: 10,
    output_tokens: 5,
    cache_read_tokens: 0,
    cache_write_tokens: 0,
    reasoning_tokens: 0,
    cost_usd: 0.001,
    price_source: "bundled",
    priced_model: "gpt-5-mini",
    estimated: false,
    latency_ms: 10,
    ttfb_ms: 5,
    lap_id: "",
    project: null,
    ...overrides,
  };
}
