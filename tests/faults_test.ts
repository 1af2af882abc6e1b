// Faults on either side of the proxy: clients that leave, upstreams that reset, fail, pause for a
// long time or send garbage. The client must always see what the upstream did, nothing invented,
// and the daemon must not keep anything from a request that ended.
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import http from "node:http";
import zlib from "node:zlib";
import { fixture } from "./fake_upstream.ts";
import { assertEventMatches, startStack } from "./_stack.ts";
import { startDaemon } from "./_daemon.ts";
import { startRawUpstream } from "./_fake_raw.ts";
import { openUsageFeed } from "./_usage_feed.ts";
import { curl } from "./_curl.ts";
import { connectTunnel, type RawClient, until } from "./_raw_client.ts";
import { createRandom } from "../core/parse/_contract.ts";

const HOSTS = { openai: "api.openai.com", anthropic: "api.anthropic.com" } as const;

/** The open file descriptors of process `pid` (Linux /proc). */
function openFds(pid: number): number {
  return [...Deno.readDirSync(`/proc/${pid}/fd`)].length;
}

/** A raw HTTP/1.1 POST head and body. */
function postRequest(host: string, path: string, body: string, headers: string[] = []): string {
  const length = new TextEncoder().encode(body).length;
  return `POST ${path} HTTP/1.1\r\nhost: ${host}\r\ncontent-type: application/json\r\n` +
    `content-length: ${length}\r\n${headers.map((h) => `${h}\r\n`).join("")}\r\n${body}`;
}

/** POSTs through the relay with node:http and resolves once `marker` arrived; returns the request. */
function startRelayStream(url: string, body: string, headers: Record<string, string>) {
  return new Promise<http.ClientRequest>((resolve, reject) => {
    const req = http.request(url, {
      method: "POST",
      agent: false,
      headers: { "content-type": "application/json", ...headers },
    });
    req.on("error", () => {}); // destroyed by the test on purpose
    req.on("response", (res) => {
      let text = "";
      res.on("data", (chunk: Uint8Array) => {
        text += new TextDecoder().decode(chunk);
        if (text.includes("content_block_start")) resolve(req);
      });
      res.on("error", () => {});
      res.on("end", () => reject(new Error(`The stream ended: ${text}`)));
    });
    req.end(body);
  });
}

Deno.test("client aborts cancel the upstream within 1 s and give back every descriptor", async () => {
  const stack = await startStack();
  const pid = stack.daemon.process.pid;
  const { meta } = await fixture("anthropic/messages_stream");
  const body = JSON.stringify(meta.request);
  const ca = await Deno.readTextFile(`${stack.daemon.home}/ca.pem`);
  const relayUrl = `${stack.relay("anthropic")}/v1/messages`;
  const stall = { "x-fake-stall": "3" };
  const tunnels: RawClient[] = [];
  try {
    // One whole call in each mode first: the leaf, the interception server and the upstream pool
    // exist before the count starts, as in a daemon that has served before.
    const headers = { "content-type": "application/json" };
    await curl(relayUrl, { headers, body });
    await curl(`https://${HOSTS.anthropic}/v1/messages`, {
      headers,
      body,
      args: ["--proxy", stack.daemon.proxyOrigin, "--cacert", `${stack.daemon.home}/ca.pem`],
    });
    await stack.feed.next();
    await stack.feed.next();
    const baseline = openFds(pid);
    let peak = baseline;

    for (let i = 0; i < 50; i++) {
      const relayed = i % 5 !== 4; // 40 relay streams, 10 intercepted ones
      if (relayed) {
        const req = await startRelayStream(relayUrl, body, stall);
        peak = Math.max(peak, openFds(pid));
        req.destroy();
      } else {
        const tunnel = await connectTunnel(
          stack.daemon.proxyPort,
          `${HOSTS.anthropic}:443`,
          ca,
        );
        tunnels.push(tunnel);
        tunnel.socket.write(
          postRequest(HOSTS.anthropic, "/v1/messages", body, ["x-fake-stall: 3"]),
        );
        await until(() => tunnel.text().includes("content_block_start"), "the stream to start");
        peak = Math.max(peak, openFds(pid));
        tunnel.socket.destroy();
      }
      const upstreamCall = stack.upstream.requests.at(-1)!;
      await until(
        () => upstreamCall.ended === "aborted",
        `upstream call ${i + 1} to be cancelled within 1 s`,
        1_000,
      );
      const { event } = await stack.feed.next();
      assert.equal(event.estimated, true);
    }
    await until(() => openFds(pid) <= baseline, "the descriptors to come back");
    console.log(`  open fds: ${baseline} before, ${peak} at most during, ${openFds(pid)} after`);
    assert.equal((await stack.daemon.api("/api/health")).ok, true);
  } finally {
    for (const tunnel of tunnels) tunnel.socket.destroy();
    await stack.close();
  }
});

Deno.test("300 streams open at once to one provider host all start, none waits for another", async () => {
  const stack = await startStack();
  const { meta } = await fixture("anthropic/messages_stream");
  const body = JSON.stringify(meta.request);
  const relayUrl = `${stack.relay("anthropic")}/v1/messages`;
  const streams: http.ClientRequest[] = [];
  try {
    // Above the 256 sockets per host a pooled client allows by default: the rest would queue
    // behind streams that never end, and fail when their connect timer ran out.
    const started = await Promise.allSettled(
      Array.from({ length: 300 }, () => startRelayStream(relayUrl, body, { "x-fake-stall": "3" })),
    );
    for (const result of started) if (result.status === "fulfilled") streams.push(result.value);
    assert.equal(streams.length, 300, "every stream got its first events");
  } finally {
    for (const stream of streams) stream.destroy();
    await stack.close();
  }
});

Deno.test("an upstream reset reaches the client as a reset, with nothing made up", async (t) => {
  const stack = await startStack();
  const args = ["--proxy", stack.daemon.proxyOrigin, "--cacert", `${stack.daemon.home}/ca.pem`];
  try {
    const { meta } = await fixture("openai/chat_stream_usage");
    const body = JSON.stringify(meta.request);

    await t.step("mid-stream in relay mode: the read fails and no [DONE] arrives", async () => {
      const res = await fetch(`${stack.relay("openai")}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-fake-reset": "3" },
        body,
      });
      assert.equal(res.status, 200);
      const reader = res.body!.getReader();
      let text = "";
      const failed = await (async () => {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return false;
          text += new TextDecoder().decode(value);
        }
      })().catch(() => true);
      assert.equal(failed, true, "the body must fail, not end cleanly");
      assert.ok(text.includes('"choices"'), "the events before the reset arrived");
      assert.ok(!text.includes("[DONE]"));
      const { event } = await stack.feed.next();
      assert.equal(event.estimated, true);
    });

    await t.step("before the answer: 502, and the request was sent exactly once", async () => {
      const cases = [
        { name: "relay POST", method: "POST", url: `${stack.relay("openai")}/v1/chat/completions` },
        { name: "relay GET", method: "GET", url: `${stack.relay("openai")}/v1/models` },
        { name: "proxy POST", method: "POST", url: `https://${HOSTS.openai}/v1/chat/completions` },
      ];
      for (const { name, method, url } of cases) {
        const before = stack.upstream.requests.length;
        const res = await curl(url, {
          method,
          headers: { "content-type": "application/json", "x-fake-reset": "0" },
          body: method === "POST" ? body : undefined,
          args: url.startsWith("https:") ? args : [],
        });
        assert.equal(res.status, 502, name);
        assert.equal(stack.upstream.requests.length, before + 1, `${name}: never retried`);
        assert.equal(stack.upstream.requests.at(-1)!.ended, "aborted");
      }
      // A later call reaches the upstream as one request too: no retry was still on its way.
      const before = stack.upstream.requests.length;
      const res = await fetch(`${stack.relay("openai")}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
      });
      await res.body?.cancel();
      assert.equal(stack.upstream.requests.length, before + 1);
      await stack.feed.next();
      assert.equal(stack.feed.pending(), 0, "a call that got no answer costs nothing");
    });
  } finally {
    await stack.close();
  }
});

Deno.test("error statuses pass through byte for byte and count as requests with no cost", async () => {
  const stack = await startStack();
  try {
    const before = (await stack.daemon.api("/api/stats")).total;
    const calls = [
      {
        prefix: "anthropic",
        path: "/v1/messages",
        model: "claude-sonnet-4-6",
        body: { model: "claude-sonnet-4-6", max_tokens: 5, messages: [], stream: true },
      },
      {
        prefix: "openai",
        path: "/v1/chat/completions",
        model: "gpt-5-mini",
        body: { model: "gpt-5-mini", messages: [] },
      },
      {
        prefix: "google",
        path: "/v1beta/models/gemini-2.5-flash:generateContent",
        model: "gemini-2.5-flash",
        body: { contents: [] },
      },
    ] as const;
    const statuses = [400, 401, 403, 404, 413, 429, 500, 502, 503, 529];
    for (const call of calls) {
      for (const status of statuses) {
        const res = await curl(`${stack.relay(call.prefix)}${call.path}`, {
          headers: { "content-type": "application/json", "x-fake-status": String(status) },
          body: JSON.stringify(call.body),
        });
        const what = `${call.prefix} ${status}`;
        assert.equal(res.status, status, what);
        assert.deepEqual(res.body, stack.upstream.sent(res.headers["x-fake-request-id"]), what);
        if (status === 429 || status >= 500) assert.ok(res.headers["retry-after"], what);
        const { event } = await stack.feed.next();
        assert.equal(event.status, status, what);
        assert.equal(event.model, call.model, what);
        assert.equal(event.streamed, false, what);
        assert.equal(event.estimated, false, what);
        assert.equal(event.cost_usd, 0, what);
        assert.equal(event.price_source, null, what);
        for (const key of ["input_tokens", "output_tokens", "cache_read_tokens"] as const) {
          assert.equal(event[key], 0, `${what} ${key}`);
        }
      }
    }
    // Proxy mode records them the same way.
    const res = await curl(`https://${HOSTS.openai}/v1/chat/completions`, {
      headers: { "content-type": "application/json", "x-fake-status": "429" },
      body: JSON.stringify(calls[1].body),
      args: ["--proxy", stack.daemon.proxyOrigin, "--cacert", `${stack.daemon.home}/ca.pem`],
    });
    assert.equal(res.status, 429);
    assert.deepEqual(res.body, stack.upstream.sent(res.headers["x-fake-request-id"]));
    const { event } = await stack.feed.next();
    assert.deepEqual([event.status, event.mode, event.cost_usd], [429, "proxy", 0]);

    const after = (await stack.daemon.api("/api/stats")).total;
    const count = calls.length * statuses.length + 1;
    assert.equal(after.requests, before.requests + count);
    assert.equal(after.cost_usd, before.cost_usd);
    assert.equal(after.input_tokens, before.input_tokens);
    assert.equal(
      after.unpriced_requests,
      before.unpriced_requests,
      "failed calls are not unpriced",
    );
    assert.equal(after.estimated_requests, before.estimated_requests);
  } finally {
    await stack.close();
  }
});

Deno.test("[slow: 70 s] a stream with a 70 s gap completes intact in relay and proxy modes", async () => {
  // 70 s is longer than every timer on the way: the 65 s keep-alive timeout, the 30 s head
  // timeout and any idle timeout, so a timer that also ran during a response would cut it.
  const stack = await startStack();
  try {
    const gap = { "content-type": "application/json", "x-fake-gap-ms": "70000" };
    const relayed = (async () => {
      const { meta } = await fixture("anthropic/messages_stream");
      const res = await fetch(`${stack.relay("anthropic")}/v1/messages`, {
        method: "POST",
        headers: gap,
        body: JSON.stringify(meta.request),
      });
      const bytes = new Uint8Array(await res.arrayBuffer());
      assert.equal(res.status, 200);
      assert.deepEqual(bytes, stack.upstream.sent(res.headers.get("x-fake-request-id")!));
    })();
    const proxied = (async () => {
      const { meta } = await fixture("openai/chat_stream_usage");
      const res = await curl(`https://${HOSTS.openai}${meta.path}`, {
        headers: gap,
        body: JSON.stringify(meta.request),
        args: ["--proxy", stack.daemon.proxyOrigin, "--cacert", `${stack.daemon.home}/ca.pem`]
          .concat("--max-time", "150"),
      });
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, stack.upstream.sent(res.headers["x-fake-request-id"]));
    })();
    await Promise.all([relayed, proxied]);
    const events = [(await stack.feed.next()).event, (await stack.feed.next()).event];
    for (const name of ["anthropic/messages_stream", "openai/chat_stream_usage"]) {
      const { meta } = await fixture(name);
      const provider = name.split("/")[0] as "anthropic" | "openai";
      const event = events.find((e) => e.provider === provider)!;
      assertEventMatches(event, provider, meta.usage);
      assert.ok(event.latency_ms >= 70_000, "the gap was really there");
    }
  } finally {
    await stack.close();
  }
});

// ---------------------------------------------------------------------------------------------
// Garbage from the upstream: whatever it sends, the client receives exactly that.

/** One upstream answer: status, head and body, and how the body is cut into writes. */
interface GarbageAnswer {
  status: number;
  headers: Record<string, string>;
  body: Uint8Array;
  writes: number[];
}

const encode = (text: string) => new TextEncoder().encode(text);

/** Builds the answer for `seed`: random bytes, cut JSON, bad UTF-8, broken SSE, false codings. */
function garbageFor(seed: number): GarbageAnswer {
  const random = createRandom(seed);
  const int = (n: number) => Math.floor(random() * n);
  const bytes = (n: number) => Uint8Array.from({ length: n }, () => int(256));
  const pick = <T>(items: readonly T[]) => items[int(items.length)];
  const completion = JSON.stringify({
    id: `chatcmpl-${seed}`,
    object: "chat.completion",
    model: "gpt-5-mini",
    choices: [{ index: 0, message: { role: "assistant", content: "x".repeat(int(2000)) } }],
    usage: { prompt_tokens: int(100), completion_tokens: int(100), total_tokens: int(200) },
  });
  const BAD_UTF8 = [[0xc3, 0x28], [0xff], [0xed, 0xa0, 0x80], [0xc0, 0xaf], [0xe2, 0x82]];
  const kinds: (() => Uint8Array)[] = [
    () => bytes(int(64 * 1024)),
    () => encode(completion.slice(0, int(completion.length))),
    () => {
      const text = encode(completion);
      const at = text.indexOf(0x78); // inside the content string
      return Buffer.concat([
        text.subarray(0, at),
        Uint8Array.from(pick(BAD_UTF8)),
        text.subarray(at),
      ]);
    },
    () => {
      const lines: (string | Uint8Array)[] = [];
      for (let i = int(40); i > 0; i--) {
        lines.push(pick([
          `data: {"choices":[{"delta":{"content":"${"y".repeat(int(50))}"}}]}`,
          'data: {"choices":[{"delta":',
          "data: [DONE]",
          "event: " + "e".repeat(int(10)),
          ": keep-alive",
          "",
          "data",
          "retry: x",
        ]));
        if (random() < 0.2) lines.push(bytes(int(200)));
        lines.push(pick(["\n", "\r", "\r\n", "\n\n", ""]));
      }
      return Buffer.concat(lines.map((l) => typeof l === "string" ? encode(l) : l));
    },
    () => {
      // Compressed, cut short: the client gets it as sent; the tap's decoder sees the cut.
      const whole = zlib.gzipSync(encode(completion));
      return whole.subarray(0, int(whole.length));
    },
  ];
  const kind = seed % kinds.length;
  const body = kinds[kind]();
  const headers: Record<string, string> = {
    "content-type": pick([
      "text/event-stream; charset=utf-8",
      "application/json",
      "text/plain",
      "application/octet-stream",
    ]),
  };
  if (kind === 4) headers["content-encoding"] = "gzip";
  else if (random() < 0.25) headers["content-encoding"] = pick(["gzip", "br", "deflate", "zstd"]);
  if (random() < 0.5) headers["content-length"] = String(body.length);
  const status = random() < 0.85 ? 200 : pick([400, 429, 500, 503]);
  const writes: number[] = [];
  for (let left = body.length; left > 0;) {
    const size = Math.min(left, 1 + int(random() < 0.5 ? 16 : 8192));
    writes.push(size);
    left -= size;
  }
  return { status, headers, body, writes };
}

Deno.test("garbage from the upstream reaches the client byte for byte (100 seeded bodies)", async () => {
  const upstream = await startRawUpstream(async (req, res) => {
    for await (const _ of req); // the request body plays no part
    const { status, headers, body, writes } = garbageFor(Number(req.headers["x-seed"]));
    res.writeHead(status, headers);
    let at = 0;
    for (const size of writes) {
      res.write(body.subarray(at, at + size));
      at += size;
      if (at < body.length && size % 3 === 0) await new Promise((r) => setTimeout(r, 1));
    }
    res.end();
  });
  const daemon = await startDaemon({
    env: { LUMEN_UPSTREAM_OVERRIDES: `${HOSTS.openai}=${upstream.origin}` },
  });
  const feed = await openUsageFeed(daemon.apiOrigin);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  try {
    const calls = Array.from({ length: 100 }, (_, i) => i + 1).map(async (seed) => {
      // Streams without stream_options get include_usage added and their answer filtered: that
      // filter must leave garbage alone as well.
      const request = seed % 3 === 0
        ? { model: "gpt-5-mini", messages: [] }
        : seed % 3 === 1
        ? { model: "gpt-5-mini", messages: [], stream: true }
        : {
          model: "gpt-5-mini",
          messages: [],
          stream: true,
          stream_options: { include_usage: true },
        };
      const got = await new Promise<{ status: number; body: Uint8Array }>((resolve, reject) => {
        const req = http.request(`${daemon.proxyOrigin}/openai/v1/chat/completions`, {
          method: "POST",
          agent,
          headers: { "content-type": "application/json", "x-seed": String(seed) },
        });
        req.on("error", reject);
        req.on("response", (res) => {
          const chunks: Uint8Array[] = [];
          res.on("data", (chunk: Uint8Array) => chunks.push(chunk));
          res.on("end", () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks) }));
          res.on("error", reject);
        });
        req.end(JSON.stringify(request));
      });
      const expected = garbageFor(seed);
      assert.equal(got.status, expected.status, `seed ${seed}`);
      assert.ok(Buffer.from(got.body).equals(expected.body), `seed ${seed}: bytes differ`);
    });
    await Promise.all(calls);
    assert.equal(upstream.requests(), 100);
    assert.equal((await daemon.api("/api/health")).ok, true);
    // Every call was to a usage endpoint: each has its event, and no tap threw on the garbage.
    await until(() => feed.pending() >= 100, "an event for every call");
    assert.doesNotMatch(daemon.output(), /Usage capture failed/);
  } finally {
    agent.destroy();
    await feed.close();
    await daemon.stop();
    await upstream.close();
  }
});
