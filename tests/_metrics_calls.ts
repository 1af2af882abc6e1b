// Shared by the Prometheus and OTLP tests: relay calls to the fake upstream, and the totals their
// usage events add up to.
import type { UsageEvent } from "../core/types.ts";
import type { Stack } from "./_stack.ts";
import { fixture } from "./fake_upstream.ts";

/** Streamed and whole answers from three providers. */
export const CASES = [
  ["openai", "openai/chat"],
  ["openai", "openai/chat_stream_usage"],
  ["anthropic", "anthropic/messages"],
  ["anthropic", "anthropic/messages_stream"],
  ["google", "google/generate"],
] as const;

/** Makes one relay call per case and returns the usage events they produced, in order. */
export async function makeCalls(stack: Stack): Promise<UsageEvent[]> {
  const events: UsageEvent[] = [];
  for (const [prefix, caseName] of CASES) {
    const { meta } = await fixture(caseName);
    const query = meta.query ? `?${meta.query}` : "";
    const res = await fetch(`${stack.relay(prefix)}${meta.path}${query}`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-fake-case": caseName },
      body: JSON.stringify(meta.request),
    });
    await res.arrayBuffer();
    if (!res.ok) throw new Error(`${caseName} answered ${res.status}`);
    events.push((await stack.feed.next()).event);
  }
  return events;
}

/** Token sums by semconv token type, for the types with any tokens. */
export function tokenSums(events: UsageEvent[]): Record<string, number> {
  const sums: Record<string, number> = {};
  const fields = {
    input: "input_tokens",
    output: "output_tokens",
    cache_read: "cache_read_tokens",
    cache_write: "cache_write_tokens",
    reasoning: "reasoning_tokens",
  } as const;
  for (const [type, field] of Object.entries(fields)) {
    const sum = events.reduce((total, event) => total + event[field], 0);
    if (sum > 0 || type === "input" || type === "output") sums[type] = sum;
  }
  return sums;
}

/** The events' summed cost, USD. */
export function costSum(events: UsageEvent[]): number {
  return events.reduce((total, event) => total + (event.cost_usd ?? 0), 0);
}
