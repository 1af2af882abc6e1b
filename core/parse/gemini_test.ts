import assert from "node:assert/strict";
import { loadFixtures, parseBody, runParserContract } from "./_contract.ts";
import { estimateRequestTokens, estimateTokens } from "./estimate.ts";
import {
  createGeminiParser,
  geminiMethodOf,
  geminiModelOf,
  normalizeGeminiUsage,
} from "./gemini.ts";

const fixtures = await loadFixtures("google");
runParserContract("createGeminiParser()", createGeminiParser, fixtures);

const STREAM = "/v1beta/models/gemini-flash-latest:streamGenerateContent";
const chunk = (
  text: string,
  usageMetadata: Record<string, unknown>,
  extra: Record<string, unknown> = {},
) => ({
  candidates: [{ content: { parts: [{ text }], role: "model" }, index: 0, ...extra }],
  usageMetadata,
});
const sse = (...chunks: unknown[]) =>
  chunks.map((c) => `data: ${JSON.stringify(c)}\r\n\r\n`).join("");

Deno.test("normalizeGeminiUsage() adds thoughts to output and subtracts cached content from input", () => {
  const usage = normalizeGeminiUsage({
    promptTokenCount: 2315,
    toolUsePromptTokenCount: 15,
    cachedContentTokenCount: 2048,
    candidatesTokenCount: 118,
    thoughtsTokenCount: 464,
  }, "gemini-2.5-flash");
  assert.equal(usage.input_tokens, 2315 + 15 - 2048);
  assert.equal(usage.cache_read_tokens, 2048);
  assert.equal(usage.output_tokens, 118 + 464);
  assert.equal(usage.reasoning_tokens, 464);
});

Deno.test("createGeminiParser() takes the last cumulative usageMetadata, never a sum", () => {
  const body = sse(
    chunk("A", { promptTokenCount: 10, thoughtsTokenCount: 50 }),
    chunk("B", { promptTokenCount: 10, candidatesTokenCount: 4, thoughtsTokenCount: 50 }),
    chunk("C", { promptTokenCount: 10, candidatesTokenCount: 9, thoughtsTokenCount: 50 }, {
      finishReason: "STOP",
    }),
  );
  const usage = parseBody(createGeminiParser, "google", STREAM, "text/event-stream", body, {
    query: "alt=sse",
  })
    .usage!;
  assert.equal(usage.input_tokens, 10);
  assert.equal(usage.output_tokens, 59);
  assert.equal(usage.reasoning_tokens, 50);
});

Deno.test("createGeminiParser() reads the usage before a last chunk that is cut short", () => {
  const whole = sse(
    { ...chunk("A", { promptTokenCount: 10, candidatesTokenCount: 2 }), modelVersion: "m-1" },
    { ...chunk("B", { promptTokenCount: 10, candidatesTokenCount: 5 }), modelVersion: "m-1" },
  );
  const cut = whole.slice(0, whole.lastIndexOf("usageMetadata") + 20); // inside the last JSON
  const result = parseBody(createGeminiParser, "google", STREAM, "text/event-stream", cut, {
    query: "alt=sse",
  });
  assert.equal(result.usage!.input_tokens, 10);
  assert.equal(result.usage!.output_tokens, 2);
  assert.equal(result.usage!.model, "m-1");
});

Deno.test("createGeminiParser() prefers modelVersion and falls back to the URL model", () => {
  const meta = { promptTokenCount: 1, candidatesTokenCount: 1 };
  const named = parseBody(
    createGeminiParser,
    "google",
    STREAM,
    "text/event-stream",
    sse({
      ...chunk("x", meta, { finishReason: "STOP" }),
      modelVersion: "gemini-2.5-flash-preview-09-2025",
    }),
  );
  assert.equal(named.usage?.model, "gemini-2.5-flash-preview-09-2025");
  const unnamed = parseBody(
    createGeminiParser,
    "google",
    STREAM,
    "text/event-stream",
    sse(chunk("x", meta)),
  );
  assert.equal(unnamed.usage?.model, "gemini-flash-latest");
});

Deno.test("createGeminiParser() marks an aborted stream's last usage snapshot as estimated", () => {
  const body = sse(chunk("A", { promptTokenCount: 10, candidatesTokenCount: 3 }));
  const result = parseBody(createGeminiParser, "google", STREAM, "text/event-stream", body, {
    aborted: true,
  });
  assert.equal(result.usage?.estimated, true);
  assert.equal(result.usage?.input_tokens, 10);
  assert.equal(result.reason, "aborted");
});

Deno.test("createGeminiParser() reads a JSON-array stream without alt=sse and a bare object", () => {
  const elements = [
    chunk("A", { promptTokenCount: 4 }),
    chunk("B", { promptTokenCount: 4, candidatesTokenCount: 2 }),
  ];
  const array = "[" + elements.map((e) => JSON.stringify(e, null, 2)).join("\n,\r\n") + "\n]";
  const result = parseBody(
    createGeminiParser,
    "google",
    STREAM,
    "application/json; charset=UTF-8",
    array,
  );
  assert.equal(result.streamed, true);
  assert.equal(result.usage?.output_tokens, 2);
  const bare = parseBody(
    createGeminiParser,
    "google",
    STREAM,
    "application/json",
    JSON.stringify(elements[1]),
  );
  assert.equal(bare.usage?.output_tokens, 2);
});

Deno.test("createGeminiParser() estimates text and thought parts when no usageMetadata arrives", () => {
  const body = sse({
    candidates: [{
      content: { parts: [{ text: "Considering options.", thought: true }, { text: "Pick B." }] },
    }],
  });
  const request = { contents: [{ role: "user", parts: [{ text: "A or B?" }] }] };
  const usage = parseBody(createGeminiParser, "google", STREAM, "text/event-stream", body, {
    request,
    aborted: true,
  })
    .usage!;
  assert.equal(usage.estimated, true);
  assert.equal(
    usage.input_tokens,
    estimateRequestTokens("google", new TextEncoder().encode(JSON.stringify(request))),
  );
  assert.equal(usage.reasoning_tokens, estimateTokens("Considering options."));
  assert.equal(usage.output_tokens, estimateTokens("Considering options.Pick B."));
});

Deno.test("createGeminiParser() estimates embedContent input from the request and counts no output", () => {
  const request = {
    model: "models/gemini-embedding-001",
    content: { parts: [{ text: "What is a token?" }] },
  };
  const result = parseBody(
    createGeminiParser,
    "google",
    "/v1beta/models/gemini-embedding-001:embedContent",
    "application/json; charset=UTF-8",
    '{\n  "embedding": {\n    "values": [0.1, -0.2]\n  }\n}\n',
    { request },
  );
  assert.equal(result.usage?.estimated, true);
  assert.equal(result.usage?.model, "gemini-embedding-001");
  assert.ok(result.usage!.input_tokens > 0);
  assert.equal(result.usage?.output_tokens, 0);
});

Deno.test("createGeminiParser() treats a blocked prompt as a complete response", () => {
  const body = JSON.stringify({
    promptFeedback: { blockReason: "SAFETY" },
    usageMetadata: { promptTokenCount: 12, totalTokenCount: 12 },
  });
  const result = parseBody(
    createGeminiParser,
    "google",
    STREAM,
    "text/event-stream",
    `data: ${body}\r\n\r\n`,
    {
      aborted: true,
    },
  );
  assert.equal(result.usage?.estimated, false);
  assert.equal(result.usage?.input_tokens, 12);
});

Deno.test("createGeminiParser() delegates /v1beta/openai/ paths to the OpenAI parser", () => {
  const body = JSON.stringify({
    model: "gemini-2.5-flash",
    choices: [{ message: { content: "Hi" } }],
    usage: { prompt_tokens: 6, completion_tokens: 2, total_tokens: 30 },
  });
  const usage = parseBody(
    createGeminiParser,
    "google",
    "/v1beta/openai/chat/completions",
    "application/json",
    body,
  )
    .usage!;
  assert.equal(usage.input_tokens, 6);
  assert.equal(usage.output_tokens, 24); // thoughts only in total_tokens
});

Deno.test("geminiMethodOf() and geminiModelOf() read the model and method from the path", () => {
  assert.equal(
    geminiMethodOf("/v1beta/models/gemini-2.5-flash:generateContent"),
    "generateContent",
  );
  assert.equal(geminiMethodOf("/v1beta/models/gemini-2.5-flash:countTokens"), null);
  assert.equal(geminiMethodOf("/v1beta/models"), null);
  const vertex =
    "/v1/projects/p/locations/us-central1/publishers/google/models/gemini-2.5-pro:streamGenerateContent";
  assert.equal(geminiMethodOf(vertex), "streamGenerateContent");
  assert.equal(geminiModelOf(vertex), "gemini-2.5-pro");
  assert.equal(geminiModelOf("/v1beta/tunedModels/my-model-7:generateContent"), "my-model-7");
});
