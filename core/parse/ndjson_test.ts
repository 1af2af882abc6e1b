import assert from "node:assert/strict";
import { createNdjsonReader, type NdjsonWarning } from "./ndjson.ts";

function read(chunks: (string | Uint8Array)[], maxLineBytes?: number) {
  const values: unknown[] = [];
  const bad: string[] = [];
  const warnings: NdjsonWarning[] = [];
  const reader = createNdjsonReader({
    onValue: (v) => values.push(v),
    onBadLine: (t) => bad.push(t),
    onWarning: (w) => warnings.push(w),
    maxLineBytes,
  });
  for (const chunk of chunks) {
    reader.feed(typeof chunk === "string" ? new TextEncoder().encode(chunk) : chunk);
  }
  reader.flush();
  return { values, bad, warnings };
}

Deno.test("createNdjsonReader() emits each line's value, split anywhere, last line unterminated", () => {
  const bytes = new TextEncoder().encode('{"a":"é"}\r\n\n{"b":2}\n[3]');
  const expected = [{ a: "é" }, { b: 2 }, [3]];
  for (let i = 0; i <= bytes.length; i++) {
    const halves = [bytes.subarray(0, i), bytes.subarray(i)];
    assert.deepEqual(read(halves).values, expected, `split ${i}`);
  }
  assert.deepEqual(read(Array.from(bytes, (b) => Uint8Array.of(b))).values, expected);
});

Deno.test("createNdjsonReader() reports a bad line and goes on", () => {
  const { values, bad, warnings } = read(['{"a":1}\n{"cut', '\n{"b":2}\n']);
  assert.deepEqual(values, [{ a: 1 }, { b: 2 }]);
  assert.deepEqual(bad, ['{"cut']);
  assert.deepEqual(warnings.map((w) => w.code), ["bad-json"]);
});

Deno.test("createNdjsonReader() stops at a line over the limit", () => {
  const { values, warnings } = read(
    ['{"a":1}\n', "x".repeat(40), "y".repeat(40), '\n{"b":2}\n'],
    64,
  );
  assert.deepEqual(values, [{ a: 1 }]);
  assert.deepEqual(warnings.map((w) => w.code), ["buffer-overflow"]);
});

Deno.test("createNdjsonReader() parses only the lines onLine leaves to it", () => {
  const values: unknown[] = [];
  const seen: string[] = [];
  const reader = createNdjsonReader({
    onValue: (value) => values.push(value),
    onLine: (text) => {
      seen.push(text);
      return !text.includes('"done":true');
    },
  });
  reader.feed(new TextEncoder().encode('{"n":1}\n{"n":2,"done":true}\n{"n":3}'));
  reader.flush();
  assert.deepEqual(seen, ['{"n":1}', '{"n":2,"done":true}', '{"n":3}']);
  assert.deepEqual(values, [{ n: 2, done: true }]);
});
