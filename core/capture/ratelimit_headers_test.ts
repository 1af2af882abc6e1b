import assert from "node:assert/strict";
import type { TapRequest } from "../proxy/tap.ts";
import type { PlanWindow, Provider, UsageEvent } from "../types.ts";
import {
  hasUnifiedRateLimits,
  readUnifiedRateLimits,
  usesSubscriptionToken,
} from "./ratelimit_headers.ts";
import { createTapFactory } from "./usage_tap.ts";

// As api.anthropic.com answers a Claude Code call made with a Max plan.
const REAL = {
  "anthropic-ratelimit-unified-status": "allowed",
  "anthropic-ratelimit-unified-representative-claim": "five_hour",
  "anthropic-ratelimit-unified-fallback-percentage": "0.5",
  "anthropic-ratelimit-unified-reset": "1764003600",
  "anthropic-ratelimit-unified-overage-status": "rejected",
  "anthropic-ratelimit-unified-overage-disabled-reason": "org_level_disabled",
  "anthropic-ratelimit-unified-5h-utilization": "0.42",
  "anthropic-ratelimit-unified-5h-reset": "1764003600",
  "anthropic-ratelimit-unified-5h-status": "allowed",
  "anthropic-ratelimit-unified-7d-utilization": "0.13",
  "anthropic-ratelimit-unified-7d-reset": "1764547200",
  "anthropic-ratelimit-unified-7d-status": "allowed_warning",
  "anthropic-ratelimit-unified-7d_sonnet-utilization": "0.05",
  "anthropic-ratelimit-unified-7d_sonnet-reset": "1764547200",
  "request-id": "req_011CabcdefGHIJ",
};

Deno.test("readUnifiedRateLimits() maps the 5h, 7d and per-model windows", () => {
  assert.deepEqual(readUnifiedRateLimits(REAL), {
    "5h": { utilization: 0.42, resets_at: 1764003600000, status: "allowed" },
    "7d": { utilization: 0.13, resets_at: 1764547200000, status: "allowed_warning" },
    "7d_sonnet": { utilization: 0.05, resets_at: 1764547200000, status: null },
  });
});

Deno.test("readUnifiedRateLimits() gives the claimed window the overall status it lacks", () => {
  const rejected = {
    "Anthropic-Ratelimit-Unified-Status": "rejected",
    "Anthropic-Ratelimit-Unified-Representative-Claim": "seven_day",
    "Anthropic-Ratelimit-Unified-5h-Utilization": "0.2",
    "Anthropic-Ratelimit-Unified-7d-Utilization": "1.0",
    "Anthropic-Ratelimit-Unified-7d-Reset": "2025-11-24T16:00:00Z",
  };
  assert.deepEqual(readUnifiedRateLimits(rejected), {
    "5h": { utilization: 0.2, resets_at: null, status: null },
    "7d": { utilization: 1, resets_at: Date.parse("2025-11-24T16:00:00Z"), status: "rejected" },
  });
});

Deno.test("readUnifiedRateLimits() ignores missing and garbage values without throwing", () => {
  assert.deepEqual(readUnifiedRateLimits({}), {});
  assert.deepEqual(readUnifiedRateLimits({ "content-type": "application/json" }), {});
  const garbage: Record<string, string> = {
    "anthropic-ratelimit-unified-5h-utilization": "NaN",
    "anthropic-ratelimit-unified-5h-reset": "-5",
    "anthropic-ratelimit-unified-5h-status": "<script>",
    "anthropic-ratelimit-unified-7d-utilization": "1e309",
    "anthropic-ratelimit-unified-7d-reset": "soon",
    "anthropic-ratelimit-unified-__proto__-utilization": "0.5",
    "anthropic-ratelimit-unified-constructor-status": "allowed",
    "anthropic-ratelimit-unified-representative-claim": "constructor",
    "anthropic-ratelimit-unified-status": "",
    "anthropic-ratelimit-unified-overage-utilization": "0.3",
    "anthropic-ratelimit-unified-": "x",
  };
  assert.deepEqual(readUnifiedRateLimits(garbage), {});
  // A window keeps what does parse.
  assert.deepEqual(
    readUnifiedRateLimits({ ...garbage, "anthropic-ratelimit-unified-5h-utilization": " 0.9 " }),
    { "5h": { utilization: 0.9, resets_at: null, status: null } },
  );
  const flood: Record<string, string> = {};
  for (let i = 0; i < 100; i++) flood[`anthropic-ratelimit-unified-${i}h-utilization`] = "0.1";
  assert.equal(Object.keys(readUnifiedRateLimits(flood)).length, 16);
});

Deno.test("usesSubscriptionToken() and hasUnifiedRateLimits() tell plan traffic apart", () => {
  assert.equal(usesSubscriptionToken({ authorization: "Bearer sk-ant-oat01-abc" }), true);
  assert.equal(usesSubscriptionToken({ authorization: "bearer  sk-ant-oat01-abc" }), true);
  assert.equal(usesSubscriptionToken({ "x-api-key": "sk-ant-api03-abc" }), false);
  assert.equal(usesSubscriptionToken({ authorization: "Bearer sk-ant-api03-abc" }), false);
  assert.equal(usesSubscriptionToken({}), false);
  assert.equal(hasUnifiedRateLimits(REAL), true);
  assert.equal(hasUnifiedRateLimits({ "anthropic-ratelimit-requests-limit": "4000" }), false);
});

// --- through the usage tap ---

const encode = (text: string) => new TextEncoder().encode(text);
const MESSAGE = JSON.stringify({
  id: "msg_1",
  type: "message",
  role: "assistant",
  model: "claude-sonnet-4-6",
  content: [{ type: "text", text: "Hi" }],
  stop_reason: "end_turn",
  usage: { input_tokens: 10, output_tokens: 5 },
});

function tapRun(
  provider: Provider,
  requestHeaders: Record<string, string>,
  status: number,
  responseHeaders: Record<string, string>,
  body: string,
) {
  const events: UsageEvent[] = [];
  const windows: [Provider, Record<string, PlanWindow>][] = [];
  const factory = createTapFactory({
    now: () => 1_000,
    providerOf: () => provider,
    includeStreamUsage: () => false,
    price: (_provider, usage) => ({
      cost_usd: 0.25,
      price_source: "bundled",
      priced_model: usage.model,
    }),
    lapId: () => "lap",
    onEvent: (event) => events.push(event),
    onPlanWindows: (p, w) => windows.push([p, w]),
    onError: (error) => assert.fail(String(error)),
  });
  const request: TapRequest = {
    mode: "relay",
    host: "api.anthropic.com",
    method: "POST",
    path: "/v1/messages",
    query: "",
    headers: { "user-agent": "claude-cli/2.0.0 (external, cli)", ...requestHeaders },
    body: encode(JSON.stringify({ model: "claude-sonnet-4-6", max_tokens: 10 })),
    startedAt: 900,
  };
  const tap = factory(request)!;
  tap.onResponse(status, { "content-type": "application/json", ...responseHeaders });
  tap.onChunk(encode(body));
  tap.onEnd({ aborted: false });
  return { events, windows };
}

Deno.test("the usage tap records unified windows and prices plan traffic API-equivalent", () => {
  const { events, windows } = tapRun("anthropic", {}, 200, REAL, MESSAGE);
  assert.deepEqual(windows, [["anthropic", readUnifiedRateLimits(REAL)]]);
  assert.equal(events.length, 1);
  assert.deepEqual(
    [events[0].cost_usd, events[0].price_source, events[0].priced_model],
    [0.25, "subscription", "claude-sonnet-4-6"],
  );
});

Deno.test("the usage tap marks an OAuth-token call as subscription even without headers", () => {
  const oauth = { authorization: "Bearer sk-ant-oat01-xyz" };
  const { events, windows } = tapRun("anthropic", oauth, 200, {}, MESSAGE);
  assert.deepEqual(windows, []);
  assert.equal(events[0].price_source, "subscription");
  assert.equal(events[0].cost_usd, 0.25);
});

Deno.test("the usage tap leaves API-key traffic billed and reads windows on a 429", () => {
  const apiKey = tapRun("anthropic", { "x-api-key": "sk-ant-api03-k" }, 200, {}, MESSAGE);
  assert.equal(apiKey.events[0].price_source, "bundled");
  const rejected = {
    "anthropic-ratelimit-unified-status": "rejected",
    "anthropic-ratelimit-unified-5h-utilization": "1.0",
    "anthropic-ratelimit-unified-5h-reset": "1764003600",
    "anthropic-ratelimit-unified-5h-status": "rejected",
  };
  const error = '{"type":"error","error":{"type":"rate_limit_error","message":"limit"}}';
  const limited = tapRun("anthropic", {}, 429, rejected, error);
  assert.deepEqual(limited.windows, [["anthropic", {
    "5h": { utilization: 1, resets_at: 1764003600000, status: "rejected" },
  }]]);
  assert.deepEqual([limited.events[0].status, limited.events[0].cost_usd], [429, 0]);
});

Deno.test("the usage tap ignores unified headers from a provider other than Anthropic", () => {
  const { windows, events } = tapRun("custom", {}, 200, REAL, MESSAGE);
  assert.deepEqual(windows, []);
  assert.equal(events[0].price_source, "bundled");
});
