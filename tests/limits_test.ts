// Resource limits of the proxy: request head size, head timeout (slowloris), connection cap, and
// the memory one response may cost the daemon however large it is or however slowly it is read.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import http from "node:http";
import net from "node:net";
import tls from "node:tls";
import zlib from "node:zlib";
import { type ProxyLimits, startProxyListener } from "../core/proxy/listener.ts";
import { createUpstreamClient } from "../core/proxy/upstream.ts";
import { createTestPki } from "./_certs.ts";
import { startDaemon } from "./_daemon.ts";
import { startRawUpstream, writeBody } from "./_fake_raw.ts";
import { openUsageFeed } from "./_usage_feed.ts";
import {
  connectPlain,
  connectTunnel,
  exchange,
  type RawClient,
  requestHead,
  until,
} from "./_raw_client.ts";

const MiB = 1024 * 1024;
const encode = (text: string) => new TextEncoder().encode(text);

// ---------------------------------------------------------------------------------------------
// In-process proxy: the listener with test limits, a raw upstream, and the test PKI as the leaf.

/** The listener under test, with `localhost` intercepted and api.openai.com relayed. */
async function startTestProxy(limits: ProxyLimits) {
  const pki = await createTestPki();
  const upstreamServer = await startRawUpstream((req, res) => {
    let headerBytes = 0;
    for (const part of req.rawHeaders) headerBytes += part.length;
    req.resume();
    req.once("end", () => res.end(JSON.stringify({ headerBytes })));
  });
  const origin = new URL(upstreamServer.origin);
  const upstream = createUpstreamClient({
    overrides: new Map([["api.openai.com", origin], ["localhost", origin]]),
    extraCaCerts: [],
  });
  const leaf = {
    certPem: pki.certPem,
    keyPem: pki.keyPem,
    context: tls.createSecureContext({ cert: pki.certPem, key: pki.keyPem }),
  };
  let port = 0;
  const proxy = await startProxyListener(0, {
    upstream,
    isMonitored: (host) => host === "api.openai.com" || host === "localhost",
    tapFor: () => null,
    onTapError: () => {},
    now: () => Date.now(),
    leafFor: () => Promise.resolve(leaf),
    ownPorts: () => [port],
    onClientTlsError: () => {},
    onInterceptError: () => {},
  }, limits);
  port = proxy.port;
  return {
    port,
    caPem: pki.caPem,
    async close() {
      await proxy.close();
      upstream.close();
      await upstreamServer.close();
    },
  };
}

Deno.test("the proxy answers 431 to a request head over 64 KiB and reads one of 60 KiB", async () => {
  const proxy = await startTestProxy({});
  const clients: RawClient[] = [];
  try {
    const routes = [
      { name: "relay", open: () => connectPlain(proxy.port), host: "127.0.0.1", path: "/openai/x" },
      {
        name: "interception",
        open: () => connectTunnel(proxy.port, "localhost:443", proxy.caPem),
        host: "localhost",
        path: "/x",
      },
    ];
    for (const route of routes) {
      const passes = await route.open();
      clients.push(passes);
      const header = `x-big: ${"a".repeat(60 * 1024)}\r\n`;
      const answer = await exchange(passes, requestHead(route.host, route.path, header));
      assert.match(answer, /^HTTP\/1\.1 200 /, route.name);
      const { headerBytes } = JSON.parse(answer.slice(answer.indexOf("\r\n\r\n") + 4));
      assert.ok(headerBytes > 60 * 1024, `${route.name}: the upstream got the whole head`);

      const refused = await route.open();
      clients.push(refused);
      refused.socket.write(
        requestHead(route.host, route.path, `x-big: ${"a".repeat(70 * 1024)}\r\n`),
      );
      await refused.closed;
      assert.match(refused.text(), /^HTTP\/1\.1 431 /, route.name);
    }
  } finally {
    for (const client of clients) client.socket.destroy();
    await proxy.close();
  }
});

Deno.test("slowloris heads are cut after the head timeout while other clients are served", async () => {
  const proxy = await startTestProxy({ headersTimeoutMs: 1_000 });
  const clients: RawClient[] = [];
  const timers: ReturnType<typeof setInterval>[] = [];
  try {
    // Kept-alive connections that finished a request: idle is not slow, they must survive.
    const idlePlain = await connectPlain(proxy.port);
    const idleTunnel = await connectTunnel(proxy.port, "localhost:443", proxy.caPem);
    clients.push(idlePlain, idleTunnel);
    assert.match(
      await exchange(idlePlain, requestHead("127.0.0.1", "/openai/a")),
      /^HTTP\/1\.1 200/,
    );
    assert.match(await exchange(idleTunnel, requestHead("localhost", "/a")), /^HTTP\/1\.1 200/);

    // The attack: partial heads, one more byte every second, on plain and intercepted sockets.
    const slow: RawClient[] = [];
    for (let i = 0; i < 8; i++) {
      slow.push(
        i % 2 === 0
          ? await connectPlain(proxy.port)
          : await connectTunnel(proxy.port, "localhost:443", proxy.caPem),
      );
    }
    clients.push(...slow);
    // A connection that never sends a byte is cut the same way.
    const silent = await connectPlain(proxy.port);
    clients.push(silent);
    for (const client of slow) {
      client.socket.write("POST /openai/v1/chat/completions HTTP/1.1\r\nhost: x\r\nx-slow: ");
      timers.push(setInterval(() => {
        if (!client.isClosed()) client.socket.write("a");
      }, 1_000));
    }
    // Meanwhile a normal request on a new connection is answered.
    const normal = await connectPlain(proxy.port);
    clients.push(normal);
    assert.match(await exchange(normal, requestHead("127.0.0.1", "/openai/b")), /^HTTP\/1\.1 200/);

    await until(() => slow.every((c) => c.isClosed()), "every slowloris socket to be closed");
    await until(() => silent.isClosed(), "the silent socket to be closed");
    for (const client of [...slow, silent]) assert.match(client.text(), /^HTTP\/1\.1 408 /);
    // Both idle connections outlived the head timeout and still serve requests.
    assert.match(
      await exchange(idlePlain, requestHead("127.0.0.1", "/openai/c")),
      /^HTTP\/1\.1 200/,
    );
    assert.match(await exchange(idleTunnel, requestHead("localhost", "/c")), /^HTTP\/1\.1 200/);
  } finally {
    for (const timer of timers) clearInterval(timer);
    for (const client of clients) client.socket.destroy();
    await proxy.close();
  }
});

Deno.test("past the connection cap new connections are closed and open ones carry on", async () => {
  // A TCP echo server for the blind tunnels.
  const echoSockets = new Set<net.Socket>();
  const echo = net.createServer((socket) => {
    echoSockets.add(socket);
    socket.once("close", () => echoSockets.delete(socket));
    socket.on("error", () => {});
    socket.pipe(socket);
  });
  await new Promise<void>((resolve) => echo.listen(0, "127.0.0.1", resolve));
  const echoAt = `127.0.0.1:${(echo.address() as net.AddressInfo).port}`;
  const proxy = await startTestProxy({ maxConnections: 20 });
  const clients: RawClient[] = [];
  try {
    const blind: RawClient[] = [];
    const intercepted: RawClient[] = [];
    const plain: RawClient[] = [];
    for (let i = 0; i < 10; i++) blind.push(await connectTunnel(proxy.port, echoAt));
    for (let i = 0; i < 5; i++) {
      intercepted.push(await connectTunnel(proxy.port, "localhost:443", proxy.caPem));
    }
    for (let i = 0; i < 5; i++) plain.push(await connectPlain(proxy.port));
    clients.push(...blind, ...intercepted, ...plain);
    for (const client of plain) {
      assert.match(
        await exchange(client, requestHead("127.0.0.1", "/openai/a")),
        /^HTTP\/1\.1 200/,
      );
    }

    // Twenty are open: the next ones are closed without an answer.
    for (let i = 0; i < 3; i++) {
      const refused = await connectPlain(proxy.port);
      clients.push(refused);
      refused.socket.write(requestHead("127.0.0.1", "/openai/refused"));
      await until(() => refused.isClosed(), "the connection past the cap to be closed");
      assert.equal(refused.text(), "");
    }

    // Every kind of open connection still works.
    assert.match(
      await exchange(plain[0], requestHead("127.0.0.1", "/openai/b")),
      /^HTTP\/1\.1 200/,
    );
    assert.match(await exchange(intercepted[0], requestHead("localhost", "/b")), /^HTTP\/1\.1 200/);
    const from = blind[0].text().length;
    blind[0].socket.write("ping");
    await until(() => blind[0].text().slice(from) === "ping", "the echo through a tunnel");

    // A closed tunnel frees its place.
    blind[9].socket.destroy();
    await blind[9].closed;
    let admitted: RawClient | null = null;
    for (let i = 0; i < 50 && !admitted; i++) {
      const next = await connectPlain(proxy.port);
      clients.push(next);
      const answer = await exchange(next, requestHead("127.0.0.1", "/openai/c"));
      if (answer.startsWith("HTTP/1.1 200")) admitted = next;
      else await new Promise((r) => setTimeout(r, 50)); // the close may not be counted yet
    }
    assert.ok(admitted, "a connection was admitted once a tunnel closed");
  } finally {
    for (const client of clients) client.socket.destroy();
    await proxy.close();
    for (const socket of echoSockets) socket.destroy();
    await new Promise<void>((resolve) => echo.close(() => resolve()));
  }
});

// ---------------------------------------------------------------------------------------------
// The real daemon: what one response costs it in memory, however large, compressed or slow.

/** The resident set of process `pid`, in bytes (Linux /proc). */
function rssOf(pid: number): number {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) * 1024;
}

/** Runs `work` while sampling `pid`'s RSS every 20 ms; returns its result and the highest RSS. */
async function peakRssDuring<T>(pid: number, work: () => Promise<T>) {
  let peak = rssOf(pid);
  const timer = setInterval(() => peak = Math.max(peak, rssOf(pid)), 20);
  try {
    const result = await work();
    return { result, peak: Math.max(peak, rssOf(pid)) };
  } finally {
    clearInterval(timer);
  }
}

const MODEL = "gpt-4o-mini";
const USAGE = { prompt_tokens: 11, completion_tokens: 22, total_tokens: 33 };

/** A chat stream of `size` bytes: one line of `longLine` bytes without a newline, then events. */
function* sseBody(size: number, longLine: number): Generator<Uint8Array> {
  const first = { id: "c", object: "chat.completion.chunk", model: MODEL, choices: [] };
  yield encode(`data: ${JSON.stringify(first)}\n\n`);
  yield encode('data: {"choices":[{"index":0,"delta":{"content":"');
  const filler = new Uint8Array(64 * 1024).fill(0x61);
  let sent = 0;
  for (; sent < longLine; sent += filler.length) yield filler;
  yield encode('"}}]}\n\n');
  const event = encode(
    `data: {"choices":[{"index":0,"delta":{"content":"${"b".repeat(16 * 1024)}"}}]}\n\n`,
  );
  for (; sent < size; sent += event.length) yield event;
  const last = { ...first, usage: USAGE };
  yield encode(`data: ${JSON.stringify(last)}\n\ndata: [DONE]\n\n`);
}

/** A chat completion of `size` bytes, nearly all of it one string. */
function* jsonBody(size: number): Generator<Uint8Array> {
  yield encode(`{"id":"c","object":"chat.completion","model":"${MODEL}","choices":[{"index":0,`);
  yield encode('"message":{"role":"assistant","content":"');
  const filler = new Uint8Array(64 * 1024).fill(0x61);
  for (let sent = 0; sent < size; sent += filler.length) yield filler;
  yield encode(`"},"finish_reason":"stop"}],"usage":${JSON.stringify(USAGE)}}`);
}

/** `members` gzip members, each 10 MB of zeros: about 10 KB each on the wire. */
function* gzipBomb(members: number): Generator<Uint8Array> {
  const member = zlib.gzipSync(new Uint8Array(10_000_000), { level: 9 });
  for (let i = 0; i < members; i++) yield member;
}

/** Hashes and counts chunks as they pass. */
function hashing(chunks: Iterable<Uint8Array>, into: { sha256: string; bytes: number }) {
  const hash = createHash("sha256");
  into.bytes = 0;
  return (function* () {
    for (const chunk of chunks) {
      hash.update(chunk);
      into.bytes += chunk.length;
      yield chunk;
    }
    into.sha256 = hash.digest("hex");
  })();
}

/** Sends `body` through the relay and reads the answer slowly: a 20 ms pause after every MiB. */
function slowRead(
  url: string,
  body: unknown,
  options: { headers: Record<string, string>; method: string },
): Promise<{ sha256: string; bytes: number }> {
  const { headers, method } = options;
  return new Promise((resolve, reject) => {
    const req = http.request(url, {
      method,
      agent: false,
      headers: { "content-type": "application/json", "accept-encoding": "gzip", ...headers },
    });
    req.on("error", reject);
    req.on("response", (res) => {
      const hash = createHash("sha256");
      let bytes = 0;
      let sincePause = 0;
      res.on("data", (chunk: Uint8Array) => {
        hash.update(chunk);
        bytes += chunk.length;
        sincePause += chunk.length;
        if (sincePause < MiB) return;
        sincePause = 0;
        res.pause();
        setTimeout(() => res.resume(), 20);
      });
      res.on("end", () => resolve({ sha256: hash.digest("hex"), bytes }));
      res.on("error", reject);
    });
    req.end(JSON.stringify(body));
  });
}

Deno.test("a 200 MB response or a gzip bomb read slowly grows the daemon's RSS by < 64 MiB", async (t) => {
  const sent = { sha256: "", bytes: 0 };
  const upstream = await startRawUpstream(async (req, res) => {
    for await (const _ of req); // the request body is not needed
    const kind = String(req.headers["x-body"]);
    const size = Number(req.headers["x-size"] ?? 0);
    const sse = kind === "sse" || kind === "gzip-sse";
    const headers: Record<string, string> = {
      "content-type": sse ? "text/event-stream; charset=utf-8" : "application/json",
    };
    if (kind.startsWith("gzip")) headers["content-encoding"] = "gzip";
    res.writeHead(200, headers);
    const body = kind === "sse"
      ? sseBody(size, size / 2)
      : kind === "json"
      ? jsonBody(size)
      : gzipBomb(size / 10_000_000);
    await writeBody(res, hashing(body, sent));
  });
  const daemon = await startDaemon({
    env: { LUMEN_UPSTREAM_OVERRIDES: `api.openai.com=${upstream.origin}` },
  });
  const feed = await openUsageFeed(daemon.apiOrigin);
  const pid = daemon.process.pid;
  const url = `${daemon.proxyOrigin}/openai/v1/chat/completions`;
  const send = async (kind: string, size: number, method = "POST") => {
    const stream = kind.endsWith("sse");
    // include_usage set by the client: Lumen adds nothing, so the stream passes unfiltered.
    const body = stream
      ? { model: MODEL, stream, stream_options: { include_usage: true } }
      : { model: MODEL };
    const headers = { "x-body": kind, "x-size": String(size) };
    const got = await slowRead(url, body, { headers, method });
    assert.equal(got.bytes, sent.bytes, "the client got every byte");
    assert.equal(got.sha256, sent.sha256, "the client got the upstream's bytes unchanged");
  };
  try {
    const cases = [
      { kind: "sse", size: 200_000_000, name: "a 200 MB SSE stream with a 100 MB line" },
      { kind: "json", size: 200_000_000, name: "a 200 MB JSON body" },
      { kind: "gzip-sse", size: 10_000_000, name: "an SSE gzip bomb of 10 MB" },
      { kind: "gzip-json", size: 1_000_000_000, name: "a JSON gzip bomb of 1 GB" },
    ];
    // Every path runs once small, so that the level measured includes its compiled code.
    for (const { kind } of cases) {
      await send(kind, kind.startsWith("gzip") ? 10_000_000 : 2 * MiB);
      await feed.next();
    }
    await send("sse", 2 * MiB, "PUT");
    const level = rssOf(pid);
    console.log(`  RSS after warm-up ${mib(level)}`);
    await t.step("a 200 MB SSE stream relayed untapped (a PUT gets no usage parser)", async () => {
      const { peak } = await peakRssDuring(pid, () => send("sse", 200_000_000, "PUT"));
      console.log(`  untapped: peak ${mib(peak)} (+${mib(peak - level)})`);
      assert.ok(peak - level < 64 * MiB, `RSS grew by ${mib(peak - level)}`);
    });
    for (const { kind, size, name } of cases) {
      await t.step(name, async () => {
        const { peak } = await peakRssDuring(pid, () => send(kind, size));
        const growth = peak - level;
        console.log(`  ${name}: peak ${mib(peak)} (+${mib(growth)})`);
        assert.ok(growth < 64 * MiB, `RSS grew by ${mib(growth)}`);
        const { event } = await feed.next(30_000);
        if (kind === "sse") {
          // The 100 MB line was skipped, and the usage after it still read exactly.
          assert.equal(event.estimated, false);
          assert.equal(event.input_tokens, USAGE.prompt_tokens);
          assert.equal(event.output_tokens, USAGE.completion_tokens);
        } else {
          // Too large to parse (JSON over 16 MiB, output over the 64 MiB budget): estimated.
          assert.equal(event.estimated, true);
        }
      });
    }
  } finally {
    await feed.close();
    await daemon.stop();
    await upstream.close();
  }
});

function mib(bytes: number): string {
  return `${(bytes / MiB).toFixed(1)} MiB`;
}
