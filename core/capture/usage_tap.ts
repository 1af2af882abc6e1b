// Turns one relayed response into one UsageEvent: decompress the tap's copy, parse it, price it.
import type { Tap, TapFactory, TapRequest } from "../proxy/tap.ts";
import { parserFor } from "../parse/mod.ts";
import type { ParseWarning, Provider, Usage, UsageEvent, UsageParser } from "../types.ts";
import { detectClient } from "./client.ts";
import { createDecompressor, type Decompressor } from "./decompress.ts";
import { uuidv7 } from "../uuid.ts";

/** Provider hosts Lumen reads usage from. */
export const PROVIDER_HOSTS: Readonly<Record<string, Provider>> = {
  "api.openai.com": "openai",
  "api.anthropic.com": "anthropic",
  "generativelanguage.googleapis.com": "google",
};

/** What the capture taps need from the daemon. */
export interface CaptureDeps {
  now(): number;
  price(provider: Provider, usage: Usage): { cost_usd: number | null; price_source: string | null };
  lapId(): string;
  onEvent(event: UsageEvent): void;
  /** Called when building an event failed after the response ended (the relay's guard is gone). */
  onError(error: unknown): void;
  onWarning?(warning: ParseWarning): void;
}

/** Creates the TapFactory main.ts hands to the proxy. */
export function createTapFactory(deps: CaptureDeps): TapFactory {
  return (request) => {
    const provider = PROVIDER_HOSTS[request.host];
    return provider ? createUsageTap(provider, request, deps) : null;
  };
}

function createUsageTap(provider: Provider, request: TapRequest, deps: CaptureDeps): Tap {
  let parser: UsageParser | null = null;
  let decompressor: Decompressor | null = null;
  let status = 0;
  let ttfb = 0;
  const parseRequest = {
    provider,
    path: request.path,
    query: request.query,
    body: request.body,
  };

  function emit(usage: Usage, streamed: boolean): void {
    const ts = deps.now();
    const price = deps.price(provider, usage);
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
      estimated: usage.estimated,
      latency_ms: ts - request.startedAt,
      ttfb_ms: ttfb,
      lap_id: deps.lapId(),
    });
  }

  function finish(aborted: boolean): void {
    if (!parser) return;
    const result = parser.finish({ aborted });
    parser = null;
    if (result.usage) emit(result.usage, result.streamed);
  }

  return {
    onResponse(code, headers) {
      status = code;
      ttfb = deps.now() - request.startedAt;
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
