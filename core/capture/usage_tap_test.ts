import assert from "node:assert/strict";
import type { TapRequest } from "../proxy/tap.ts";
import type { Provider, UsageEvent } from "../types.ts";
import { createTapFactory } from "./usage_tap.ts";

const encode = (text: string) => new TextEncoder().encode(text);

function capture(provider: Provider) {
  const events: UsageEvent[] = [];
  const priced: string[] = [];
  const factory = createTapFactory({
    now: () => 1_000,
    providerOf: () => provider,
    includeStreamUsage: () => false,
    price(_provider, usage) {
      priced.push(usage.model ?? "");
      return { cost_usd: 0.5, price_source: "bundled", priced_model: usage.model };
    },
    lapId: () => "lap",
    onEvent: (event) => events.push(event),
    onError: (error) => assert.fail(String(error)),
  });
  return { events, priced, factory };
}

function request(path: string, body: unknown): TapRequest {
  return {
    mode: "relay",
    host: "api.example.com",
    method: "POST",
    path,
    query: "",
    headers: { "user-agent": "curl/8.5.0" },
    body: encode(JSON.stringify(body)),
    startedAt: 900,
  };
}

function respond(
  factory: ReturnType<typeof createTapFactory>,
  req: TapRequest,
  status: number,
  body: string,
) {
  const tap = factory(req)!;
  tap.onResponse(status, { "content-type": "application/json" });
  tap.onChunk(encode(body));
  tap.onEnd({ aborted: false });
}

Deno.test("createTapFactory() records a rejected call with its status, no tokens and no cost", () => {
  const { events, priced, factory } = capture("anthropic");
  const error = '{"type":"error","error":{"type":"rate_limit_error","message":"Slow down"}}';
  respond(
    factory,
    request("/v1/messages", { model: "claude-sonnet-4-6", stream: true }),
    429,
    error,
  );
  assert.equal(events.length, 1);
  const [event] = events;
  assert.equal(event.status, 429);
  assert.equal(event.model, "claude-sonnet-4-6");
  assert.equal(event.client, "curl");
  assert.deepEqual(
    [event.input_tokens, event.output_tokens, event.cache_read_tokens, event.reasoning_tokens],
    [0, 0, 0, 0],
  );
  assert.deepEqual([event.cost_usd, event.price_source, event.priced_model], [0, null, null]);
  assert.equal(event.estimated, false);
  assert.deepEqual(priced, [], "a rejected call is not priced");
});

Deno.test("createTapFactory() takes a failed Gemini call's model from its path", () => {
  const { events, factory } = capture("google");
  const path = "/v1beta/models/gemini-2.5-flash:generateContent";
  respond(factory, request(path, { contents: [] }), 503, '{"error":{"code":503}}');
  assert.deepEqual(events.map((e) => [e.status, e.model]), [[503, "gemini-2.5-flash"]]);
});

Deno.test("createTapFactory() records no event for a redirect or a request it does not read", () => {
  const { events, factory } = capture("openai");
  respond(factory, request("/v1/chat/completions", { model: "gpt-5-mini" }), 307, "");
  const listing = { ...request("/v1/chat/completions", {}), method: "GET" };
  respond(factory, listing, 401, '{"error":{}}');
  assert.deepEqual(events, []);
});
