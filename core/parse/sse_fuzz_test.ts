// Property-based tests of the SSE decoder: any bytes in any chunking decode without a throw and
// to the same events, and generated well-formed streams decode to what the spec says.
import assert from "node:assert/strict";
import fc from "fast-check";
import { chunkSizes, fuzzOptions, noisyBytes, splitBy } from "./_fuzz_fixture.ts";
import type { SseEvent } from "./sse.ts";
import { decodeSse } from "./_contract.ts";

type LineEnd = "\n" | "\r" | "\r\n";
interface StreamSpec {
  bom: boolean;
  blocks: { lines: { text: string; end: LineEnd }[]; blankEnd: LineEnd }[];
  /** How the stream stops: after its last blank line, before it, or inside the last line's end. */
  ending: "blank" | "no-blank" | "no-line-end";
}

const lineEnd = fc.constantFrom<LineEnd>("\n", "\r", "\r\n");
// Any code point but CR and LF (a value never spans lines); lone surrogates cannot be sent as UTF-8.
const value = fc.string({ unit: "binary", maxLength: 24 }).map((s) => s.replace(/[\r\n]/g, ""));
const space = fc.constantFrom("", " ", "  ");
const line = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(space, value).map(([s, v]) => `data:${s}${v}`) },
  { weight: 2, arbitrary: fc.tuple(space, value).map(([s, v]) => `event:${s}${v}`) },
  { weight: 1, arbitrary: fc.constantFrom("data", "event") }, // a field name without a colon
  {
    weight: 1,
    arbitrary: fc.tuple(
      fc.constantFrom("id", "retry", "Data", "dat", "events", "x-y"),
      space,
      value,
    )
      .map(([name, s, v]) => `${name}:${s}${v}`),
  },
  { weight: 1, arbitrary: value.map((v) => `:${v}`) }, // a comment (keep-alive)
);
const streamSpec: fc.Arbitrary<StreamSpec> = fc.record({
  bom: fc.boolean(),
  blocks: fc.array(
    fc.record({
      lines: fc.array(fc.record({ text: line, end: lineEnd }), { maxLength: 6 }),
      blankEnd: lineEnd,
    }),
    { maxLength: 6 },
  ),
  ending: fc.constantFrom("blank", "no-blank", "no-line-end"),
});

/** Serializes a spec; returns the bytes and the lines a spec-following reader would see. */
function render(spec: StreamSpec): { bytes: Uint8Array; lines: (string | null)[] } {
  let text = spec.bom ? "\uFEFF" : "";
  const lines: (string | null)[] = []; // null: a blank line, which dispatches
  let previous: LineEnd | null = null;
  spec.blocks.forEach((block, b) => {
    const last = b === spec.blocks.length - 1;
    block.lines.forEach(({ text: content, end }, i) => {
      const cut = last && spec.ending === "no-line-end" && i === block.lines.length - 1;
      text += content + (cut ? "" : end);
      lines.push(content);
      previous = end;
    });
    if (last && spec.ending !== "blank") return;
    // "\r" then "\n" would be one CRLF, not an end plus a blank line.
    const blank: LineEnd = previous === "\r" && block.blankEnd === "\n" ? "\r\n" : block.blankEnd;
    text += blank;
    lines.push(null);
    previous = blank;
  });
  return { bytes: new TextEncoder().encode(text), lines };
}

/** The events WHATWG HTML §9.2.6 yields for `lines`, plus Lumen's dispatch of an unended event. */
function expectedEvents(lines: (string | null)[]): SseEvent[] {
  const events: SseEvent[] = [];
  let event: string | undefined;
  let data: string | undefined;
  for (const line of [...lines, null]) {
    if (line === null) {
      if (data !== undefined) events.push({ event, data });
      event = data = undefined;
      continue;
    }
    if (line.startsWith(":")) continue;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    let fieldValue = colon < 0 ? "" : line.slice(colon + 1);
    if (fieldValue.startsWith(" ")) fieldValue = fieldValue.slice(1);
    if (field === "data") data = data === undefined ? fieldValue : `${data}\n${fieldValue}`;
    if (field === "event") event = fieldValue;
  }
  return events;
}

Deno.test("createSseDecoder() decodes generated streams as the spec says, however split", () => {
  fc.assert(
    fc.property(streamSpec, chunkSizes(), (spec, sizes) => {
      const { bytes, lines } = render(spec);
      const expected = expectedEvents(lines);
      const chunks = splitBy(bytes, sizes);
      assert.deepEqual(decodeSse([bytes]), { events: expected, warnings: [] });
      assert.deepEqual(decodeSse(chunks), { events: expected, warnings: [] });
    }),
    fuzzOptions(0x55e1, 1500),
  );
});

Deno.test({
  name: "createSseDecoder() keeps a U+FEFF that starts a later chunk",
  fn() {
    const chunks = [
      new TextEncoder().encode("data:"),
      Uint8Array.of(0xef, 0xbb, 0xbf),
      Uint8Array.of(0x0a),
    ];
    assert.deepEqual(decodeSse(chunks).events, [{ event: undefined, data: "\uFEFF" }]);
  },
});

Deno.test("createSseDecoder() never throws and decodes any bytes alike however split", () => {
  fc.assert(
    fc.property(noisyBytes(), chunkSizes(), (bytes, sizes) => {
      const chunks = splitBy(bytes, sizes);
      const whole = decodeSse([bytes]);
      assert.deepEqual(decodeSse(chunks), whole);
      assert.deepEqual(decodeSse(splitBy(bytes, [1])), whole);
      for (const { event, data } of whole.events) {
        assert.ok(!/[\r\n]/.test(event ?? ""), "an event type spans lines");
        assert.ok(!data.includes("\r"), "data keeps a CR");
      }
    }),
    fuzzOptions(0x55e2, 2000),
  );
});

Deno.test("createSseDecoder() with a small buffer warns once and decodes alike however split", () => {
  fc.assert(
    fc.property(
      noisyBytes(),
      chunkSizes(),
      fc.integer({ min: 1, max: 64 }),
      (bytes, sizes, max) => {
        const chunks = splitBy(bytes, sizes);
        const whole = decodeSse([bytes], max);
        assert.deepEqual(decodeSse(chunks, max), whole);
        assert.ok(whole.warnings.length <= 1, "warned more than once");
        for (const e of whole.events) assert.ok(e.data.length <= max, "an event outgrew the bound");
      },
    ),
    fuzzOptions(0x55e3, 1500),
  );
});
