import assert from "node:assert/strict";
import type { ParseWarning } from "../types.ts";
import { loadFixtures, parseBody, runParserContract } from "./_contract.ts";
import { createAnthropicParser, normalizeAnthropicUsage } from "./anthropic.ts";
import { estimateTokens } from "./estimate.ts";

const fixtures = await loadFixtures("anthropic");
runParserContract("createAnthropicParser()", createAnthropicParser, fixtures);

const PATH = "/v1/messages";
const SSE = "text/event-stream; charset=utf-8";
const event = (type: string, data: unknown, pad = 0) =>
  `event: ${type}\ndata: ${JSON.stringify(data).slice(0, -1)}${" ".repeat(pad)}}\n\n`;
const start = (usage: Record<string, unknown>) =>
  event("message_start", {
    type: "message_start",
    message: { model: "claude-haiku-4-5-20251001", type: "message", content: [], usage },
  }, 3);
const text = (t: string) =>
  event("content_block_delta", {
    type: "content_block_delta",
    index: 0,
    delta: { type: "text_delta", text: t },
  });
const delta = (usage: Record<string, unknown>) =>
  event("message_delta", { type: "message_delta", delta: { stop_reason: "end_turn" }, usage }, 9);
const PING = 'event: ping\ndata: {"type": "ping"}\n\n';

Deno.test("createAnthropicParser() overwrites cumulative message_delta usage", () => {
  const body = start({ input_tokens: 9, cache_read_input_tokens: 40, output_tokens: 1 }) +
    text("Hi") +
    delta({ input_tokens: 9, cache_read_input_tokens: 40, output_tokens: 20 }) +
    delta({ input_tokens: 9, cache_read_input_tokens: 40, output_tokens: 35 }) +
    event("message_stop", { type: "message_stop" });
  const usage = parseBody(createAnthropicParser, "anthropic", PATH, SSE, body).usage!;
  assert.equal(usage.input_tokens, 9);
  assert.equal(usage.cache_read_tokens, 40);
  assert.equal(usage.output_tokens, 35);
  assert.equal(usage.estimated, false);
});

Deno.test("createAnthropicParser() keeps message_start fields that message_delta sends as null or omits", () => {
  const body = start({
    input_tokens: 12,
    cache_creation_input_tokens: 300,
    cache_read_input_tokens: 70,
    cache_creation: { ephemeral_5m_input_tokens: 100, ephemeral_1h_input_tokens: 200 },
    output_tokens: 1,
  }) + delta({ input_tokens: null, cache_read_input_tokens: null, output_tokens: 50 });
  const usage = parseBody(createAnthropicParser, "anthropic", PATH, SSE, body).usage!;
  assert.deepEqual(usage, {
    model: "claude-haiku-4-5-20251001",
    input_tokens: 12,
    output_tokens: 50,
    cache_read_tokens: 70,
    cache_write_tokens: 300,
    cache_write_1h_tokens: 200,
    reasoning_tokens: 0,
    provider_cost_usd: null,
    estimated: false,
  });
});

Deno.test("normalizeAnthropicUsage() splits 5m and 1h cache writes and reads thinking tokens", () => {
  const usage = normalizeAnthropicUsage({
    input_tokens: 42,
    cache_creation_input_tokens: 3072,
    cache_read_input_tokens: 18240,
    cache_creation: { ephemeral_5m_input_tokens: 1024, ephemeral_1h_input_tokens: 2048 },
    output_tokens: 61,
    output_tokens_details: { thinking_tokens: 20 },
  }, "claude-sonnet-4-6");
  assert.equal(usage.input_tokens, 42); // Anthropic reports cache tokens beside input: no subtraction
  assert.equal(usage.cache_write_tokens, 3072);
  assert.equal(usage.cache_write_1h_tokens, 2048);
  assert.equal(usage.reasoning_tokens, 20);
  const derived = normalizeAnthropicUsage({
    cache_creation: { ephemeral_5m_input_tokens: 5, ephemeral_1h_input_tokens: 7 },
  }, null);
  assert.equal(derived.cache_write_tokens, 12);
  assert.equal(derived.cache_write_1h_tokens, 7);
});

Deno.test("createAnthropicParser() reports thinking_tokens as reasoning in the stream fixture", () => {
  const f = fixtures.find((f) => f.name === "anthropic/messages_stream")!;
  assert.equal(f.request.query, "beta=true");
  assert.equal(f.expected.reasoning_tokens, 19);
  assert.equal(f.expected.cache_write_1h_tokens, 1024);
});

Deno.test("createAnthropicParser() ignores ping, unknown events and padded JSON anywhere", () => {
  const body = PING + start({ input_tokens: 3, output_tokens: 1 }) + PING +
    event("future_event", { type: "future_event", usage: { output_tokens: 999 } }) + PING +
    delta({ output_tokens: 4 }) + PING;
  const usage = parseBody(createAnthropicParser, "anthropic", PATH, SSE, body).usage!;
  assert.equal(usage.output_tokens, 4);
  assert.equal(usage.input_tokens, 3);
});

Deno.test("createAnthropicParser() keeps message_start counts and estimates output after an error", () => {
  const warnings: ParseWarning[] = [];
  const body = start({ input_tokens: 18, cache_read_input_tokens: 2304, output_tokens: 1 }) +
    text("The lighthouse keeper") + text(" woke.") +
    event("error", { type: "error", error: { type: "overloaded_error", message: "Overloaded" } });
  const result = parseBody(createAnthropicParser, "anthropic", PATH, SSE, body, { warnings });
  assert.equal(result.reason, "upstream error");
  assert.equal(result.usage?.estimated, true);
  assert.equal(result.usage?.input_tokens, 18);
  assert.equal(result.usage?.cache_read_tokens, 2304);
  assert.equal(result.usage?.output_tokens, estimateTokens("The lighthouse keeper woke."));
  assert.deepEqual(warnings, [{ code: "upstream-error", detail: "Overloaded" }]);
});

Deno.test("createAnthropicParser() keeps exact usage when aborted after message_delta", () => {
  const body = start({ input_tokens: 5, output_tokens: 1 }) + delta({ output_tokens: 7 });
  const result = parseBody(createAnthropicParser, "anthropic", PATH, SSE, body, { aborted: true });
  assert.equal(result.usage?.estimated, false);
  assert.equal(result.usage?.output_tokens, 7);
});

Deno.test("createAnthropicParser() estimates everything when even message_start is missing", () => {
  const result = parseBody(createAnthropicParser, "anthropic", PATH, SSE, text("Hello there"), {
    aborted: true,
    request: {
      model: "claude-sonnet-4-6",
      system: "Be brief.",
      messages: [{ role: "user", content: "Hi" }],
    },
  });
  assert.equal(result.usage?.model, "claude-sonnet-4-6");
  assert.equal(result.usage?.estimated, true);
  assert.ok(result.usage!.input_tokens > 0);
  assert.equal(result.usage?.output_tokens, estimateTokens("Hello there"));
});

Deno.test("createAnthropicParser() counts thinking deltas as reasoning in an estimate", () => {
  const thinking = event("content_block_delta", {
    type: "content_block_delta",
    index: 0,
    delta: { type: "thinking_delta", thinking: "Let me think about this carefully." },
  });
  const body = start({ input_tokens: 5, output_tokens: 1 }) + thinking + text("Answer.");
  const usage = parseBody(createAnthropicParser, "anthropic", PATH, SSE, body, { aborted: true })
    .usage!;
  assert.equal(usage.reasoning_tokens, estimateTokens("Let me think about this carefully."));
  assert.ok(usage.output_tokens > usage.reasoning_tokens);
});

Deno.test("createAnthropicParser() reads events that arrive without event: lines", () => {
  const body = [start({ input_tokens: 2, output_tokens: 1 }), delta({ output_tokens: 6 })]
    .map((e) => e.replace(/^event: .*\n/, "")).join("");
  assert.equal(
    parseBody(createAnthropicParser, "anthropic", PATH, SSE, body).usage?.output_tokens,
    6,
  );
});

Deno.test("createAnthropicParser() returns usage null for an error status", () => {
  const body = '{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}';
  const result = parseBody(createAnthropicParser, "anthropic", PATH, "application/json", body, {
    status: 529,
  });
  assert.deepEqual(result, { usage: null, streamed: false, reason: "error status" });
});

Deno.test("createAnthropicParser() takes web_search_requests from the cumulative message_delta", () => {
  const tools = (n: number) => ({ web_search_requests: n, web_fetch_requests: 0 });
  const body = start({ input_tokens: 30, output_tokens: 1, server_tool_use: tools(0) }) +
    delta({ input_tokens: 30, output_tokens: 40, server_tool_use: tools(1) }) +
    delta({ input_tokens: 30, output_tokens: 90, server_tool_use: tools(2) });
  const usage = parseBody(createAnthropicParser, "anthropic", PATH, SSE, body).usage!;
  assert.equal(usage.web_search_requests, 2); // overwritten, not 0 + 1 + 2
  const none = start({ input_tokens: 3, output_tokens: 1, server_tool_use: tools(0) }) +
    delta({ output_tokens: 4 });
  assert.equal(
    "web_search_requests" in parseBody(createAnthropicParser, "anthropic", PATH, SSE, none).usage!,
    false,
  );
});
