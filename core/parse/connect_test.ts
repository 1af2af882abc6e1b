import assert from "node:assert/strict";
import { gzipSync } from "node:zlib";
import { connectFrame, connectStream, join } from "./_contract_connect.ts";
import { type ConnectSummary, type ConnectWarning, createConnectDecoder } from "./connect.ts";

function decode(chunks: Uint8Array[], maxFrameBytes?: number) {
  const events: string[] = [];
  const warnings: ConnectWarning[] = [];
  const decoder = createConnectDecoder({
    onMessage: (p) => events.push(`message ${new TextDecoder().decode(p)}`),
    onEndStream: (p) => events.push(`end ${new TextDecoder().decode(p)}`),
    onWarning: (w) => warnings.push(w),
    maxFrameBytes,
  });
  for (const chunk of chunks) decoder.feed(chunk);
  const summary: ConnectSummary = decoder.flush();
  return { events, warnings, summary };
}

Deno.test("createConnectDecoder() decodes messages and end-stream split at every byte", () => {
  const body = connectStream(["one", "", "three"], '{"metadata":{}}');
  const expected = ["message one", "message ", "message three", 'end {"metadata":{}}'];
  for (let i = 0; i <= body.length; i++) {
    const { events, warnings } = decode([body.subarray(0, i), body.subarray(i)]);
    assert.deepEqual(events, expected, `split ${i}`);
    assert.deepEqual(warnings, []);
  }
  assert.deepEqual(decode(Array.from(body, (b) => Uint8Array.of(b))).events, expected);
});

Deno.test("createConnectDecoder() inflates gzip frames, end-stream included", () => {
  const body = connectStream(["hello"], "{}", { gzip: true });
  assert.deepEqual(decode([body]).events, ["message hello", "end {}"]);
});

Deno.test("createConnectDecoder() bounds inflated output and keeps decoding the next frame", () => {
  const big = new Uint8Array(gzipSync(new Uint8Array(4096)));
  const frame = join([Uint8Array.of(1, 0, 0, 0, big.length), big]);
  const { events, warnings, summary } = decode([frame, connectFrame("next")], 1024);
  assert.deepEqual(events, ["message next"]);
  assert.deepEqual(warnings.map((w) => w.code), ["bad-compression"]);
  assert.equal(summary.skippedBytes, big.length);
});

Deno.test("createConnectDecoder() stops at an oversize length or unknown flags", () => {
  const huge = Uint8Array.of(0, 0x01, 0, 0, 1, 9, 9, 9);
  const oversize = decode([connectFrame("ok"), huge, connectFrame("lost")], 0x10000);
  assert.deepEqual(oversize.events, ["message ok"]);
  assert.deepEqual(oversize.warnings.map((w) => w.code), ["frame-too-large"]);
  assert.equal(oversize.summary.skippedBytes, huge.length + 9);
  const grpcWebTrailer = decode([Uint8Array.of(0x80, 0, 0, 0, 0)]);
  assert.deepEqual(grpcWebTrailer.warnings.map((w) => w.code), ["bad-frame"]);
});

Deno.test("createConnectDecoder() reports a truncated frame and ignores bytes after end-stream", () => {
  const cut = decode([connectFrame("abcdef").subarray(0, 8)]);
  assert.deepEqual(cut.events, []);
  assert.deepEqual(cut.summary, { truncated: true, skippedBytes: 3 });
  const trailing = decode([connectStream(["a"]), Uint8Array.of(1, 2), Uint8Array.of(3)]);
  assert.deepEqual(trailing.events, ["message a", "end {}"]);
  assert.deepEqual(trailing.warnings.map((w) => w.code), ["trailing-data"]);
  assert.deepEqual(trailing.summary, { truncated: false, skippedBytes: 0 });
});
