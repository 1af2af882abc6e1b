// Relay edge behaviour: hop-by-hop headers, errors, unknown routes, unreachable upstreams, aborts.
import assert from "node:assert/strict";
import http from "node:http";
import net from "node:net";
import { fixture } from "./fake_upstream.ts";
import { startStack } from "./_stack.ts";
import { startDaemon } from "./_daemon.ts";

/** A raw node:http request, so the test controls every header byte. */
function rawRequest(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string },
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: options.method ?? "POST", headers: options.headers });
    req.on("response", (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => body += c);
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end(options.body);
  });
}

Deno.test("relay forwards end-to-end headers only, and answers errors as the upstream did", async (t) => {
  const stack = await startStack();
  try {
    await t.step("hop-by-hop request headers are dropped, the rest pass", async () => {
      const { meta } = await fixture("openai/chat");
      const body = JSON.stringify(meta.request);
      const res = await rawRequest(`${stack.relay("openai")}/v1/chat/completions?x=1&y=%2F`, {
        headers: {
          "content-type": "application/json",
          "authorization": "Bearer sk-test",
          "x-custom": "kept",
          "connection": "keep-alive, x-hop",
          "x-hop": "dropped",
          "te": "trailers",
          "proxy-authorization": "Basic Zm9vOmJhcg==",
        },
        body,
      });
      assert.equal(res.status, 200);
      const seen = stack.upstream.requests.at(-1)!;
      assert.equal(seen.path, "/v1/chat/completions");
      assert.equal(seen.query, "x=1&y=%2F");
      assert.equal(seen.headers["x-custom"], "kept");
      assert.equal(seen.headers["authorization"], "Bearer sk-test");
      assert.equal(seen.headers["x-hop"], undefined);
      assert.equal(seen.headers["te"], undefined);
      assert.equal(seen.headers["proxy-authorization"], undefined);
      assert.equal(new TextDecoder().decode(seen.body), body);
      await stack.feed.next();
    });

    await t.step("an upstream 429 reaches the client unchanged and costs nothing", async () => {
      const res = await rawRequest(`${stack.relay("anthropic")}/v1/messages`, {
        headers: { "content-type": "application/json", "x-fake-status": "429" },
        body: JSON.stringify({ model: "claude-sonnet-4-6", max_tokens: 5, messages: [] }),
      });
      assert.equal(res.status, 429);
      assert.ok(res.headers["retry-after"]);
      const sent = stack.upstream.sent(String(res.headers["x-fake-request-id"]));
      assert.equal(res.body, new TextDecoder().decode(sent));
      assert.equal(JSON.parse(res.body).type, "error");
      // Counted as a request with its status, and no tokens or cost (tests/faults_test.ts).
      const { event } = await stack.feed.next();
      assert.equal(event.status, 429);
      assert.equal(event.cost_usd, 0);
    });

    await t.step("an unknown route is a 404 naming the valid routes", async () => {
      const res = await rawRequest(`${stack.daemon.proxyOrigin}/azure/v1/chat`, { method: "GET" });
      assert.equal(res.status, 404);
      const { error } = JSON.parse(res.body);
      assert.equal(error.code, "unknown_route");
      for (const route of ["/openai/*", "/anthropic/*", "/google/*"]) {
        assert.ok(error.message.includes(route), route);
      }
    });

    await t.step(
      "a client that aborts mid-stream leaves the daemon healthy and an estimate",
      async () => {
        const { meta } = await fixture("anthropic/messages_stream");
        const before = stack.upstream.requests.length;
        const abort = new AbortController();
        const res = await fetch(`${stack.relay("anthropic")}/v1/messages`, {
          method: "POST",
          headers: { "content-type": "application/json", "x-fake-stall": "3" },
          body: JSON.stringify(meta.request),
          signal: abort.signal,
        });
        const reader = res.body!.getReader();
        let received = "";
        // The stalled upstream never ends: these chunks prove the relay does not buffer.
        while (!received.includes("content_block_start")) {
          const { value } = await reader.read();
          received += new TextDecoder().decode(value);
        }
        abort.abort();
        await reader.cancel().catch(() => {});
        const { event } = await stack.feed.next();
        assert.equal(event.estimated, true);
        assert.equal(event.streamed, true);
        assert.ok(event.input_tokens > 0, "input from message_start is kept");
        assert.equal(stack.upstream.requests.length, before + 1);
        assert.equal(
          stack.upstream.requests.at(-1)!.ended,
          "aborted",
          "upstream call was cancelled",
        );
        const health = await stack.daemon.api("/api/health");
        assert.equal(health.ok, true);
      },
    );
  } finally {
    await stack.close();
  }
});

Deno.test("relay answers 502 naming the host when the upstream cannot be reached", async () => {
  // One port refuses connections; the other accepts TCP but never answers the TLS handshake.
  const refused = net.createServer();
  await new Promise<void>((r) => refused.listen(0, "127.0.0.1", r));
  const refusedPort = (refused.address() as net.AddressInfo).port;
  await new Promise<void>((r) => refused.close(() => r()));
  const sockets = new Set<net.Socket>();
  const silent = net.createServer((s) => sockets.add(s));
  await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
  const silentPort = (silent.address() as net.AddressInfo).port;

  const daemon = await startDaemon({
    env: {
      LUMEN_UPSTREAM_OVERRIDES: `api.openai.com=https://127.0.0.1:${refusedPort},` +
        `api.anthropic.com=https://127.0.0.1:${silentPort}`,
    },
  });
  try {
    const refusedRes = await rawRequest(`${daemon.proxyOrigin}/openai/v1/models`, {
      method: "GET",
    });
    assert.equal(refusedRes.status, 502);
    const refusedError = JSON.parse(refusedRes.body).error;
    assert.equal(refusedError.code, "upstream_unreachable");
    assert.match(refusedError.message, /api\.openai\.com/);

    const started = Date.now();
    const silentRes = await rawRequest(`${daemon.proxyOrigin}/anthropic/v1/messages`, {
      body: "{}",
      headers: { "content-type": "application/json" },
    });
    const elapsed = Date.now() - started;
    assert.equal(silentRes.status, 502);
    assert.match(JSON.parse(silentRes.body).error.message, /api\.anthropic\.com/);
    assert.ok(elapsed <= 10_500, `answered after ${elapsed} ms`);
    assert.equal((await daemon.api("/api/health")).ok, true);
  } finally {
    await daemon.stop();
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => silent.close(() => r()));
  }
});
