// What leaves the machine for the team sync server: an allow-list of usage fields, copied one by
// one, so a field added to UsageEvent or Lap later stays local until it is added here on purpose.
// No content, no headers, no host or path (a path can carry ids: `/v1/threads/thread_abc/runs`),
// and no priced_model or ttfb_ms (local diagnostics the server's figures do not need).
import type { UsageEvent } from "../types.ts";
import type { Lap } from "../usage/aggregator.ts";

/** One usage event as the ingest API receives it. */
export interface EventPayload {
  id: string;
  ts: number;
  provider: string;
  model: string | null;
  client: string;
  mode: string;
  status: number;
  streamed: boolean;
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  reasoning_tokens: number;
  cost_usd: number | null;
  price_source: string | null;
  estimated: boolean;
  latency_ms: number;
  lap_id: string;
  /** The user's project tag (a name they chose, not content); null when untagged. */
  project: string | null;
}

/** One closed lap with its totals as the ingest API receives it. */
export interface LapPayload {
  id: string;
  name: string;
  started_at: number;
  ended_at: number | null;
  requests: number;
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  reasoning_tokens: number;
  /** Billed USD; subscription traffic is in `api_equivalent_usd` instead. */
  cost_usd: number;
  /** What the lap's subscription traffic would have cost at API prices, USD (not billed). */
  api_equivalent_usd: number;
  estimated_requests: number;
  unpriced_requests: number;
}

/** The DataGrout toggles the server gets, from the settings; null when none are set. */
export function settingsPayload(settings: object): Record<string, boolean> | null {
  const toggles: Record<string, boolean> = {};
  for (const key of ["dg_tools_visible", "dg_intelligent_interface"]) {
    const value = (settings as Record<string, unknown>)[key];
    if (typeof value === "boolean") toggles[key] = value;
  }
  return Object.keys(toggles).length > 0 ? toggles : null;
}

/** The fields of `event` the ingest API gets, and nothing else. */
export function eventPayload(event: UsageEvent): EventPayload {
  return {
    id: event.id,
    ts: event.ts,
    provider: event.provider,
    model: event.model,
    client: event.client,
    mode: event.mode,
    status: event.status,
    streamed: event.streamed,
    input_tokens: event.input_tokens,
    output_tokens: event.output_tokens,
    cache_read_tokens: event.cache_read_tokens,
    cache_write_tokens: event.cache_write_tokens,
    reasoning_tokens: event.reasoning_tokens,
    cost_usd: event.cost_usd,
    price_source: event.price_source,
    estimated: event.estimated,
    latency_ms: event.latency_ms,
    lap_id: event.lap_id,
    project: event.project,
  };
}

/** The fields of a closed `lap` the ingest API gets, and nothing else. */
export function lapPayload(lap: Lap): LapPayload {
  return {
    id: lap.id,
    name: lap.name,
    started_at: lap.started_at,
    ended_at: lap.ended_at,
    requests: lap.requests,
    input_tokens: lap.input_tokens,
    output_tokens: lap.output_tokens,
    cache_read_tokens: lap.cache_read_tokens,
    cache_write_tokens: lap.cache_write_tokens,
    reasoning_tokens: lap.reasoning_tokens,
    cost_usd: lap.cost_usd,
    api_equivalent_usd: lap.api_equivalent_usd,
    estimated_requests: lap.estimated_requests,
    unpriced_requests: lap.unpriced_requests,
  };
}
