import assert from "node:assert/strict";
import zlib from "node:zlib";
import { type FakeUpstream, fixture, startFakeUpstream } from "./fake_upstream.ts";
import { FIXTURES, listSharedFixtures, writeFixtures } from "./_fake_fixtures.ts";

/** Runs `fn` against a fake upstream on the throwaway fixtures, closing everything afterwards. */
async function withUpstream(fn: (up: FakeUpstream, client: Deno.HttpClient) => Promise<void>) {
  const fixtures = await writeFixtures();
  const up = await startFakeUpstream({ fixturesDir: fixtures.dir });
  const client = Deno.createHttpClient({ caCerts: [up.caPem] });
  try {
    await fn(up, client);
  } finally {
    client.close();
    await up.close();
    await Deno.remove(fixtures.path, { recursive: true });
  }
}

function post(up: FakeUpstream, client: Deno.HttpClient, target: string, options: {
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
} = {}): Promise<Response> {
  return fetch(up.origin + target, {
    method: "POST",
    body: JSON.stringify(options.body ?? {}),
    headers: { "content-type": "application/json", ...options.headers },
    signal: options.signal,
    client,
  });
}

const bytes = (text: string) => new TextEncoder().encode(text);

Deno.test("startFakeUpstream() picks the fixture a real API would answer with", async () => {
  await withUpstream(async (up, client) => {
    const routes: [target: string, body: unknown, expected: string][] = [
      ["/v1/chat/completions", { model: "gpt-5-mini" }, "openai/chat"],
      ["/v1/chat/completions", { stream: true }, "openai/chat_stream"],
      [
        "/v1/chat/completions",
        { stream: true, stream_options: { include_usage: true } },
        "openai/chat_stream_usage",
      ],
      ["/v1/responses", {}, "openai/responses"],
      ["/v1/responses", { stream: true }, "openai/responses_stream"],
      ["/v1/embeddings", { input: "x" }, "openai/embeddings"],
      ["/api/v1/chat/completions", { stream: true }, "openai/compatible_cost"],
      ["/v1/messages?beta=true", {}, "anthropic/messages"],
      ["/v1/messages", { stream: true }, "anthropic/messages_stream"],
      ["/v1beta/models/gemini-2.5-flash:generateContent", {}, "google/generate"],
      ["/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse", {}, "google/stream_sse"],
      ["/v1beta/models/gemini-2.5-flash:streamGenerateContent", {}, "google/stream_array"],
    ];
    for (const [target, body, expected] of routes) {
      const res = await post(up, client, target, { body, headers: { "X-Custom": "Yes" } });
      const got = new Uint8Array(await res.arrayBuffer());
      const [contentType, fixtureBody] = FIXTURES[expected];
      assert.equal(res.status, 200, target);
      assert.equal(res.headers.get("content-type"), contentType, target);
      assert.deepEqual(got, bytes(fixtureBody), `${target} → ${expected}`);
      const record = up.requests.at(-1)!;
      assert.equal(record.case, expected);
      assert.equal(res.headers.get("x-fake-request-id"), record.id);
      assert.equal(record.headers["x-custom"], "Yes");
      assert.deepEqual(record.body, bytes(JSON.stringify(body)));
      assert.deepEqual(up.sent(record.id), got);
    }
    assert.equal(up.requests[7].path, "/v1/messages");
    assert.equal(up.requests[7].query, "beta=true");
  });
});

Deno.test("startFakeUpstream() lets x-fake-case override the route", async () => {
  await withUpstream(async (up, client) => {
    const res = await post(up, client, "/v1/chat/completions", {
      headers: { "x-fake-case": "openai/responses_failed" },
    });
    assert.equal(await res.text(), FIXTURES["openai/responses_failed"][1]);
    const unknown = await post(up, client, "/v1/chat/completions", {
      headers: { "x-fake-case": "../../etc/passwd" },
    });
    assert.equal(unknown.status, 400);
    await unknown.body?.cancel();
  });
});

Deno.test("startFakeUpstream() answers unknown routes with the provider's 404", async () => {
  await withUpstream(async (up, client) => {
    const openai = await post(up, client, "/v1/nope");
    assert.equal(openai.status, 404);
    const text = await openai.text();
    assert.match(
      text,
      /^\{\n {4}"error": \{\n {8}"message": "Unknown request URL: POST \/v1\/nope\."/,
    );
    const google = await post(up, client, "/v1beta/models/gemini-2.5-pro:countTokens");
    assert.equal((await google.json()).error.status, "NOT_FOUND");
    const anthropic = await fetch(`${up.origin}/v1/messages`, { client }); // GET
    assert.equal((await anthropic.json()).error.type, "not_found_error");
    assert.equal(up.requests.at(-1)?.case, null);
  });
});

Deno.test("startFakeUpstream() answers x-fake-status with each provider's error shape", async () => {
  await withUpstream(async (up, client) => {
    const headers = { "x-fake-status": "429" };
    const openai = await post(up, client, "/v1/chat/completions", { headers });
    assert.equal(openai.status, 429);
    assert.equal(openai.headers.get("retry-after"), "1");
    const openaiBody = await openai.text();
    assert.ok(openaiBody.startsWith('{\n    "error": {\n'), openaiBody);
    assert.equal(JSON.parse(openaiBody).error.code, "rate_limit_exceeded");

    const anthropic = await post(up, client, "/v1/messages", { headers });
    const anthropicBody = await anthropic.text();
    assert.ok(!anthropicBody.includes("\n"), "Anthropic errors are one compact line");
    const parsed = JSON.parse(anthropicBody);
    assert.equal(parsed.type, "error");
    assert.equal(parsed.error.type, "rate_limit_error");
    assert.equal(parsed.request_id, anthropic.headers.get("request-id"));

    const google = await post(up, client, "/v1beta/models/gemini-2.5-flash:generateContent", {
      headers: { "x-fake-status": "503" },
    });
    assert.equal(google.status, 503);
    assert.deepEqual((await google.json()).error, {
      code: 503,
      message: "Error 503",
      status: "UNAVAILABLE",
    });
  });
});

Deno.test("startFakeUpstream() sends identical bytes in every chunking mode", async () => {
  await withUpstream(async (up, client) => {
    const cases = ["openai/chat_stream_usage", "anthropic/messages_stream", "google/stream_array"];
    for (const name of cases) {
      for (const chunking of ["whole", "events", "bytes"]) {
        const res = await post(up, client, "/v1/chat/completions", {
          headers: { "x-fake-case": name, "x-fake-chunking": chunking, "x-fake-seed": "7" },
        });
        const got = new Uint8Array(await res.arrayBuffer());
        assert.deepEqual(got, bytes(FIXTURES[name][1]), `${name} ${chunking}`);
        assert.deepEqual(up.sent(res.headers.get("x-fake-request-id")!), got);
        // Only a whole body is announced by length; the others are streamed.
        const length = chunking === "whole" ? String(got.length) : null;
        assert.equal(res.headers.get("content-length"), length, `${name} ${chunking}`);
      }
    }
  });
});

Deno.test("startFakeUpstream() writes one event per chunk, spaced by x-fake-delay-ms", async () => {
  await withUpstream(async (up, client) => {
    const started = performance.now();
    const res = await post(up, client, "/v1/messages", {
      body: { stream: true },
      headers: { "x-fake-delay-ms": "40" },
    });
    const reader = res.body!.getReader();
    const first = await reader.read();
    assert.equal(
      new TextDecoder().decode(first.value),
      'event: message_start\ndata: {"type": "message_start"}\n\n',
    );
    while (!(await reader.read()).done) { /* drain */ }
    assert.ok(performance.now() - started >= 3 * 40 - 5, "three pauses between four events");
  });
});

Deno.test("startFakeUpstream() holds a stalled stream until the client goes", async () => {
  const fixtures = await writeFixtures();
  const up = await startFakeUpstream({ fixturesDir: fixtures.dir });
  const client = Deno.createHttpClient({ caCerts: [up.caPem] });
  const abort = new AbortController();
  const res = await post(up, client, "/v1/chat/completions", {
    body: { stream: true },
    headers: { "x-fake-stall": "2", "x-fake-delay-ms": "5" },
    signal: abort.signal,
  });
  const reader = res.body!.getReader();
  let received = "";
  while (received.split("\n\n").length < 3) {
    received += new TextDecoder().decode((await reader.read()).value);
  }
  assert.equal(received, 'data: {"c":1}\n\ndata: {"c":2}\n\n');
  const record = up.requests.at(-1)!;
  assert.equal(record.ended, null);
  abort.abort();
  await assert.rejects(reader.read());
  await waitFor(() => record.ended === "aborted");
  client.close();
  assert.deepEqual(up.sent(record.id), bytes(received));
  await up.close();
  await Deno.remove(fixtures.path, { recursive: true });
});

// Ops sanitizing is off by default in Deno 2; on here, it fails the test if close() leaves a timer.
Deno.test("FakeUpstream.close() cuts stalled and slow streams", { sanitizeOps: true }, async () => {
  const fixtures = await writeFixtures();
  const up = await startFakeUpstream({ fixturesDir: fixtures.dir });
  const client = Deno.createHttpClient({ caCerts: [up.caPem] });
  const cuts = [];
  const slow: Record<string, string>[] = [{ "x-fake-stall": "1" }, { "x-fake-delay-ms": "60000" }];
  for (const headers of slow) {
    const res = await post(up, client, "/v1/chat/completions", { body: { stream: true }, headers });
    const reader = res.body!.getReader();
    assert.equal(new TextDecoder().decode((await reader.read()).value), 'data: {"c":1}\n\n');
    cuts.push(assert.rejects(reader.read()));
  }
  await up.close(); // would wait a minute, or leak the delay timer, if it did not cut
  await Promise.all(cuts);
  assert.deepEqual(up.requests.map((r) => r.ended), ["aborted", "aborted"]);
  await assert.rejects(Deno.stat(up.caFile), Deno.errors.NotFound);
  client.close();
  await Deno.remove(fixtures.path, { recursive: true });
});

Deno.test("startFakeUpstream() compresses only when accept-encoding allows it", async () => {
  await withUpstream(async (up, client) => {
    const plain = bytes(FIXTURES["anthropic/messages_stream"][1]);
    const decoders = {
      gzip: zlib.gunzipSync,
      br: zlib.brotliDecompressSync,
      deflate: zlib.inflateSync,
    };
    for (const [encoding, decode] of Object.entries(decoders)) {
      const res = await post(up, client, "/v1/messages", {
        body: { stream: true },
        headers: { "x-fake-encoding": encoding, "accept-encoding": "gzip, deflate, br" },
      });
      assert.equal(res.headers.get("content-encoding"), encoding);
      const got = new Uint8Array(await res.arrayBuffer());
      const wire = up.sent(res.headers.get("x-fake-request-id")!);
      assert.notDeepEqual(wire, plain);
      // Deno's fetch decodes gzip and br itself but hands deflate over as it came.
      assert.deepEqual(got, encoding === "deflate" ? wire : plain, encoding);
      assert.deepEqual(new Uint8Array(decode(wire)), plain, encoding);
    }
    const refused = await post(up, client, "/v1/messages", {
      headers: { "x-fake-encoding": "br", "accept-encoding": "gzip, br;q=0" },
    });
    assert.equal(refused.headers.get("content-encoding"), null);
    assert.equal(await refused.text(), FIXTURES["anthropic/messages"][1]);
  });
});

const SHARED = await listSharedFixtures();
// Failure cases share their route with a success case, so only x-fake-case reaches them.
const ONLY_BY_NAME = new Set([
  "openai/responses_incomplete",
  "openai/responses_failed",
  "anthropic/messages_stream_error",
]);

Deno.test({
  name: "startFakeUpstream() routes each shared fixture's own request to it",
  ignore: SHARED.length === 0,
  async fn() {
    const up = await startFakeUpstream();
    const client = Deno.createHttpClient({ caCerts: [up.caPem] });
    try {
      for (const name of SHARED) {
        const { body, meta } = await fixture(name);
        const target = `${meta.path}${meta.query ? `?${meta.query}` : ""}`;
        const headers: Record<string, string> = { "accept-encoding": "identity" };
        if (ONLY_BY_NAME.has(name)) headers["x-fake-case"] = name;
        const res = await post(up, client, target, { body: meta.request, headers });
        assert.equal(up.requests.at(-1)?.case, name, `${target} routes to ${name}`);
        assert.equal(res.headers.get("content-type"), meta.content_type, name);
        assert.deepEqual(new Uint8Array(await res.arrayBuffer()), body, name);
      }
    } finally {
      client.close();
      await up.close();
    }
  },
});

if (SHARED.length === 0) {
  console.log("Skipping shared-fixture routing: tests/fixtures has no cases yet");
}

async function waitFor(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("Timed out waiting for condition");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
