import assert from "node:assert/strict";
import type { ParseRequest, ParseResponse } from "../types.ts";
import { loadFixtures, parseBody, runParserContract } from "./_contract.ts";
import { type CustomRoute, customRouteOf } from "./custom.ts";
import { parserFor } from "./mod.ts";

runParserContract("parserFor() for custom hosts", parserFor, await loadFixtures("custom"));

const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
const chat = { model: "m", messages: [{ role: "user", content: "Hi" }] };
const anthropic = { ...chat, max_tokens: 64, system: "Be brief." };

Deno.test("customRouteOf() picks the parser by path first, then by body shape", () => {
  const table: [string, unknown, CustomRoute | null][] = [
    ["/v1/chat/completions", chat, "openai-chat"],
    ["/chat/completions", chat, "openai-chat"], // LiteLLM, Open WebUI without /v1
    ["/api/chat/completions", chat, "openai-chat"], // Open WebUI's path beats Ollama's /api/chat
    ["/v1/completions", { prompt: "Once" }, "openai-chat"],
    ["/v1/responses", { input: "Hi" }, "openai-responses"],
    ["/responses", { input: "Hi" }, "openai-responses"],
    ["/v1/embeddings", { input: "Hi" }, "openai-embeddings"],
    ["/v1/messages", anthropic, "anthropic"],
    ["/api/v1/messages", chat, "anthropic"], // OpenRouter: the path decides, not the body
    ["/anthropic/messages", anthropic, "anthropic"],
    ["/v1beta/models/gemini-2.5-flash:generateContent", { contents: [] }, "gemini"],
    ["/api/chat", chat, "ollama"],
    ["/ollama/api/generate", { prompt: "Hi" }, "ollama"],
    ["/gateway/invoke", anthropic, "anthropic"],
    ["/gateway/invoke", { ...chat, anthropic_version: "bedrock-2023-05-31" }, "anthropic"],
    ["/gateway/invoke", { ...chat, max_tokens: 64, stop_sequences: ["\n"] }, "anthropic"],
    ["/gateway/invoke", {
      max_tokens: 64,
      messages: [{ role: "user", content: [{ type: "tool_result", tool_use_id: "t" }] }],
    }, "anthropic"],
    ["/gateway/invoke", { ...chat, max_tokens: 64 }, "openai-chat"], // no Anthropic-only field
    ["/gateway/invoke", { ...chat, system: "x" }, "openai-chat"], // Anthropic requires max_tokens
    ["/gateway/invoke", { prompt: ["Once", "Twice"] }, "openai-chat"],
    ["/gateway/invoke", { input: [{ role: "user", content: "Hi" }] }, "openai-responses"],
    ["/gateway/invoke", { input: "Hi", encoding_format: "base64" }, "openai-embeddings"],
    ["/gateway/invoke", { input: ["a", "b"] }, "openai-embeddings"],
    ["/gateway/invoke", { contents: [{ parts: [{ text: "Hi" }] }] }, "estimate"],
    ["/gateway/invoke", { input: { question: "Hi" } }, "estimate"],
    ["/gateway/invoke", { messages: "Hi" }, "estimate"],
    ["/gateway/invoke", { query: "Hi" }, null], // no prompt-bearing field
    ["/gateway/invoke", ["not", "an", "object"], null],
    ["/v1/messages/count_tokens", anthropic, null],
    ["/v1/responses/input_tokens", { input: "Hi" }, null],
    ["/tokenize", { prompt: "Hi" }, null],
    ["/v1/threads/thread_1/messages", { role: "user", content: "Hi" }, null],
  ];
  for (const [path, body, route] of table) {
    assert.equal(customRouteOf(path, encode(body)), route, `${path} ${JSON.stringify(body)}`);
  }
});

Deno.test("customRouteOf() returns null for GETs and bodies that are not a JSON object", () => {
  const bodies = [
    new Uint8Array(), // a GET
    new TextEncoder().encode("   "),
    new TextEncoder().encode("--boundary\r\nContent-Disposition: form-data"),
    new TextEncoder().encode('{"messages": [ cut'),
    Uint8Array.of(0x0a, 0x04, 0x74, 0x65), // protobuf
  ];
  for (const body of bodies) {
    assert.equal(customRouteOf("/gateway/invoke", body), null);
    assert.equal(customRouteOf("/v1/models", body), null);
  }
  // A known path needs only a JSON object opening; its parser reads the rest.
  assert.equal(
    customRouteOf("/v1/chat/completions", new TextEncoder().encode(" {")),
    "openai-chat",
  );
});

Deno.test("parserFor() returns null for a custom host's GET and non-usage paths", () => {
  const ok: ParseResponse = { status: 200, contentType: "application/json" };
  const request = (path: string, body: Uint8Array): ParseRequest => ({
    provider: "custom",
    path,
    query: "",
    body,
  });
  assert.equal(parserFor(request("/v1/models", new Uint8Array()), ok), null);
  assert.equal(parserFor(request("/v1/chat/completions", new Uint8Array()), ok), null);
  assert.equal(parserFor(request("/health", encode({ ping: true })), ok), null);
});

Deno.test("parserFor() reads exact OpenAI-compatible usage from a custom host on any path", () => {
  const body = JSON.stringify({
    model: "qwen2.5-7b-instruct",
    choices: [{ message: { role: "assistant", content: "Hi" } }],
    usage: { prompt_tokens: 12, completion_tokens: 3, total_tokens: 15 },
  });
  const usage = parseBody(parserFor, "custom", "/serving/llm", "application/json", body, {
    request: chat,
  }).usage!;
  assert.equal(usage.estimated, false);
  assert.equal(usage.input_tokens, 12);
  assert.equal(usage.output_tokens, 3);
  assert.equal(usage.model, "qwen2.5-7b-instruct");
});

Deno.test("parserFor() gives a custom host's error status no usage", () => {
  const result = parseBody(parserFor, "custom", "/api/chat", "application/json", '{"error":"x"}', {
    request: chat,
    status: 500,
  });
  assert.deepEqual(result, { usage: null, streamed: false, reason: "error status" });
});
