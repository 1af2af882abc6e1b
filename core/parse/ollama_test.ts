import assert from "node:assert/strict";
import type { ParseWarning } from "../types.ts";
import { parseBody } from "./_contract.ts";
import { estimateTokens } from "./estimate.ts";
import { createOllamaParser, isOllamaPath } from "./ollama.ts";

const NDJSON = "application/x-ndjson";
const line = (value: unknown) => JSON.stringify(value) + "\n";
const chunk = (content: string) =>
  line({ model: "llama3.2", message: { role: "assistant", content }, done: false });
const done = line({
  model: "llama3.2",
  message: { role: "assistant", content: "" },
  done: true,
  done_reason: "stop",
  prompt_eval_count: 26,
  eval_count: 9,
});
const request = {
  model: "llama3.2",
  messages: [{ role: "user", content: "Why is the sky blue?" }],
};

Deno.test("createOllamaParser() reads the done line of an NDJSON stream exactly", () => {
  const result = parseBody(createOllamaParser, "custom", "/api/chat", NDJSON, [
    chunk("The sky"),
    chunk(" is blue."),
    done,
  ], { request });
  assert.equal(result.streamed, true);
  assert.deepEqual(
    [result.usage?.input_tokens, result.usage?.output_tokens, result.usage?.estimated],
    [26, 9, false],
  );
  assert.equal(result.usage?.model, "llama3.2");
});

Deno.test("createOllamaParser() reads a non-streamed generate body, labelled or not", () => {
  const body = JSON.stringify({
    model: "qwen3:8b",
    response: "Ahoy!",
    done: true,
    prompt_eval_count: 18,
    eval_count: 41,
  });
  for (const type of ["application/json; charset=utf-8", null]) {
    const result = parseBody(createOllamaParser, "custom", "/api/generate", type, body, {
      request: { model: "qwen3:8b", prompt: "Greet me", stream: false },
    });
    assert.equal(result.streamed, false, String(type));
    assert.equal(result.usage?.output_tokens, 41);
    assert.equal(result.usage?.estimated, false);
  }
});

Deno.test("createOllamaParser() estimates a stream aborted before its done line", () => {
  const result = parseBody(createOllamaParser, "custom", "/api/chat", NDJSON, [
    chunk("The sky"),
    chunk(" is blue"),
    '{"model":"llama3.2","message":{"role":"assistant","content":" bec',
  ], { request, aborted: true });
  assert.equal(result.usage?.estimated, true);
  assert.equal(result.reason, "aborted");
  assert.equal(result.usage?.output_tokens, estimateTokens("The sky is blue bec"));
  assert.ok(result.usage!.input_tokens > 0);
});

Deno.test("createOllamaParser() counts thinking as reasoning in an estimate and warns on errors", () => {
  const warnings: ParseWarning[] = [];
  const result = parseBody(createOllamaParser, "custom", "/api/generate", NDJSON, [
    line({ model: "qwen3:8b", thinking: "Let me think.", response: "", done: false }),
    line({ model: "qwen3:8b", response: "Answer.", done: false }),
    line({ error: "model runner has unexpectedly stopped" }),
  ], { warnings, request: { model: "qwen3:8b", prompt: "Q" } });
  assert.equal(result.reason, "upstream error");
  assert.equal(result.usage?.reasoning_tokens, estimateTokens("Let me think."));
  assert.equal(result.usage?.output_tokens, estimateTokens("Let me think.Answer."));
  assert.deepEqual(warnings.map((w) => w.code), ["upstream-error"]);
});

Deno.test("isOllamaPath() accepts /api/chat and /api/generate under any prefix", () => {
  assert.equal(isOllamaPath("/api/chat"), true);
  assert.equal(isOllamaPath("/ollama/api/generate/"), true);
  assert.equal(isOllamaPath("/api/chat/completions"), false);
  assert.equal(isOllamaPath("/api/tags"), false);
});
