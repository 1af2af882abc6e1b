import assert from "node:assert/strict";
import { createRandom, splitEvery, splitRandomly } from "./_contract.ts";
import { createJsonArrayStream, type JsonArrayWarning } from "./json_array_stream.ts";
import { createJsonBodyReader } from "./json_body.ts";

function read(chunks: (string | Uint8Array)[], maxElementBytes?: number) {
  const values: unknown[] = [];
  const warnings: JsonArrayWarning[] = [];
  const stream = createJsonArrayStream({
    onElement: (v) => values.push(v),
    onWarning: (w) => warnings.push(w),
    maxElementBytes,
  });
  for (const c of chunks) stream.feed(typeof c === "string" ? new TextEncoder().encode(c) : c);
  stream.flush();
  return { values, codes: warnings.map((w) => w.code) };
}

const GEMINI = '[{\n  "a": [1, {"b": "}]"}]\n}\n,\r\n{\n  "s": "q\\"[{\\\\"\n}\n]';
const GEMINI_VALUES = [{ a: [1, { b: "}]" }] }, { s: 'q"[{\\' }];

Deno.test("createJsonArrayStream() emits each element of a Gemini-style array", () => {
  assert.deepEqual(read([GEMINI]), { values: GEMINI_VALUES, codes: [] });
});

Deno.test("createJsonArrayStream() gives the same elements for every chunking", () => {
  const bytes = new TextEncoder().encode(GEMINI);
  assert.deepEqual(read(splitEvery(bytes, 1)).values, GEMINI_VALUES);
  for (const seed of [1, 2, 3, 4]) {
    assert.deepEqual(read(splitRandomly(bytes, createRandom(seed))).values, GEMINI_VALUES);
  }
});

Deno.test("createJsonArrayStream() ends strings right across runs of backslashes and quotes", () => {
  // Strings skipped with indexOf: a quote after an odd run of backslashes, split anywhere, is text.
  const random = createRandom(7);
  const pieces = ["\\", '"', "\\\\", '\\"', "{", "}]", "a", "é", " "];
  for (let round = 0; round < 40; round++) {
    const values = Array.from({ length: 3 }, () => ({
      s: Array.from({ length: 12 }, () => pieces[Math.floor(random() * pieces.length)]).join(""),
    }));
    const bytes = new TextEncoder().encode(`[${values.map((v) => JSON.stringify(v)).join(",")}]`);
    assert.deepEqual(read(splitRandomly(bytes, random)).values, values);
    assert.deepEqual(read(splitEvery(bytes, 1)).values, values);
  }
});

Deno.test("createJsonArrayStream() reads a bare object body as one element", () => {
  assert.deepEqual(read(['  {"x": 1}\n']), { values: [{ x: 1 }], codes: [] });
});

Deno.test("createJsonArrayStream() emits nested arrays and ignores bytes after the closing bracket", () => {
  assert.deepEqual(read(["[[1,2],\n[3]]  trailing"]).values, [[1, 2], [3]]);
});

Deno.test("createJsonArrayStream() warns instead of throwing on bad input", () => {
  assert.deepEqual(read(["data: {}"]).codes, ["not-json-array"]);
  assert.deepEqual(read(['[{"a": 1']).codes, ["truncated"]);
  assert.deepEqual(read(['[{"a": tru}, {"b": 2}]']), { values: [{ b: 2 }], codes: ["bad-json"] });
  assert.deepEqual(read(["[1]"]).codes, ["not-json-array"]);
  assert.deepEqual(read(['[{"a": "' + "x".repeat(600), "x".repeat(600) + '"}]'], 1000).codes, [
    "buffer-overflow",
  ]);
});

Deno.test("createJsonBodyReader() parses a body fed in chunks and reports bad JSON", () => {
  const reader = createJsonBodyReader();
  for (const c of splitEvery(new TextEncoder().encode('{"usage": {"n": 3}}'), 2)) reader.feed(c);
  assert.deepEqual(reader.finish(), { ok: true, value: { usage: { n: 3 } } });
  const codes: string[] = [];
  const truncated = createJsonBodyReader({ onWarning: (w) => codes.push(w.code) });
  truncated.feed(new TextEncoder().encode('{"usage": {"n"'));
  assert.deepEqual(truncated.finish(), { ok: false, text: '{"usage": {"n"' });
  const large = createJsonBodyReader({ maxBytes: 4, onWarning: (w) => codes.push(w.code) });
  large.feed(new TextEncoder().encode("[1, 2, 3]"));
  assert.deepEqual(large.finish(), { ok: false, text: "" });
  assert.deepEqual(codes, ["bad-json", "body-too-large"]);
});
