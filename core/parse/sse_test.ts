import assert from "node:assert/strict";
import { createRandom, splitEvery, splitRandomly } from "./_contract.ts";
import { createSseDecoder, type SseEvent, type SseWarning } from "./sse.ts";

function decode(chunks: (string | Uint8Array)[], maxBufferBytes?: number) {
  const events: SseEvent[] = [];
  const warnings: SseWarning[] = [];
  const decoder = createSseDecoder({
    onEvent: (e) => events.push(e),
    onWarning: (w) => warnings.push(w),
    maxBufferBytes,
  });
  for (const chunk of chunks) {
    decoder.feed(typeof chunk === "string" ? new TextEncoder().encode(chunk) : chunk);
  }
  decoder.flush();
  return { events, warnings };
}

const MIXED = "event: a\r\ndata: 1\r\n\r\ndata: 2\rdata: 3\r\rdata: 4\n\nevent: b\ndata:5\n\n";
const MIXED_EVENTS = [
  { event: "a", data: "1" },
  { event: undefined, data: "2\n3" },
  { event: undefined, data: "4" },
  { event: "b", data: "5" },
];

Deno.test("createSseDecoder() splits events on LF, CRLF and CR line endings", () => {
  assert.deepEqual(decode([MIXED]).events, MIXED_EVENTS);
});

Deno.test("createSseDecoder() gives the same events for every chunking", () => {
  const bytes = new TextEncoder().encode(MIXED);
  assert.deepEqual(decode(splitEvery(bytes, 1)).events, MIXED_EVENTS);
  for (let cut = 0; cut <= bytes.length; cut++) {
    const chunks = [bytes.subarray(0, cut), bytes.subarray(cut)];
    assert.deepEqual(decode(chunks).events, MIXED_EVENTS, `cut at ${cut}`);
  }
  for (const seed of [1, 2, 3]) {
    assert.deepEqual(decode(splitRandomly(bytes, createRandom(seed))).events, MIXED_EVENTS);
  }
});

Deno.test("createSseDecoder() holds a trailing CR so a CRLF split across chunks is one line end", () => {
  const { events } = decode(["data: a\r", "\ndata: b\r", "\n\r", "\n"]);
  assert.deepEqual(events, [{ event: undefined, data: "a\nb" }]);
});

Deno.test("createSseDecoder() joins multiple data lines with a newline", () => {
  const { events } = decode(['data: {\ndata:   "a": 1\ndata: }\n\n']);
  assert.deepEqual(events, [{ event: undefined, data: '{\n  "a": 1\n}' }]);
});

Deno.test("createSseDecoder() ignores comments and strips exactly one space after the colon", () => {
  const { events } = decode([
    ": OPENROUTER PROCESSING\n\ndata:  two\nid: 7\nretry: 10\nfoo: x\n\n",
  ]);
  assert.deepEqual(events, [{ event: undefined, data: " two" }]);
});

Deno.test("createSseDecoder() treats a field without a colon as an empty value", () => {
  const { events } = decode(["data\n\ndata\ndata\n\n"]);
  assert.deepEqual(events, [{ event: undefined, data: "" }, { event: undefined, data: "\n" }]);
});

Deno.test("createSseDecoder() dispatches nothing for an event without data and resets its type", () => {
  const { events } = decode(["event: ping\n\ndata: x\n\n"]);
  assert.deepEqual(events, [{ event: undefined, data: "x" }]);
});

Deno.test("createSseDecoder() decodes UTF-8 split inside a character and strips a BOM", () => {
  const bytes = new TextEncoder().encode("\uFEFFdata: 提示 🎉 é\n\n");
  assert.deepEqual(decode(splitEvery(bytes, 1)).events, [{ event: undefined, data: "提示 🎉 é" }]);
});

Deno.test("createSseDecoder() dispatches a final event that lacks its blank line on flush", () => {
  assert.deepEqual(decode(["data: 1\n\ndata: 2"]).events, [
    { event: undefined, data: "1" },
    { event: undefined, data: "2" },
  ]);
  assert.deepEqual(decode(["data: 3\n"]).events, [{ event: undefined, data: "3" }]);
});

Deno.test("createSseDecoder() reports buffer-overflow for a long line and stops", () => {
  const { events, warnings } = decode(["data: 1\n\n", "x".repeat(600), "x".repeat(600)], 1000);
  assert.deepEqual(events, [{ event: undefined, data: "1" }]);
  assert.deepEqual(warnings.map((w) => w.code), ["buffer-overflow"]);
  const after = decode(["y".repeat(2000), "\n\ndata: 2\n\n"], 1000);
  assert.deepEqual(after.events, []);
});

Deno.test("createSseDecoder() reports buffer-overflow for an event of many data lines", () => {
  const { events, warnings } = decode(["data: 0123456789\n".repeat(200) + "\n"], 1000);
  assert.deepEqual(events, []);
  assert.deepEqual(warnings.map((w) => w.code), ["buffer-overflow"]);
});

Deno.test("createSseDecoder() handles a long line fed in small chunks", () => {
  const line = "data: " + "z".repeat(100_000) + "\n\n";
  const { events } = decode(splitEvery(new TextEncoder().encode(line), 7));
  assert.equal(events.length, 1);
  assert.equal(events[0].data.length, 100_000);
});
