import assert from "node:assert/strict";
import v8 from "node:v8";
import vm from "node:vm";
import { createRandom, decodeSse, splitEvery, splitRandomly } from "./_contract.ts";
import { createSseDecoder, type SseEvent, type SseWarning } from "./sse.ts";

const MIXED = "event: a\r\ndata: 1\r\n\r\ndata: 2\rdata: 3\r\rdata: 4\n\nevent: b\ndata:5\n\n";
const MIXED_EVENTS = [
  { event: "a", data: "1" },
  { event: undefined, data: "2\n3" },
  { event: undefined, data: "4" },
  { event: "b", data: "5" },
];

Deno.test("createSseDecoder() splits events on LF, CRLF and CR line endings", () => {
  assert.deepEqual(decodeSse([MIXED]).events, MIXED_EVENTS);
});

Deno.test("createSseDecoder() gives the same events for every chunking", () => {
  const bytes = new TextEncoder().encode(MIXED);
  assert.deepEqual(decodeSse(splitEvery(bytes, 1)).events, MIXED_EVENTS);
  for (let cut = 0; cut <= bytes.length; cut++) {
    const chunks = [bytes.subarray(0, cut), bytes.subarray(cut)];
    assert.deepEqual(decodeSse(chunks).events, MIXED_EVENTS, `cut at ${cut}`);
  }
  for (const seed of [1, 2, 3]) {
    assert.deepEqual(decodeSse(splitRandomly(bytes, createRandom(seed))).events, MIXED_EVENTS);
  }
});

Deno.test("createSseDecoder() holds a trailing CR so a CRLF split across chunks is one line end", () => {
  const { events } = decodeSse(["data: a\r", "\ndata: b\r", "\n\r", "\n"]);
  assert.deepEqual(events, [{ event: undefined, data: "a\nb" }]);
});

Deno.test("createSseDecoder() joins multiple data lines with a newline", () => {
  const { events } = decodeSse(['data: {\ndata:   "a": 1\ndata: }\n\n']);
  assert.deepEqual(events, [{ event: undefined, data: '{\n  "a": 1\n}' }]);
});

Deno.test("createSseDecoder() ignores comments and strips exactly one space after the colon", () => {
  const { events } = decodeSse([
    ": OPENROUTER PROCESSING\n\ndata:  two\nid: 7\nretry: 10\nfoo: x\n\n",
  ]);
  assert.deepEqual(events, [{ event: undefined, data: " two" }]);
});

Deno.test("createSseDecoder() treats a field without a colon as an empty value", () => {
  const { events } = decodeSse(["data\n\ndata\ndata\n\n"]);
  assert.deepEqual(events, [{ event: undefined, data: "" }, { event: undefined, data: "\n" }]);
});

Deno.test("createSseDecoder() dispatches nothing for an event without data and resets its type", () => {
  const { events } = decodeSse(["event: ping\n\ndata: x\n\n"]);
  assert.deepEqual(events, [{ event: undefined, data: "x" }]);
});

Deno.test("createSseDecoder() decodes UTF-8 split inside a character and strips a BOM", () => {
  const bytes = new TextEncoder().encode("\uFEFFdata: 提示 🎉 é\n\n");
  assert.deepEqual(decodeSse(splitEvery(bytes, 1)).events, [{
    event: undefined,
    data: "提示 🎉 é",
  }]);
});

Deno.test("createSseDecoder() dispatches a final event that lacks its blank line on flush", () => {
  assert.deepEqual(decodeSse(["data: 1\n\ndata: 2"]).events, [
    { event: undefined, data: "1" },
    { event: undefined, data: "2" },
  ]);
  assert.deepEqual(decodeSse(["data: 3\n"]).events, [{ event: undefined, data: "3" }]);
});

Deno.test("createSseDecoder() skips a line longer than its bound, warns once and reads on", () => {
  const long = "x".repeat(600);
  const { events, warnings } = decodeSse(
    ["data: 1\n\n", `data: ${long}`, `${long}\ndata: lost\n\n`, "data: 2\n\n"],
    1000,
  );
  // The event that lost a data line is dropped whole rather than dispatched cut.
  assert.deepEqual(events, [{ event: undefined, data: "1" }, { event: undefined, data: "2" }]);
  assert.deepEqual(warnings.map((w) => w.code), ["buffer-overflow"]);
  const after = decodeSse(["y".repeat(2000), "\n\ndata: 3\n\n", "z".repeat(3000) + "\n"], 1000);
  assert.deepEqual(after.events, [{ event: undefined, data: "3" }]);
  assert.equal(after.warnings.length, 1, "one warning per stream");
});

Deno.test("createSseDecoder() keeps an event whose overlong line was a comment", () => {
  const { events } = decodeSse([`data: a\n:${"k".repeat(1500)}\ndata: b\n\n`], 1000);
  assert.deepEqual(events, [{ event: undefined, data: "a\nb" }]);
});

Deno.test("createSseDecoder() skips the same overlong lines however the bytes are split", () => {
  const text = `data: 1\n\n:${"c".repeat(40)}\r\ndata: ${"d".repeat(40)}\r\r` +
    `event: e\ndata: 2\r\n\r\n${"e".repeat(50)}\n\ndata: 3\n\n`;
  const bytes = new TextEncoder().encode(text);
  const whole = decodeSse([bytes], 32);
  assert.deepEqual(whole.events, [
    { event: undefined, data: "1" },
    { event: "e", data: "2" },
    { event: undefined, data: "3" },
  ]);
  assert.deepEqual(decodeSse(splitEvery(bytes, 1), 32), whole);
  for (let cut = 0; cut <= bytes.length; cut++) {
    assert.deepEqual(decodeSse([bytes.subarray(0, cut), bytes.subarray(cut)], 32), whole, `${cut}`);
  }
});

Deno.test("createSseDecoder() resumes after a skipped line cut inside a character or a CRLF", () => {
  // A BOM after the stream's start is no BOM: that line's field is "\uFEFFdata", unknown.
  const text = `data: é${"€".repeat(30)}é\r\n\r\ndata: ü 🎉\r\n\r\n\uFEFFdata: x\n\n`;
  const bytes = new TextEncoder().encode(text);
  const whole = decodeSse([bytes], 32);
  assert.deepEqual(whole.events, [{ event: undefined, data: "ü 🎉" }]);
  for (let a = 1; a < bytes.length; a++) {
    for (const b of [a + 1, a + 3, bytes.length]) {
      const chunks = [bytes.subarray(0, a), bytes.subarray(a, b), bytes.subarray(b)];
      assert.deepEqual(decodeSse(chunks, 32), whole, `cut at ${a} and ${b}`);
    }
  }
});

Deno.test("createSseDecoder() drops an event of too many data lines and reads the next", () => {
  const { events, warnings } = decodeSse(
    ["data: 0123456789\n".repeat(200) + "\n", "data: next\n\n"],
    1000,
  );
  assert.deepEqual(events, [{ event: undefined, data: "next" }]);
  assert.deepEqual(warnings.map((w) => w.code), ["buffer-overflow"]);
});

Deno.test("createSseDecoder() holds at most its bound of a 100 MB line without a newline", () => {
  // What the decoder holds is measured after a full collection, so garbage (the decoded chunks)
  // does not count; the test process lets itself call gc() for that.
  v8.setFlagsFromString("--expose-gc");
  const gc: () => void = vm.runInNewContext("gc");
  // One 1 MiB buffer fed 100 times: the test itself allocates nothing that grows.
  const chunk = new TextEncoder().encode("x".repeat(1024 * 1024));
  const events: SseEvent[] = [];
  const warnings: SseWarning[] = [];
  const decoder = createSseDecoder({
    onEvent: (e) => events.push(e),
    onWarning: (w) => warnings.push(w),
  });
  decoder.feed(new TextEncoder().encode('data: {"id":1}\n\ndata: '));
  gc();
  const before = Deno.memoryUsage().heapUsed;
  for (let i = 0; i < 100; i++) decoder.feed(chunk);
  gc();
  const held = Deno.memoryUsage().heapUsed - before;
  decoder.feed(new TextEncoder().encode('\n\ndata: {"id":2}\n\n'));
  decoder.flush();
  assert.deepEqual(events.map((e) => e.data), ['{"id":1}', '{"id":2}']);
  assert.deepEqual(warnings.map((w) => w.code), ["buffer-overflow"]);
  // Holding the line would take 100 MB; past its 16 MiB bound the decoder drops it.
  assert.ok(held < 16 * 1024 * 1024, `the decoder holds ${(held / 2 ** 20).toFixed(1)} MiB`);
});

Deno.test("createSseDecoder() handles a long line fed in small chunks", () => {
  const line = "data: " + "z".repeat(100_000) + "\n\n";
  const { events } = decodeSse(splitEvery(new TextEncoder().encode(line), 7));
  assert.equal(events.length, 1);
  assert.equal(events[0].data.length, 100_000);
});
