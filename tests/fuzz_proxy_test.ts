// Property-based tests of the proxy's front door at the socket level: arbitrary request heads
// (methods, targets, CONNECT authorities, headers with CR/LF injection attempts, raw bytes) get a
// status line or a close, never a crash, and the proxy keeps serving. Sandboxed to loopback (see
// _fuzz_proxy.ts); the relay hosts go to the loopback fake upstream.
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import fc from "fast-check";
import { chunkSizes, fuzzOptions, noisyBytes, splitBy } from "../core/parse/_fuzz_fixture.ts";
import { deadPort, exchange, PROVIDER_OF, SANDBOX, startProxy } from "./_fuzz_proxy.ts";
import { fixture, startFakeUpstream } from "./fake_upstream.ts";

const encode = (text: string) => new TextEncoder().encode(text);

const STATUS_LINE_REGEXP = /^HTTP\/1\.[01] [1-5]\d\d /;

/** Mostly `good`, sometimes `bad`: most heads then get past the HTTP parser to the proxy's code. */
function valid<T>(good: fc.Arbitrary<T>, bad: fc.Arbitrary<T>): fc.Arbitrary<T> {
  return fc.oneof({ weight: 12, arbitrary: good }, { weight: 1, arbitrary: bad });
}

/** Request bytes: heads aimed at relay, absolute-form and CONNECT handling, calls, and noise. */
function requestBytes(ports: { dead: number; fake: number; proxy: number }) {
  const port = fc.oneof(
    fc.constantFrom(ports.dead, ports.fake, ports.proxy, 0, 65535, 65536),
    fc.integer({ min: 1, max: 65535 }),
  );
  const authority = fc.oneof(
    fc.tuple(fc.constantFrom("127.0.0.1", "127.1.2.3", "0x7f.1", "2130706433", "[::1]"), port)
      .map(([host, p]) => `${host}:${p}`),
    fc.constantFrom(...Object.keys(PROVIDER_OF)).map((host) => `${host}:443`),
    fc.tuple(fc.domain(), port).map(([name, p]) => `${name}.invalid:${p}`),
    fc.string({ unit: fc.constantFrom(..."a1.:[]%@ -_".split("")), maxLength: 16 }),
  );
  const path = valid(
    fc.oneof(
      fc.constantFrom("/v1/chat/completions", "/v1/messages", "/", "", "?a=b", "/%2e%2e/x", "//x"),
      fc.stringMatching(/^\/[!-~]{0,12}$/),
    ),
    fc.string({ unit: "binary-ascii", maxLength: 12 }),
  );
  const target = valid(
    fc.oneof(
      fc.tuple(fc.constantFrom("/openai", "/anthropic", "/google", "/nope", ""), path)
        .map(([prefix, p]) => prefix + p),
      fc.tuple(fc.constantFrom("http://", "https://", "HTTP://"), authority, path)
        .map(([scheme, a, p]) => scheme + a + p),
    ),
    fc.oneof(authority, fc.constantFrom("*", "", " ", "/openai/v1/models HTTP/1.1\r\nx: y")),
  );
  const header = valid(
    fc.oneof(
      fc.constantFrom<[string, string]>(
        ["content-type", "application/json"],
        ["connection", "close"],
        ["connection", "keep-alive"],
        ["connection", "upgrade"],
        ["upgrade", "websocket"],
        ["expect", "100-continue"],
        ["accept-encoding", "gzip, br"],
        ["transfer-encoding", "chunked"],
        ["proxy-connection", "keep-alive"],
        ["te", "trailers"],
      ),
      fc.tuple(fc.stringMatching(/^x-[a-z0-9-]{1,10}$/), fc.stringMatching(/^[ -~]{0,16}$/)),
    ),
    fc.tuple(
      fc.oneof(
        fc.constantFrom("content-length", "transfer-encoding", "host", "x-a"),
        fc.string({ unit: "binary-ascii", minLength: 1, maxLength: 8 }),
      ),
      fc.oneof(
        fc.constantFrom("-1", "18446744073709551616", "gzip, chunked", "a\r\nx-injected: 1"),
        fc.constantFrom("a\nx-injected: 1", "a\rb", "a\u0000b", "\u00ff", "1, 2"),
        fc.constant("\r\n\r\nGET /openai/v1/models HTTP/1.1\r\nhost: x"),
        fc.string({ unit: "binary-ascii", maxLength: 16 }),
      ),
    ),
  );
  const method = valid(
    fc.constantFrom("GET", "POST", "POST", "PUT", "HEAD", "OPTIONS", "DELETE"),
    fc.oneof(
      fc.constantFrom("get", "PRI", "M-SEARCH", "CONNECTX", ""),
      fc.string({ unit: "binary-ascii", maxLength: 6 }),
    ),
  );
  const head = fc.record({
    line: fc.oneof(fc.tuple(fc.constant("CONNECT"), authority), fc.tuple(method, target)),
    version: valid(
      fc.constantFrom("HTTP/1.1", "HTTP/1.0"),
      fc.constantFrom("HTTP/2.0", "HTTP/1.9", "http/1.1", "", "HTTP/1.1 x"),
    ),
    eol: valid(fc.constant("\r\n"), fc.constant("\n")),
    host: valid(fc.constant("host: x"), fc.constantFrom("", "host:", "host: a b")),
    headers: fc.array(header, { maxLength: 3 }),
    body: fc.oneof(
      fc.constant(new Uint8Array()),
      noisyBytes(16),
      fc.constant(encode('{"model":"gpt-5-mini","stream":true,"messages":[]}')),
    ),
    // Whether the body gets a matching content-length (else it reads as the next request).
    framed: valid(fc.constant(true), fc.constant(false)),
  }).map(({ line: [verb, target], version, eol, host, headers, body, framed }) => {
    const fields = [host, ...headers.map(([name, value]) => `${name}: ${value}`)];
    if (framed && body.length > 0) fields.push(`content-length: ${body.length}`);
    const lines = fields.filter((line) => line !== "").map((line) => line + eol).join("");
    return Buffer.concat([encode(`${verb} ${target} ${version}${eol}${lines}${eol}`), body]);
  });
  // Calls the fake upstream answers from a fixture, so that taps read real streams too.
  const call = fc.record({
    route: fc.constantFrom(
      "/openai/v1/chat/completions",
      "/openai/v1/responses",
      "/anthropic/v1/messages",
      "/google/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse",
      "http://api.openai.com/v1/chat/completions",
      "https://api.anthropic.com/v1/messages?beta=true",
    ),
    stream: fc.boolean(),
    headers: fc.array(header, { maxLength: 2 }),
  }).map(({ route, stream, headers }) => {
    const body = JSON.stringify({
      model: "m",
      stream,
      messages: [{ role: "user", content: "Hi" }],
    });
    const lines = headers.map(([name, value]) => `${name}: ${value}\r\n`).join("");
    return encode(
      `POST ${route} HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n${lines}` +
        `content-length: ${body.length}\r\n\r\n${body}`,
    );
  });
  return fc.oneof(
    { weight: 6, arbitrary: head },
    { weight: 2, arbitrary: call },
    { weight: 1, arbitrary: noisyBytes(48) },
  );
}

Deno.test({
  name: "startProxyListener() answers any request head with a status line or a close",
  permissions: SANDBOX,
  async fn() {
    const fake = await startFakeUpstream();
    const proxy = await startProxy(fake.origin, [fake.caPem]);
    try {
      const ports = {
        dead: await deadPort(),
        fake: Number(new URL(fake.origin).port),
        proxy: proxy.port,
      };
      const request = requestBytes(ports);
      await fc.assert(
        fc.asyncProperty(request, chunkSizes(), async (bytes, sizes) => {
          const answer = await exchange(proxy.port, splitBy(bytes, sizes));
          const text = new TextDecoder().decode(answer.bytes.subarray(0, 40));
          assert.ok(answer.bytes.length === 0 || STATUS_LINE_REGEXP.test(text), text);
          // A tunnel ends when its far end does: the provider, or for an intercepted host the TLS
          // server, which waits for a ClientHello up to node's 120 s handshake timeout (reported).
          assert.ok(answer.closed || answer.tunnel, "the proxy kept a half-closed connection");
        }),
        fuzzOptions(0xb1, 150),
      );

      // Still serving, byte for byte, on a new connection.
      const { meta } = await fixture("anthropic/messages_stream");
      const res = await fetch(`http://127.0.0.1:${proxy.port}/anthropic/v1/messages`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-fake-chunking": "bytes" },
        body: JSON.stringify(meta.request),
      });
      const body = new Uint8Array(await res.arrayBuffer());
      assert.equal(res.status, 200);
      assert.deepEqual(body, fake.sent(res.headers.get("x-fake-request-id")!));
      assert.ok(proxy.events.length > 0, "no relayed call reached a tap");
      assert.deepEqual(proxy.errors, []);
    } finally {
      await proxy.close();
      await fake.close();
    }
  },
});
