// Types shared by every module of core/. Types only: no runtime code lives here.

/**
 * Who served a request: the three API vendors, the two subscription apps whose traffic is read in
 * proxy mode, or a user-added host speaking an OpenAI- or Anthropic-compatible API.
 */
export type Provider = "openai" | "anthropic" | "google" | "cursor" | "claude_ai" | "custom";

/** One monitored host; a `*.` name matches every subdomain, not the name itself. */
export interface HostEntry {
  host: string;
  provider: Provider;
  built_in: boolean;
}

/** How a request reached Lumen. */
export type CaptureMode = "relay" | "proxy";

/** Token counts of one response, normalized as DESIGN.md "Usage event" says. */
export interface Usage {
  /** Model as the response names it, else the request, else the URL; null when none is visible. */
  model: string | null;
  /** Tokens billed at the uncached input rate (cached and cache-written tokens excluded). */
  input_tokens: number;
  /** All output tokens, reasoning included. */
  output_tokens: number;
  cache_read_tokens: number;
  /** All cache writes; `cache_write_1h_tokens` is the part written with a 1-hour TTL. */
  cache_write_tokens: number;
  cache_write_1h_tokens: number;
  /** The part of `output_tokens` spent on reasoning. */
  reasoning_tokens: number;
  /** Cost the provider reported itself (e.g. OpenRouter `usage.cost`), USD; wins over our price. */
  provider_cost_usd: number | null;
  /** Server-side web searches the response ran, billed per search; absent when none were seen. */
  web_search_requests?: number;
  /** True when counts come from byte/text estimation rather than provider-reported usage. */
  estimated: boolean;
}

/**
 * Where an event's cost came from: the provider's own figure, one of the pricing table layers
 * (bundled with Lumen, fetched remote, or the user's override), or a subscription plan (claude.ai,
 * or Anthropic with a plan's OAuth token): "subscription" traffic is not billed per token, and its
 * `cost_usd` is the API-equivalent price from the table.
 */
export type PriceSource = "provider" | "bundled" | "remote" | "override" | "subscription";

/** The one record everything downstream of the proxy uses. Never holds content. */
export interface UsageEvent {
  /** UUIDv7. */
  id: string;
  /** Epoch ms when the response completed. */
  ts: number;
  provider: Provider;
  host: string;
  path: string;
  model: string | null;
  /** Client name from the User-Agent (claude-code, cursor, opencode, sdk, curl, …). */
  client: string;
  mode: CaptureMode;
  status: number;
  streamed: boolean;
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  reasoning_tokens: number;
  /** USD; null when the model has no known price. */
  cost_usd: number | null;
  /** Where the price came from, or null when unpriced. */
  price_source: PriceSource | null;
  /**
   * The pricing entry id the cost was computed from (e.g. "claude-sonnet-4-5" for a dated
   * snapshot), kept so a later price or matcher change never silently rewrites history; null when
   * the cost is the provider's, or when unpriced.
   */
  priced_model: string | null;
  estimated: boolean;
  latency_ms: number;
  ttfb_ms: number;
  lap_id: string;
  /**
   * The project the user tagged the request with (`X-Lumen-Project` header or a `/p/<project>/…`
   * relay prefix); null when untagged.
   */
  project: string | null;
}

/** A warning a parser reports instead of throwing. */
export interface ParseWarning {
  code: string;
  detail: string;
}

/** What a parser knows about the request whose response it reads. */
export interface ParseRequest {
  provider: Provider;
  /** HTTP method; every usage endpoint is a POST, so any other method gets no parser. */
  method?: string;
  /** Upstream path without the query, e.g. `/v1/chat/completions`. */
  path: string;
  /** Query string without `?`, e.g. `alt=sse`. */
  query: string;
  /** The request body (JSON for every monitored API), used for the model name and estimation. */
  body: Uint8Array;
}

/** What a parser knows about the response before its body arrives. */
export interface ParseResponse {
  status: number;
  /** The `content-type` header, or null. */
  contentType: string | null;
}

/** Outcome of a parse: usage, or null with the reason none could be given. */
export interface ParseResult {
  usage: Usage | null;
  /** True when the body was a stream (SSE or a streamed JSON array). */
  streamed: boolean;
  reason?: string;
  /** Subscription usage windows the response reported (claude.ai `message_limit`), by name. */
  plan_windows?: Record<string, PlanWindow>;
}

/** One subscription usage window, e.g. claude.ai's "5h" or "7d". */
export interface PlanWindow {
  /** Fraction used, 0..1 (or more when over); null when not reported. */
  utilization: number | null;
  /** Epoch ms when the window resets; null when not reported. */
  resets_at: number | null;
  /** The provider's word for the window's state, e.g. "within_limit"; null when not reported. */
  status: string | null;
}

/** An incremental usage parser: fed decompressed response bytes, asked for usage at the end. */
export interface UsageParser {
  feed(chunk: Uint8Array): void;
  /** Ends the parse. `aborted` is true when the response did not complete. */
  finish(end: { aborted: boolean }): ParseResult;
}

/** Settings the user can change from the dashboard or the API. */
export interface Settings {
  /**
   * Add `stream_options.include_usage` to OpenAI-style streaming requests that lack it, and remove
   * the extra usage chunk before the client sees it.
   */
  include_stream_usage: boolean;
  /**
   * Delete usage events older than this many days (at start and daily); null keeps them forever.
   * Daily, lap and overall totals are kept either way.
   */
  retention_days: number | null;
  /** The dashboard's first-run setup was completed or dismissed: it is not offered again. */
  setup_done: boolean;
  /** DataGrout: show DataGrout's tools to connected clients (pushed to the sync server). */
  dg_tools_visible: boolean;
  /** DataGrout: route through its Intelligent Interface (pushed to the sync server). */
  dg_intelligent_interface: boolean;
  /** Spend limits in USD per period; a missing or null limit means none. */
  budgets: BudgetLimits;
  /** Percentages of a limit at which an alert is raised once per period, e.g. [50, 80, 100]. */
  budget_thresholds: number[];
  /** Answer new monitored requests with a 429 while any budget is at or over its limit. */
  block_at_limit: boolean;
}

/** The `budgets` setting: a limit in USD per period (local day, ISO week, month, current lap). */
export interface BudgetLimits {
  daily_usd?: number | null;
  weekly_usd?: number | null;
  monthly_usd?: number | null;
  lap_usd?: number | null;
}

/** The store's state as `GET /api/health` reports it under `store`. */
export interface StoreHealth {
  /** False while writes fail; the events still count and show, from memory. */
  ok: boolean;
  /** The last write failure while not ok, else null. */
  error: { at: number; message: string } | null;
  /** Items recorded and not yet on disk. */
  pending: number;
  /** Items given up on because the pending queue was full (they were shown, never stored). */
  dropped: number;
}
