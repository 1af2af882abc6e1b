// Property-based test of "never an altered client stream": whatever a provider answers (fixture
// bodies whole, cut or mutated, random bytes, broken compression, any status and headers), the
// client receives it through the relay byte for byte while the real usage taps read it, and no tap
// throws. The provider is a tiny loopback server that answers what the property generated.
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import http from "node:http";
import type net from "node:net";
import { gzipSync } from "node:zlib";
import fc from "fast-check";
import { type Fixture, loadFixtures } from "../core/parse/_contract.ts";
import { chunkSizes, fuzzOptions, noisyBytes, splitBy } from "../core/parse/_fuzz_fixture.ts";
import { SANDBOX, startProxy } from "./_fuzz_proxy.ts";

/** What the loopback provider answers to one request. */
interface Served {
  status: number;
  headers: [string, string][];
  chunks: Uint8Array[];
}

const FIXTURES: Fixture[] = [
  ...await loadFixtures("openai"),
  ...await loadFixtures("anthropic"),
  ...await loadFixtures("google"),
];
const HOP_BY_HOP_REGEXP = /^(connection|keep-alive|transfer-encoding|te|trailer|upgrade)$/;

function body(f: Fixture): fc.Arbitrary<{ bytes: Uint8Array; encoding?: string }> {
  const cut = fc.nat().map((n) => f.bytes.subarray(0, n % (f.bytes.length + 1)));
  const flipped = fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 })
    .map((flips) => {
      const bytes = f.bytes.slice();
      for (const [at, b] of flips) bytes[at % bytes.length] = b;
      return bytes;
    });
  const gzip = gzipSync(f.bytes);
  return fc.oneof(
    fc.oneof(fc.constant(f.bytes), cut, flipped, noisyBytes(200)).map((bytes) => ({ bytes })),
    fc.constantFrom(
      { bytes: gzip, encoding: "gzip" },
      { bytes: gzip.subarray(0, gzip.length >> 1), encoding: "gzip" },
      { bytes: f.bytes, encoding: "br" },
    ),
    fc.tuple(noisyBytes(64), fc.constantFrom("gzip", "deflate", "br", "identity", "x-unknown"))
      .map(([bytes, encoding]) => ({ bytes, encoding })),
  );
}

const served = (f: Fixture) =>
  fc.record({
    status: fc.constantFrom(200, 200, 200, 201, 400, 429, 500, 529),
    type: fc.oneof(
      fc.constant(f.response.contentType),
      fc.constantFrom(null, "text/event-stream", "application/json", "application/x-ndjson"),
    ),
    body: body(f),
    lengthKnown: fc.boolean(),
    extra: fc.uniqueArray(
      fc.tuple(fc.stringMatching(/^[a-z][a-z0-9]{0,6}$/), fc.string({ maxLength: 12 })),
      { maxLength: 3, selector: ([name]) => name },
    ),
    sizes: chunkSizes(),
  }).map(({ status, type, body, lengthKnown, extra, sizes }): Served => {
    const headers: [string, string][] = extra.map(([name, value]) => [
      `x-fuzz-${name}`,
      value.trim(),
    ]);
    if (type) headers.push(["content-type", type]);
    if (body.encoding) headers.push(["content-encoding", body.encoding]);
    if (lengthKnown) headers.push(["content-length", String(body.bytes.length)]);
    // At most ~64 writes, each its own read downstream: small cuts for small bodies.
    const least = Math.ceil(body.bytes.length / 64);
    const chunks = splitBy(body.bytes, sizes.map((size) => Math.max(size, least)));
    return { status, headers, chunks };
  });

async function startProvider(cases: Map<string, Served>) {
  const server = http.createServer(async (req, res) => {
    for await (const _ of req) { /* drained: the body is the client's, not the answer's */ }
    const answer = cases.get(String(req.headers["x-fuzz-case"]));
    if (!answer) return void res.writeHead(404).end();
    res.writeHead(answer.status, answer.headers.flat());
    for (const chunk of answer.chunks) {
      res.write(chunk);
      await new Promise((resolve) => setTimeout(resolve, 0)); // a separate read downstream
    }
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function post(port: number, path: string, headers: Record<string, string>, body: Uint8Array) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Uint8Array }>(
    (resolve, reject) => {
      const req = http.request(
        { host: "127.0.0.1", port, path, method: "POST", headers },
        (res) => {
          const chunks: Uint8Array[] = [];
          res.on("data", (chunk: Uint8Array) => chunks.push(chunk));
          res.once("end", () =>
            resolve({
              status: res.statusCode!,
              headers: res.headers,
              body: Buffer.concat(chunks),
            }));
          res.once("error", reject);
        },
      );
      req.once("error", reject);
      req.end(body);
    },
  );
}

Deno.test({
  name: "relayRequest() hands the client every upstream body byte for byte, taps reading along",
  permissions: SANDBOX,
  async fn() {
    const cases = new Map<string, Served>();
    const provider = await startProvider(cases);
    const proxy = await startProxy(provider.origin, []);
    let count = 0;
    try {
      const relayed = fc.constantFrom(...FIXTURES).chain((f) =>
        fc.tuple(fc.constant(f), served(f))
      );
      await fc.assert(
        fc.asyncProperty(relayed, async ([f, answer]) => {
          const id = String(++count);
          cases.set(id, answer);
          const prefix = f.request.provider === "google" ? "google" : f.request.provider;
          const query = f.request.query ? `?${f.request.query}` : "";
          const res = await post(proxy.port, `/${prefix}${f.request.path}${query}`, {
            "content-type": "application/json",
            "x-fuzz-case": id,
            connection: "close",
          }, f.request.body);
          cases.delete(id);
          assert.equal(res.status, answer.status);
          assert.deepEqual(res.body, Buffer.concat(answer.chunks));
          for (const [name, value] of answer.headers) {
            if (!HOP_BY_HOP_REGEXP.test(name)) assert.equal(res.headers[name], value, name);
          }
        }),
        fuzzOptions(0xc1, 60),
      );
      // Taps finish after the response (decompression is asynchronous): let them run out.
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.ok(proxy.events.length > 0, "no response reached a tap");
      assert.deepEqual(proxy.errors, []);
    } finally {
      await proxy.close();
      await provider.close();
    }
  },
});
