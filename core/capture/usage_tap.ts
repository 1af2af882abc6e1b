// Turns one relayed response into one UsageEvent: decompress the tap's copy, parse it, price it.
import type { RequestRewrite, Tap, TapFactory, TapRequest } from "../proxy/tap.ts";
import { emptyUsage, geminiModelOf, openAiEndpointOf, parserFor } from "../parse/mod.ts";
import type {
  ParseWarning,
  PlanWindow,
  PriceSource,
  Provider,
  Usage,
  UsageEvent,
  UsageParser,
} from "../types.ts";
import { detectClient } from "./client.ts";
import {
  hasUnifiedRateLimits,
  readUnifiedRateLimits,
  usesSubscriptionToken,
} from "./ratelimit_headers.ts";
import { createDecompressor, type Decompressor } from "./decompress.ts";
import { addStreamUsageOption, createUsageChunkFilter } from "./stream_usage.ts";
import { uuidv7 } from "../uuid.ts";

/** What the capture taps need from the daemon. */
export interface CaptureDeps {
  now(): number;
  /** Who serves `host` (lower-case, no port), or null when Lumen does not read it. */
  providerOf(host: string): Provider | null;
  /** Whether OpenAI streams that hide usage get `stream_options.include_usage` added. */
  includeStreamUsage(): boolean;
  /** A response reported subscription usage windows (claude.ai `message_limit`). */
  onPlanWindows?(provider: Provider, windows: Record<string, PlanWindow>): void;
  /** Prices `usage`; `priced_model` is the pricing entry id the cost was computed from. */
  price(provider: Provider, usage: Usage): CapturePrice;
  lapId(): string;
  onEvent(event: UsageEvent): void;
  /** Called when building an event failed after the response ended (the relay's guard is gone). */
  onError(error: unknown): void;
  onWarning?(warning: ParseWarning): void;
}

/**
 * A response's cost as the pricer gives it: pricing/mod.ts `PriceResult`, restated here because
 * capture/ may not import pricing/ (main.ts wires the two).
 */
export interface CapturePrice {
  cost_usd: number | null;
  price_source: PriceSource | null;
  priced_model: string | null;
}

/** What a rejected request costs: nothing, whatever its model's price. */
const NOT_BILLED: CapturePrice = { cost_usd: 0, price_source: null, priced_model: null };

/** Request bodies above this size are not parsed for the model of a failed call. */
const MAX_MODEL_SCAN_BYTES = 1024 * 1024;

/** Creates the TapFactory main.ts hands to the proxy. */
export function createTapFactory(deps: CaptureDeps): TapFactory {
  return (request) => {
    const provider = deps.providerOf(request.host);
    return provider ? createUsageTap(provider, request, deps) : null;
  };
}

/**
 * The include_usage rewrite, for api.openai.com chat streams only: there the option is opt-in and
 * its additions are known exactly. Compatible hosts differ (OpenRouter always sends the usage
 * chunk, Together always sends `"usage":null`), so filtering their streams would change them.
 */
function streamUsageRewrite(
  provider: Provider,
  request: TapRequest,
  deps: CaptureDeps,
): RequestRewrite | undefined {
  if (provider !== "openai" || request.method !== "POST") return undefined;
  if (openAiEndpointOf(request.path) !== "chat" || !deps.includeStreamUsage()) return undefined;
  const body = addStreamUsageOption(request.body);
  if (!body) return undefined;
  return {
    body,
    // The filter reads the stream's events, so the upstream must send them uncompressed.
    headers: { "accept-encoding": "identity" },
    responseFilter(status, headers) {
      const type = headers["content-type"] ?? "";
      const encoding = headers["content-encoding"] ?? "identity";
      const sse = status === 200 && type.startsWith("text/event-stream");
      return sse && encoding === "identity" ? createUsageChunkFilter() : null;
    },
  };
}

function createUsageTap(provider: Provider, request: TapRequest, deps: CaptureDeps): Tap {
  let parser: UsageParser | null = null;
  let decompressor: Decompressor | null = null;
  let status = 0;
  let ttfb = 0;
  let subscription = provider === "claude_ai" ||
    (provider === "anthropic" && usesSubscriptionToken(request.headers));
  const parseRequest = {
    provider,
    method: request.method,
    path: request.path,
    query: request.query,
    body: request.body,
  };

  function emit(usage: Usage, streamed: boolean, fixedPrice?: CapturePrice): void {
    const ts = deps.now();
    const price = fixedPrice ?? priceOf(usage);
    deps.onEvent({
      id: uuidv7(ts),
      ts,
      provider,
      host: request.host,
      path: request.path,
      model: usage.model,
      client: detectClient(request.headers),
      mode: request.mode,
      status,
      streamed,
      input_tokens: usage.input_tokens,
      output_tokens: usage.output_tokens,
      cache_read_tokens: usage.cache_read_tokens,
      cache_write_tokens: usage.cache_write_tokens,
      reasoning_tokens: usage.reasoning_tokens,
      cost_usd: price.cost_usd,
      price_source: price.price_source,
      priced_model: price.priced_model,
      estimated: usage.estimated,
      latency_ms: ts - request.startedAt,
      ttfb_ms: ttfb,
      lap_id: deps.lapId(),
      project: request.project ?? null,
    });
  }

  function priceOf(usage: Usage): CapturePrice {
    // claude.ai serves Anthropic's models: priced as their API would price them.
    const price = deps.price(provider === "claude_ai" ? "anthropic" : provider, usage);
    // Plan traffic (claude.ai, Anthropic with a plan's OAuth token) is paid by the subscription,
    // not per token: its cost is the API-equivalent price, marked "subscription".
    if (!subscription || price.cost_usd === null) return price;
    return { ...price, price_source: "subscription" };
  }

  function finish(aborted: boolean): void {
    if (!parser) return;
    const result = parser.finish({ aborted });
    parser = null;
    if (result.plan_windows) deps.onPlanWindows?.(provider, result.plan_windows);
    if (result.usage) return emit(result.usage, result.streamed);
    // A rejected call (401, 429, 529, …) bills no tokens, but it is a request the user made: it is
    // counted, with its status, so rate limits and outages show in the figures.
    if (status >= 400) emit(failedUsage(request), result.streamed, NOT_BILLED);
  }

  return {
    rewrite: streamUsageRewrite(provider, request, deps),
    onResponse(code, headers) {
      status = code;
      ttfb = deps.now() - request.startedAt;
      if (provider === "anthropic" && hasUnifiedRateLimits(headers)) {
        subscription = true;
        const windows = readUnifiedRateLimits(headers); // on 429 answers too
        if (Object.keys(windows).length > 0) deps.onPlanWindows?.(provider, windows);
      }
      parser = parserFor(parseRequest, {
        status: code,
        contentType: headers["content-type"] ?? null,
      }, {
        onWarning: deps.onWarning,
      });
      if (!parser) return;
      const feed = parser.feed.bind(parser);
      decompressor = createDecompressor(headers["content-encoding"], feed);
    },
    onChunk(chunk) {
      if (decompressor) decompressor.write(chunk);
      else parser?.feed(chunk);
    },
    onEnd({ aborted }) {
      if (!decompressor) return finish(aborted);
      // Decompression output arrives asynchronously; the event follows its last byte.
      decompressor.end().then((complete) => finish(aborted || !complete)).catch(deps.onError);
    },
  };
}

/** The zero usage of a call the provider rejected, with the model the request named. */
function failedUsage(request: TapRequest): Usage {
  return emptyUsage(requestModel(request), false);
}

/** The model a request names: Gemini's in its path, the others' in the JSON body; else null. */
function requestModel(request: TapRequest): string | null {
  const inPath = geminiModelOf(request.path);
  if (inPath !== null || request.body.length > MAX_MODEL_SCAN_BYTES) return inPath;
  try {
    const body = JSON.parse(new TextDecoder().decode(request.body));
    return typeof body?.model === "string" ? body.model : null;
  } catch {
    return null; // not JSON: the call is still counted, without a model
  }
}
