import assert from "node:assert/strict";
import type { ParseRequest, Provider } from "../types.ts";
import { loadFixtures, run } from "./_contract.ts";
import { parserFor, usageDialectOf } from "./mod.ts";

const OK = { status: 200, contentType: "application/json" };
const request = (provider: Provider, path: string, query = ""): ParseRequest => ({
  provider,
  path,
  query,
  body: new Uint8Array(),
});

Deno.test("parserFor() returns null for requests that are not usage endpoints", () => {
  const paths: [Provider, string][] = [
    ["openai", "/v1/models"],
    ["openai", "/v1/files"],
    ["openai", "/v1/threads/thread_1/messages"],
    ["openai", "/v1/responses/resp_1"],
    ["openai", "/v1/responses/input_tokens"],
    ["anthropic", "/v1/messages/count_tokens"],
    ["anthropic", "/v1/messages/batches"],
    ["anthropic", "/api/event_logging/v2/batch"],
    ["google", "/v1beta/models/gemini-2.5-flash:countTokens"],
    ["google", "/v1beta/models"],
    ["google", "/v1beta/openai/models"],
  ];
  for (const [provider, path] of paths) {
    assert.equal(parserFor(request(provider, path), OK), null, path);
  }
});

Deno.test("usageDialectOf() picks the dialect from the path, whatever the host", () => {
  assert.equal(usageDialectOf("/v1/messages"), "anthropic");
  assert.equal(usageDialectOf("/api/v1/messages"), "anthropic"); // OpenRouter
  assert.equal(usageDialectOf("/v1/chat/completions"), "openai"); // also Anthropic's compat layer
  assert.equal(usageDialectOf("/v1/completions"), "openai");
  assert.equal(usageDialectOf("/v1/responses/"), "openai");
  assert.equal(usageDialectOf("/v1/embeddings"), "openai");
  assert.equal(usageDialectOf("/v1beta/openai/chat/completions"), "openai");
  assert.equal(usageDialectOf("/v1beta/models/gemini-2.5-flash:streamGenerateContent"), "gemini");
  assert.equal(usageDialectOf("/v1beta/models/gemini-embedding-001:batchEmbedContents"), "gemini");
});

Deno.test("parserFor() yields usage null with reason for a non-2xx response", () => {
  for (const status of [400, 401, 429, 500, 529]) {
    const parser = parserFor(request("anthropic", "/v1/messages", "beta=true"), {
      status,
      contentType: "application/json",
    });
    assert.ok(parser);
    parser.feed(new TextEncoder().encode('{"type":"error","error":{"type":"rate_limit_error"}}'));
    assert.deepEqual(parser.finish({ aborted: false }), {
      usage: null,
      streamed: false,
      reason: "error status",
    });
  }
});

Deno.test("parserFor() reads every fixture through the right dialect", async () => {
  for (
    const provider of ["openai", "anthropic", "google", "cursor", "claude_ai", "custom"] as const
  ) {
    for (const f of await loadFixtures(provider)) {
      const result = run((req, res, options) => parserFor(req, res, options), f, [f.bytes], false);
      assert.deepEqual(result.usage, f.expected, f.name);
    }
  }
});

Deno.test("parserFor() survives an onWarning callback that throws", () => {
  const parser = parserFor(request("openai", "/v1/chat/completions"), {
    status: 200,
    contentType: "text/event-stream",
  }, {
    onWarning() {
      throw new Error("observer bug");
    },
  });
  assert.ok(parser);
  parser.feed(new TextEncoder().encode("data: {not json\n\ndata: [DONE]\n\n"));
  const result = parser.finish({ aborted: false });
  assert.equal(result.usage?.estimated, true);
});

Deno.test("parserFor() estimates an empty 2xx body from the request alone", () => {
  const body = new TextEncoder().encode(
    JSON.stringify({ model: "gpt-5-mini", input: "Hello there" }),
  );
  const parser = parserFor({ provider: "openai", path: "/v1/responses", query: "", body }, {
    status: 200,
    contentType: "text/event-stream",
  });
  const result = parser!.finish({ aborted: true });
  assert.equal(result.usage?.model, "gpt-5-mini");
  assert.equal(result.usage?.estimated, true);
  assert.equal(result.usage?.output_tokens, 0);
  assert.ok(result.usage!.input_tokens > 0);
  assert.equal(result.streamed, true);
});

Deno.test("parserFor() gives no parser to a request that is not a POST", () => {
  const body = new TextEncoder().encode("");
  for (const method of ["GET", "HEAD", "DELETE"]) {
    const request = {
      provider: "openai" as const,
      method,
      path: "/v1/chat/completions",
      query: "",
    };
    assert.equal(parserFor({ ...request, body }, { status: 200, contentType: null }), null);
  }
  const post = { provider: "openai" as const, method: "POST", path: "/v1/chat/completions" };
  assert.notEqual(
    parserFor({ ...post, query: "", body }, { status: 200, contentType: "application/json" }),
    null,
  );
});
