import assert from "node:assert/strict";
import type { ParseWarning } from "../types.ts";
import { loadFixtures, parseBody, runParserContract } from "./_contract.ts";
import { estimateTokens } from "./estimate.ts";
import { createOpenAiParser } from "./openai.ts";
import { normalizeChatUsage, normalizeResponsesUsage } from "./openai_usage.ts";

const fixtures = await loadFixtures("openai");
runParserContract("createOpenAiParser()", createOpenAiParser, fixtures);

const CHAT = "/v1/chat/completions";
const SSE = "text/event-stream; charset=utf-8";
const sse = (...chunks: unknown[]) =>
  chunks.map((c) => `data: ${typeof c === "string" ? c : JSON.stringify(c)}\n\n`).join("");
const chunk = (content: string, extra: Record<string, unknown> = {}) => ({
  id: "c",
  object: "chat.completion.chunk",
  model: "gpt-5-mini-2025-08-07",
  choices: [{ index: 0, delta: { content }, finish_reason: null }],
  ...extra,
});

Deno.test("normalizeChatUsage() subtracts cached and cache-written tokens from input", () => {
  const usage = normalizeChatUsage({
    prompt_tokens: 1000,
    completion_tokens: 300,
    total_tokens: 1300,
    prompt_tokens_details: { cached_tokens: 600, cache_write_tokens: 100 },
    completion_tokens_details: { reasoning_tokens: 250 },
  }, "gpt-5.6");
  assert.deepEqual(usage, {
    model: "gpt-5.6",
    input_tokens: 300,
    output_tokens: 300,
    cache_read_tokens: 600,
    cache_write_tokens: 100,
    cache_write_1h_tokens: 0,
    reasoning_tokens: 250,
    provider_cost_usd: null,
    estimated: false,
  });
});

Deno.test("normalizeChatUsage() never returns negative input and ignores non-numbers", () => {
  const usage = normalizeChatUsage({
    prompt_tokens: 10,
    completion_tokens: "7",
    prompt_tokens_details: { cached_tokens: 50 },
  }, null);
  assert.equal(usage.input_tokens, 0);
  assert.equal(usage.cache_read_tokens, 50);
  assert.equal(usage.output_tokens, 0);
});

Deno.test("normalizeChatUsage() takes output from total_tokens when completion_tokens omits thoughts", () => {
  // Gemini's OpenAI-compatible layer: thought tokens are in total_tokens only.
  const usage = normalizeChatUsage(
    { prompt_tokens: 20, completion_tokens: 5, total_tokens: 125 },
    null,
  );
  assert.equal(usage.output_tokens, 105);
});

Deno.test("normalizeResponsesUsage() reads input_tokens_details and output_tokens_details", () => {
  const usage = normalizeResponsesUsage({
    input_tokens: 500,
    input_tokens_details: { cached_tokens: 400 },
    output_tokens: 90,
    output_tokens_details: { reasoning_tokens: 60 },
    total_tokens: 590,
  }, "gpt-5.4");
  assert.equal(usage.input_tokens, 100);
  assert.equal(usage.cache_read_tokens, 400);
  assert.equal(usage.output_tokens, 90);
  assert.equal(usage.reasoning_tokens, 60);
});

Deno.test("createOpenAiParser() reads OpenRouter's usage.cost as provider_cost_usd", () => {
  const f = fixtures.find((f) => f.name === "openai/compatible_cost")!;
  assert.equal(f.request.path, "/api/v1/chat/completions");
  assert.equal(f.expected.provider_cost_usd, 0.008139);
  assert.equal(f.expected.cache_write_tokens, 2048);
  const byok = parseBody(
    createOpenAiParser,
    "openai",
    CHAT,
    SSE,
    sse(
      chunk("hi", {
        choices: [],
        usage: {
          prompt_tokens: 10,
          completion_tokens: 2,
          total_tokens: 12,
          cost: 0.0001,
          is_byok: true,
          cost_details: { upstream_inference_cost: 0.002 },
        },
      }),
      "[DONE]",
    ),
  );
  assert.equal(byok.usage?.provider_cost_usd, 0.0021);
});

Deno.test("createOpenAiParser() ignores tool_usage and tools echoes in a Responses body", () => {
  const body = JSON.stringify({
    object: "response",
    status: "completed",
    model: "gpt-5.4",
    tools: [{ type: "function", parameters: { properties: { usage: { input_tokens: 5 } } } }],
    tool_usage: { image_gen: { input_tokens: 4410, output_tokens: 10 } },
    output: [{ type: "message", content: [{ type: "output_text", text: "Done." }] }],
  });
  const result = parseBody(
    createOpenAiParser,
    "openai",
    "/v1/responses",
    "application/json",
    body,
    {
      request: { model: "gpt-5.4", input: "Hi" },
    },
  );
  assert.equal(result.usage?.estimated, true);
  assert.notEqual(result.usage?.input_tokens, 4410);
  assert.equal(result.usage?.output_tokens, estimateTokens("Done."));
  const fixture = fixtures.find((f) => f.name === "openai/responses")!;
  assert.match(
    new TextDecoder().decode(fixture.bytes),
    /"tool_usage": \{\n\s+"image_gen": \{\n\s+"input_tokens": 87/,
  );
});

Deno.test("createOpenAiParser() accepts both shapes of the Responses error event", () => {
  for (
    const error of [{ code: "server_error", message: "flat" }, { error: { message: "nested" } }]
  ) {
    const warnings: ParseWarning[] = [];
    const body = `event: error\ndata: ${JSON.stringify({ type: "error", ...error })}\n\n`;
    const result = parseBody(createOpenAiParser, "openai", "/v1/responses", SSE, body, {
      warnings,
    });
    assert.equal(result.reason, "upstream error");
    assert.equal(result.usage?.estimated, true);
    assert.match(warnings[0].detail, /flat|nested/);
  }
});

Deno.test("createOpenAiParser() reads Responses events that arrive without event: lines", () => {
  const body = sse(
    { type: "response.created", response: { model: "gpt-5.4", usage: null } },
    { type: "response.output_text.delta", delta: "Hi" },
    {
      type: "response.completed",
      response: { model: "gpt-5.4", usage: { input_tokens: 3, output_tokens: 1 } },
    },
  );
  const result = parseBody(createOpenAiParser, "openai", "/v1/responses", SSE, body);
  assert.equal(result.usage?.input_tokens, 3);
  assert.equal(result.usage?.estimated, false);
});

Deno.test("createOpenAiParser() keeps exact usage when aborted after the usage chunk", () => {
  const body = sse(
    chunk("Hi"),
    chunk("", { choices: [], usage: { prompt_tokens: 4, completion_tokens: 1 } }),
  );
  const result = parseBody(createOpenAiParser, "openai", CHAT, SSE, body, { aborted: true });
  assert.equal(result.usage?.estimated, false);
  assert.equal(result.usage?.input_tokens, 4);
});

Deno.test("createOpenAiParser() estimates an aborted stream from the request and the text seen", () => {
  const request = { model: "gpt-5-mini", messages: [{ role: "user", content: "Count to three." }] };
  const result = parseBody(
    createOpenAiParser,
    "openai",
    CHAT,
    SSE,
    sse(chunk("One,"), chunk(" two")),
    {
      aborted: true,
      request,
    },
  );
  assert.equal(result.reason, "aborted");
  assert.equal(result.usage?.estimated, true);
  assert.equal(result.usage?.model, "gpt-5-mini-2025-08-07");
  assert.equal(result.usage?.output_tokens, estimateTokens("One, two"));
  assert.ok(result.usage!.input_tokens > 0);
});

Deno.test("createOpenAiParser() counts the same text with and without its JSON.parse fast path", () => {
  const pieces = ["Tok", "ens fall", " like", " rain,", " 数", '字 "quoted"\n'];
  const fast = parseBody(
    createOpenAiParser,
    "openai",
    CHAT,
    SSE,
    sse(...pieces.map((p) => chunk(p))),
  );
  // Without a model field every chunk is parsed in full.
  const slow = parseBody(
    createOpenAiParser,
    "openai",
    CHAT,
    SSE,
    sse(...pieces.map((p) => chunk(p, { model: undefined }))),
  );
  assert.equal(fast.usage?.output_tokens, estimateTokens(pieces.join("")));
  assert.equal(slow.usage?.output_tokens, fast.usage?.output_tokens);
});

Deno.test("createOpenAiParser() counts reasoning and tool-call argument deltas in estimates", () => {
  const body = sse(
    chunk("", { choices: [{ delta: { reasoning_content: "Think first." } }] }),
    chunk("", {
      choices: [{ delta: { tool_calls: [{ function: { arguments: '{"city":"Paris"}' } }] } }],
    }),
  );
  const usage = parseBody(createOpenAiParser, "openai", CHAT, SSE, body).usage!;
  assert.equal(usage.reasoning_tokens, estimateTokens("Think first."));
  assert.ok(usage.output_tokens > usage.reasoning_tokens);
});

Deno.test("createOpenAiParser() keeps the latest usage of chunks that repeat it (vLLM, Groq)", () => {
  const vllm = sse(
    chunk("a", { usage: { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6 } }),
    chunk("b", { usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 } }),
  );
  assert.equal(parseBody(createOpenAiParser, "openai", CHAT, SSE, vllm).usage?.output_tokens, 2);
  const groq = sse(chunk("a", { x_groq: { usage: { prompt_tokens: 8, completion_tokens: 3 } } }));
  assert.equal(parseBody(createOpenAiParser, "openai", CHAT, SSE, groq).usage?.input_tokens, 8);
});

Deno.test("createOpenAiParser() warns on an OpenRouter mid-stream error chunk and estimates", () => {
  const warnings: ParseWarning[] = [];
  const body = ": OPENROUTER PROCESSING\n\n" + sse(
    chunk("Hel"),
    {
      error: { code: 502, message: "Provider disconnected" },
      choices: [{ finish_reason: "error" }],
    },
  );
  const result = parseBody(
    createOpenAiParser,
    "openai",
    "/api/v1/chat/completions",
    "text/event-stream",
    body,
    {
      warnings,
    },
  );
  assert.equal(result.reason, "upstream error");
  assert.equal(warnings[0].code, "upstream-error");
  assert.equal(warnings[0].detail, "Provider disconnected");
});

Deno.test("createOpenAiParser() estimates embeddings input without usage and never counts output", () => {
  const result = parseBody(
    createOpenAiParser,
    "openai",
    "/v1/embeddings",
    "application/json",
    '{"data":[]}',
    {
      request: { model: "text-embedding-3-small", input: ["one two", "three"] },
    },
  );
  assert.equal(result.usage?.estimated, true);
  assert.equal(result.usage?.model, "text-embedding-3-small");
  assert.ok(result.usage!.input_tokens > 0);
  assert.equal(result.usage?.output_tokens, 0);
});

Deno.test("createOpenAiParser() returns usage null for an error status", () => {
  const body =
    '{\n    "error": {\n        "message": "Rate limit",\n        "code": "rate_limit_exceeded"\n    }\n}';
  const result = parseBody(createOpenAiParser, "openai", CHAT, "application/json", body, {
    status: 429,
  });
  assert.deepEqual(result, { usage: null, streamed: false, reason: "error status" });
});

Deno.test("createOpenAiParser() sniffs the framing when the content type is missing", () => {
  const body = sse(
    chunk("Hi"),
    chunk("", { choices: [], usage: { prompt_tokens: 4, completion_tokens: 1 } }),
  );
  const result = parseBody(createOpenAiParser, "openai", CHAT, null, ["\n", body]);
  assert.equal(result.streamed, true);
  assert.equal(result.usage?.input_tokens, 4);
});
