// curl through the relay receives exactly the bytes the upstream sent, for every fixture, however the
// upstream chunks or compresses them, and each call yields exactly its fixture's usage.
import assert from "node:assert/strict";
import { fixture } from "./fake_upstream.ts";
import { assertEventMatches, startStack } from "./_stack.ts";
import { curl } from "./_curl.ts";

const CASES = [
  "openai/chat",
  "openai/chat_stream_usage",
  "openai/chat_stream",
  "openai/responses",
  "openai/responses_stream",
  "openai/responses_incomplete",
  "openai/responses_failed",
  "openai/embeddings",
  "openai/compatible_cost",
  "anthropic/messages",
  "anthropic/messages_stream",
  "anthropic/messages_stream_error",
  "google/generate",
  "google/stream_sse",
  "google/stream_array",
];

Deno.test("curl through the relay gets the upstream's exact bytes and exact usage", async (t) => {
  const stack = await startStack();
  try {
    // Bytes pass untouched whenever Lumen changes nothing in the request. The include_usage rewrite
    // does change it (and takes out what it added), so it has tests of its own.
    await stack.daemon.putSettings({ include_stream_usage: false });
    for (const name of CASES) {
      const { meta } = await fixture(name);
      const provider = name.split("/")[0] as "openai" | "anthropic" | "google";
      const url = `${stack.relay(provider)}${meta.path}${meta.query ? `?${meta.query}` : ""}`;
      const chunkings = meta.content_type.startsWith("text/event-stream") ||
          name.endsWith("stream_array")
        ? ["events", "bytes", "whole"]
        : ["whole", "bytes"];
      for (const chunking of chunkings) {
        await t.step(`${name} (${chunking})`, async () => {
          const res = await curl(url, {
            headers: {
              "content-type": "application/json",
              "x-fake-case": name,
              "x-fake-chunking": chunking,
              "authorization": "Bearer sk-test",
            },
            body: JSON.stringify(meta.request),
          });
          assert.equal(res.status, 200);
          const sent = stack.upstream.sent(res.headers["x-fake-request-id"]);
          assert.deepEqual(res.body, sent);
          const { event } = await stack.feed.next();
          assertEventMatches(event, provider, meta.usage);
          assert.equal(event.client, "curl");
        });
      }
    }

    for (const encoding of ["gzip", "br", "deflate"]) {
      await t.step(
        `compressed (${encoding}) stream passes through compressed and is parsed`,
        async () => {
          const { meta } = await fixture("anthropic/messages_stream");
          const res = await curl(`${stack.relay("anthropic")}/v1/messages`, {
            headers: {
              "content-type": "application/json",
              "accept-encoding": encoding,
              "x-fake-case": "anthropic/messages_stream",
              "x-fake-encoding": encoding,
            },
            body: JSON.stringify(meta.request),
          });
          assert.equal(res.headers["content-encoding"], encoding);
          assert.deepEqual(res.body, stack.upstream.sent(res.headers["x-fake-request-id"]));
          const { event } = await stack.feed.next();
          assertEventMatches(event, "anthropic", meta.usage);
        },
      );
    }
  } finally {
    await stack.close();
  }
});
