// Test support: usage events for the metrics tests.
import type { UsageEvent } from "../types.ts";

/** A priced OpenAI chat event; `patch` overrides any field. */
export function metricsEvent(patch: Partial<UsageEvent> = {}): UsageEvent {
  return {
    id: crypto.randomUUID(),
    ts: 1_700_000_000_000,
    provider: "openai",
    host: "api.openai.com",
    path: "/v1/chat/completions",
    model: "gpt-4o-mini",
    client: "sdk",
    mode: "relay",
    status: 200,
    streamed: false,
    input_tokens: 100,
    output_tokens: 20,
    cache_read_tokens: 0,
    cache_write_tokens: 0,
    reasoning_tokens: 0,
    cost_usd: 0.001,
    price_source: "bundled",
    priced_model: "gpt-4o-mini",
    estimated: false,
    latency_ms: 250,
    ttfb_ms: 100,
    lap_id: "lap",
    ...patch,
  } as UsageEvent;
}
