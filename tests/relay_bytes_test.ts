// curl through the relay receives exactly the bytes the upstream sent, for every fixture, however the
// upstream chunks or compresses them, and each call yields exactly its fixture's usage.
import assert from "node:assert/strict";
import { fixture } from "./fake_upstream.ts";
import { assertEventMatches, startStack } from "./_stack.ts";

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

/** Runs curl and returns the response headers and the exact body bytes it wrote. */
export async function curl(
  url: string,
  options: { headers?: Record<string, string>; body?: string; method?: string } = {},
): Promise<{ status: number; headers: Record<string, string>; body: Uint8Array }> {
  const dir = await Deno.makeTempDir({ prefix: "lumen-curl-" });
  try {
    const args = ["-sS", "--no-buffer", "-X", options.method ?? "POST", url, "-D", `${dir}/h`];
    args.push("-o", `${dir}/b`, "--max-time", "30");
    for (const [k, v] of Object.entries(options.headers ?? {})) args.push("-H", `${k}: ${v}`);
    if (options.body !== undefined) args.push("--data-binary", options.body);
    const out = await new Deno.Command("curl", { args, stdin: "null" }).output();
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    const head = await Deno.readTextFile(`${dir}/h`);
    const [statusLine, ...lines] = head.trim().split(/\r?\n/);
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const at = line.indexOf(":");
      headers[line.slice(0, at).toLowerCase()] = line.slice(at + 1).trim();
    }
    return {
      status: Number(statusLine.split(" ")[1]),
      headers,
      body: await Deno.readFile(`${dir}/b`),
    };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("curl through the relay gets the upstream's exact bytes and exact usage", async (t) => {
  const stack = await startStack();
  try {
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
