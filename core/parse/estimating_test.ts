import assert from "node:assert/strict";
import { parseBody } from "./_contract.ts";
import { estimateRequestTokens, estimateTokens } from "./estimate.ts";
import { createEstimatingParser } from "./estimating.ts";

const PATH = "/v2/ask";
const request = { model: "acme-llm", prompt: "Is the office open on holidays?" };

Deno.test("createEstimatingParser() counts a JSON body's string values, not its metadata", () => {
  const body = JSON.stringify({
    id: "gen_1",
    model: "acme-llm-2",
    role: "assistant",
    output: { answer: "Closed on holidays.", reasoning: "Checked the handbook." },
    latency_ms: 812,
  });
  const result = parseBody(createEstimatingParser, "custom", PATH, "application/json", body, {
    request,
  });
  const usage = result.usage!;
  assert.equal(usage.model, "acme-llm-2");
  assert.equal(usage.estimated, true);
  assert.equal(
    usage.output_tokens,
    estimateTokens("Closed on holidays.") + estimateTokens("Checked the handbook."),
  );
  assert.equal(usage.reasoning_tokens, estimateTokens("Checked the handbook."));
  assert.equal(
    usage.input_tokens,
    estimateRequestTokens("custom", new TextEncoder().encode(JSON.stringify(request))),
  );
  assert.equal(result.streamed, false);
});

Deno.test("createEstimatingParser() reads SSE with JSON or plain-text data", () => {
  const body = 'data: {"delta":"Hello"}\n\ndata: {"delta":" world"}\n\ndata: plain text\n\n' +
    "data: [DONE]\n\n";
  const result = parseBody(createEstimatingParser, "custom", PATH, "text/event-stream", body, {
    request,
  });
  assert.equal(result.streamed, true);
  assert.equal(
    result.usage?.output_tokens,
    estimateTokens("Hello") + estimateTokens(" world") + Math.ceil("plain text".length / 4),
  );
  assert.equal(result.usage?.model, "acme-llm");
});

Deno.test("createEstimatingParser() counts ~4 bytes per token of a body in any other format", () => {
  const result = parseBody(createEstimatingParser, "custom", PATH, "text/plain", "x".repeat(41), {
    request,
  });
  assert.equal(result.usage?.output_tokens, 11);
  assert.equal(result.reason, "no usage");
  const unlabelled = parseBody(createEstimatingParser, "custom", PATH, null, "abcd", {
    request,
    aborted: true,
  });
  assert.equal(unlabelled.usage?.output_tokens, 1);
  assert.equal(unlabelled.reason, "aborted");
});

Deno.test("createEstimatingParser() reads NDJSON lines and a cut JSON body", () => {
  const ndjson = parseBody(
    createEstimatingParser,
    "custom",
    PATH,
    "application/jsonl",
    '{"text":"one"}\n{"text":"two"}\n',
    { request },
  );
  assert.equal(ndjson.usage?.output_tokens, 2);
  assert.equal(ndjson.streamed, true);
  const cut = '{"answer":"Closed on hol';
  const partial = parseBody(createEstimatingParser, "custom", PATH, "application/json", cut, {
    request,
    aborted: true,
  });
  assert.equal(partial.usage?.output_tokens, Math.ceil(cut.length / 4));
});
