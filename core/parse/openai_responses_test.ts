import assert from "node:assert/strict";
import { parseBody } from "./_contract.ts";
import { createOpenAiParser } from "./openai.ts";

const SSE = "text/event-stream; charset=utf-8";
const sse = (...chunks: unknown[]) => chunks.map((c) => `data: ${JSON.stringify(c)}\n\n`).join("");

Deno.test("createOpenAiParser() counts the web_search_call items of the final Response", () => {
  const search = (id: string) => ({ type: "web_search_call", id, status: "completed" });
  const response = (output: unknown[]) => ({
    model: "gpt-5.4",
    status: "completed",
    output,
    usage: { input_tokens: 900, output_tokens: 60 },
    tool_usage: { web_search: { num_requests: 7 } }, // not usage: the output items count
  });
  const body = sse(
    { type: "response.output_item.done", item: search("ws_0") },
    {
      type: "response.completed",
      response: response([search("ws_1"), { type: "message", content: [] }, search("ws_2")]),
    },
  );
  const streamed = parseBody(createOpenAiParser, "openai", "/v1/responses", SSE, body);
  assert.equal(streamed.usage?.web_search_requests, 2);
  const json = JSON.stringify(response([search("ws_1")]));
  const whole = parseBody(createOpenAiParser, "openai", "/v1/responses", "application/json", json);
  assert.equal(whole.usage?.web_search_requests, 1);
});
