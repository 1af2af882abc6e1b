import assert from "node:assert/strict";
import zlib from "node:zlib";
import {
  acceptsEncoding,
  compressChunks,
  concatBytes,
  splitEvents,
  splitRandom,
  writeChunks,
} from "./_fake_delivery.ts";
import { FIXTURES, SSE } from "./_fake_fixtures.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

Deno.test("splitEvents() cuts after each SSE event and each JSON array element", () => {
  const text = (chunks: Uint8Array[]) => chunks.map((c) => new TextDecoder().decode(c));
  assert.deepEqual(text(splitEvents(bytes("\ndata: a\r\n\r\ndata: b\r\rdata: c\n\ntail"), SSE)), [
    "\ndata: a\r\n\r\n",
    "data: b\r\r",
    "data: c\n\n",
    "tail",
  ]);
  assert.deepEqual(
    text(splitEvents(bytes(FIXTURES["google/stream_array"][1]), "application/json")),
    [
      '[{\n  "t": "}]{"\n}',
      '\n,\r\n{\n  "u": {"v": [1]}\n}',
      "\n]",
    ],
  );
  assert.equal(splitEvents(bytes('{"a": [1]}'), "application/json").length, 1);
});

Deno.test("splitRandom() splits reproducibly into pieces of at most 32 bytes", () => {
  const body = bytes("x".repeat(1000));
  const a = splitRandom(body, 3);
  assert.deepEqual(a, splitRandom(body, 3));
  assert.notDeepEqual(a.map((c) => c.length), splitRandom(body, 4).map((c) => c.length));
  assert.ok(a.every((c) => c.length >= 1 && c.length <= 32));
  assert.equal(a.reduce((n, c) => n + c.length, 0), 1000);
});

Deno.test("acceptsEncoding() follows q-values and the wildcard", () => {
  assert.equal(acceptsEncoding("gzip, br", "br"), true);
  assert.equal(acceptsEncoding("gzip;q=0.5", "gzip"), true);
  assert.equal(acceptsEncoding("gzip;q=0, *", "gzip"), false);
  assert.equal(acceptsEncoding("*", "deflate"), true);
  assert.equal(acceptsEncoding(undefined, "gzip"), false);
});

Deno.test("compressChunks() flushes so each compressed chunk decodes to its own event", async () => {
  const events = splitEvents(bytes(FIXTURES["anthropic/messages_stream"][1]), SSE);
  const decoders = {
    gzip: (b: Uint8Array) => zlib.gunzipSync(b, { finishFlush: zlib.constants.Z_SYNC_FLUSH }),
    deflate: (b: Uint8Array) => zlib.inflateSync(b, { finishFlush: zlib.constants.Z_SYNC_FLUSH }),
    br: (b: Uint8Array) =>
      zlib.brotliDecompressSync(b, { finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH }),
  };
  for (const [coding, decode] of Object.entries(decoders)) {
    const chunks = await compressChunks(events, coding as keyof typeof decoders);
    assert.equal(chunks.length, events.length);
    for (let k = 1; k <= chunks.length; k++) {
      const prefix = new Uint8Array(decode(concatBytes(chunks.slice(0, k))));
      assert.deepEqual(prefix, concatBytes(events.slice(0, k)), `${coding} after ${k} chunks`);
    }
  }
});

// Ops sanitizing is off by default in Deno 2; on here, it fails the test if a cut leaves a timer.
Deno.test({
  name: "writeChunks() writes in order, holds a stall until aborted, and leaves no timer",
  sanitizeOps: true,
}, async () => {
  const chunks = [bytes("a"), bytes("b"), bytes("c")];
  const run = (
    options: { stallAfter: number; delayMs: number; gapMs?: number; signal: AbortSignal },
  ) => {
    const seen: string[] = [];
    const write = (chunk: Uint8Array) => {
      seen.push(new TextDecoder().decode(chunk));
      return Promise.resolve();
    };
    return { seen, done: writeChunks(chunks, { ...options, write }) };
  };
  const tick = () => new Promise((resolve) => setTimeout(resolve, 10));

  const all = run({ stallAfter: Infinity, delayMs: 1, signal: new AbortController().signal });
  assert.equal(await all.done, true);
  assert.deepEqual(all.seen, ["a", "b", "c"]);

  const stall = new AbortController();
  const stalled = run({ stallAfter: 2, delayMs: 0, signal: stall.signal });
  await tick();
  assert.deepEqual(stalled.seen, ["a", "b"]);
  stall.abort();
  assert.equal(await stalled.done, false);

  const slow = new AbortController();
  const delayed = run({ stallAfter: Infinity, delayMs: 60_000, signal: slow.signal });
  await tick();
  slow.abort();
  assert.equal(await delayed.done, false);
  assert.deepEqual(delayed.seen, ["a"]);

  // One gap, after the first chunk only.
  const gapped = new AbortController();
  const gap = run({ stallAfter: Infinity, delayMs: 0, gapMs: 60_000, signal: gapped.signal });
  await tick();
  assert.deepEqual(gap.seen, ["a"]);
  gapped.abort();
  assert.equal(await gap.done, false);
});
