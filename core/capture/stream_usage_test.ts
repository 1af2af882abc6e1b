import assert from "node:assert/strict";
import { createSseDecoder } from "../parse/sse.ts";
import { addStreamUsageOption, createUsageChunkFilter } from "./stream_usage.ts";
import { createRandom, splitEvery, splitRandomly } from "../parse/_contract.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { ignoreBOM: true });
const fixture = (name: string) =>
  Deno.readFile(new URL(`../../tests/fixtures/openai/${name}`, import.meta.url));
const WITH_USAGE = await fixture("chat_stream_usage.sse");
const WITHOUT_USAGE = await fixture("chat_stream.sse");

function filterAll(chunks: Uint8Array[], maxEventBytes?: number): Uint8Array {
  const filter = createUsageChunkFilter({ maxEventBytes });
  const out = chunks.map((chunk) => filter.push(chunk));
  out.push(filter.end());
  return new Uint8Array(out.flatMap((part) => [...part]));
}

function filterText(text: string, chunkSize = Infinity): string {
  const bytes = encoder.encode(text);
  return decoder.decode(filterAll(chunkSize === Infinity ? [bytes] : splitEvery(bytes, chunkSize)));
}

function dataOf(bytes: Uint8Array): string[] {
  const data: string[] = [];
  const sse = createSseDecoder({ onEvent: (event) => data.push(event.data) });
  sse.feed(bytes);
  sse.flush();
  return data;
}

function withoutUsage(json: string): unknown {
  const { usage: _, ...rest } = JSON.parse(json);
  return rest;
}

const withLineEnding = (bytes: Uint8Array, ending: string) =>
  encoder.encode(decoder.decode(bytes).replaceAll("\n", ending));

Deno.test("createUsageChunkFilter() gives the client the stream it would get without include_usage", () => {
  const input = dataOf(WITH_USAGE);
  const output = filterAll([WITH_USAGE]);
  const filtered = dataOf(output);
  assert.equal(filtered.length, input.length - 1);
  const kept = input.filter((data) => !data.includes('"choices":[],'));
  assert.deepEqual(
    filtered.map((data) => data === "[DONE]" ? data : JSON.parse(data)),
    kept.map((data) => data === "[DONE]" ? data : withoutUsage(data)),
  );
  // The two recordings differ in ids and text, but every chunk must have the plain stream's shape.
  const shape = (data: string) => data === "[DONE]" ? data : Object.keys(JSON.parse(data)).join();
  assert.deepEqual(new Set(filtered.map(shape)), new Set(dataOf(WITHOUT_USAGE).map(shape)));
  assert.equal(filtered.at(-1), "[DONE]");
  const text = decoder.decode(output);
  assert.ok(!text.includes('"usage"'));
  // Byte level: only the removed member and the usage-only event are gone.
  const expected = decoder.decode(WITH_USAGE).replaceAll('"usage":null,', "")
    .replace(/data: [^\n]*"choices":\[\],"usage":\{[^\n]*\n\n/, "");
  assert.equal(text, expected);
});

Deno.test("createUsageChunkFilter() gives the same bytes for every chunking and line ending", () => {
  const random = createRandom(0x5eed);
  const expectedLf = filterAll([WITH_USAGE]);
  for (const ending of ["\n", "\r\n", "\r"]) {
    const input = withLineEnding(WITH_USAGE, ending);
    const expected = filterAll([input]);
    assert.deepEqual(expected, withLineEnding(expectedLf, ending));
    assert.deepEqual(
      filterAll(splitEvery(input, 1)),
      expected,
      `byte by byte, ${JSON.stringify(ending)}`,
    );
    for (let run = 0; run < 200; run++) {
      assert.deepEqual(filterAll(splitRandomly(input, random)), expected, `split run ${run}`);
    }
  }
});

Deno.test("createUsageChunkFilter() forwards each event as soon as its blank line arrives", () => {
  const filter = createUsageChunkFilter();
  const push = (text: string) => decoder.decode(filter.push(encoder.encode(text)));
  assert.equal(push('data: {"usage":null,"choices":[]}\n'), "");
  assert.equal(push("\r"), 'data: {"choices":[]}\n\r');
  assert.equal(push("\ndata: [DONE]\n\ndata: {"), "\ndata: [DONE]\n\n");
  assert.equal(decoder.decode(filter.end()), "data: {");
});

Deno.test("createUsageChunkFilter() passes a stream without usage through byte-identical", () => {
  const input = new Uint8Array([
    ...encoder.encode(": keep-alive\n\n"),
    ...WITHOUT_USAGE,
    ...encoder.encode('data: {"error":{"message":"overloaded"},"usage":{"total_tokens":1}}\n\n'),
    ...encoder.encode("data: {}\n\ndata: \n\nevent: x\n\n\n\ndata: tail"),
  ]);
  assert.deepEqual(filterAll([input]), input);
  assert.deepEqual(filterAll(splitEvery(input, 1)), input);
  assert.deepEqual(
    filterAll(splitEvery(withLineEnding(input, "\r\n"), 3)),
    withLineEnding(input, "\r\n"),
  );
});

Deno.test("createUsageChunkFilter() removes only a top-level null usage, in any position", () => {
  const cases: [string, string][] = [
    ['{"usage":null,"choices":[]}', '{"choices":[]}'],
    ['{"choices":[],"usage":null}', '{"choices":[]}'],
    ['{"usage":null}', "{}"],
    [' {"usage":null} ', " {} "],
    ['{"id":1, "usage" : null ,"n":2}', '{"id":1, "n":2}'],
    [
      '{"c":[{"usage":null}],"t":{"usage":null},"usage":null}',
      '{"c":[{"usage":null}],"t":{"usage":null}}',
    ],
    [String.raw`{"s":"\"usage\":null","usage":null}`, String.raw`{"s":"\"usage\":null"}`],
    [String.raw`{"s":"\"usage\":null"}`, String.raw`{"s":"\"usage\":null"}`],
    ['{"c":[{"usage":null}]}', '{"c":[{"usage":null}]}'],
    [
      '{"choices":[{"index":0}],"usage":{"total_tokens":3}}',
      '{"choices":[{"index":0}],"usage":{"total_tokens":3}}',
    ],
    [
      '{"object":"list","choices":[],"usage":{"total_tokens":3}}',
      '{"object":"list","choices":[],"usage":{"total_tokens":3}}',
    ],
  ];
  for (const [json, expected] of cases) {
    assert.equal(filterText(`data: ${json}\n\n`), `data: ${expected}\n\n`, json);
    assert.equal(filterText(`data:${json}\r\n\r\n`, 2), `data:${expected}\r\n\r\n`, json);
  }
});

Deno.test("createUsageChunkFilter() drops the usage-only chunk and keeps [DONE]", () => {
  const stream = 'data: {"choices":[{"index":0}],"usage":null}\n\n' +
    'data: {"object":"chat.completion.chunk","choices":[],"usage":{"total_tokens":3}}\n\n' +
    'data: {"choices":[],"usage":{"total_tokens":3}}\r\n\r\n: done\n\ndata: [DONE]\n\n';
  const expected = 'data: {"choices":[{"index":0}]}\n\n: done\n\ndata: [DONE]\n\n';
  assert.equal(filterText(stream), expected);
  assert.equal(filterText(stream, 1), expected);
});

Deno.test("createUsageChunkFilter() leaves multi-line data and invalid JSON unchanged", () => {
  for (
    const event of [
      'data: {"usage":null,\ndata: "a":1}\n\n',
      'data\ndata: {"usage":null}\n\n',
      'data: {"usage":null\n\n',
      'data: {"usage":null}}\n\n',
      'data: ["usage",null]\n\n',
      'data: \uFEFF{"usage":null}\n\n',
    ]
  ) {
    assert.equal(filterText(event), event);
  }
});

Deno.test("createUsageChunkFilter() keeps multi-byte characters split across chunks intact", () => {
  const stream = 'data: {"choices":[{"delta":{"content":"😀 中文 é"}}],"usage":null}\n\n';
  const expected = 'data: {"choices":[{"delta":{"content":"😀 中文 é"}}]}\n\n';
  for (const size of [1, 2, 3, 5, 7]) assert.equal(filterText(stream, size), expected);
  const invalid = new Uint8Array([
    ...encoder.encode('data: {"usage":null,"s":"'),
    0xff,
    0x22,
    0x7d,
    10,
    10,
  ]);
  assert.deepEqual(filterAll(splitEvery(invalid, 1)), invalid);
});

Deno.test("createUsageChunkFilter() stops filtering once an incomplete event outgrows its limit", () => {
  const long = `data: {"usage":null,"pad":"${"x".repeat(100)}"}\n\n`;
  const after = 'data: {"usage":null}\n\n';
  const filter = createUsageChunkFilter({ maxEventBytes: 64 });
  const out = [long.slice(0, 50), long.slice(50, 90), long.slice(90), after]
    .map((part) => decoder.decode(filter.push(encoder.encode(part))));
  assert.deepEqual(out, ["", long.slice(0, 90), long.slice(90), after]);
  assert.equal(filter.end().length, 0);
});

Deno.test("createUsageChunkFilter() never throws and never adds bytes on random input", () => {
  const random = createRandom(42);
  const pieces = [
    "data: ",
    "data:",
    "\n",
    "\r",
    "\r\n",
    "\n\n",
    ": c",
    "[DONE]",
    '"usage":null',
    '"usage" :null,',
    '{"usage":null}',
    '{"choices":[],"usage":{"a":1}}',
    '{"a":"\\"",',
    "{",
    "}",
    ",",
    '"',
    "😀",
  ].map((piece) => encoder.encode(piece));
  for (let run = 0; run < 500; run++) {
    const parts: number[] = [];
    const count = Math.floor(random() * 40);
    for (let i = 0; i < count; i++) {
      if (run % 2 === 0) parts.push(Math.floor(random() * 256));
      else parts.push(...pieces[Math.floor(random() * pieces.length)]);
    }
    const input = new Uint8Array(parts);
    const whole = filterAll([input]);
    assert.ok(whole.length <= input.length);
    assert.deepEqual(filterAll(splitRandomly(input, random)), whole, `run ${run}`);
    if (!decoder.decode(input).includes("usage")) assert.deepEqual(whole, input);
  }
});

Deno.test("addStreamUsageOption() asks for usage only when the client did not decide", () => {
  const rewrite = (body: string | Uint8Array) => {
    const out = addStreamUsageOption(typeof body === "string" ? encoder.encode(body) : body);
    return out && decoder.decode(out);
  };
  const INSERT = '"stream_options":{"include_usage":true},';
  assert.equal(rewrite('{"model":"m","stream":true}'), `{${INSERT}"model":"m","stream":true}`);
  assert.equal(rewrite(' \r\n\t{ "stream" : true }\n'), ` \r\n\t{${INSERT} "stream" : true }\n`);
  assert.equal(rewrite('\uFEFF{"stream":true}'), `\uFEFF{${INSERT}"stream":true}`);
  const pretty = '{\n  "messages": [{"role": "user", "content": "{é}"}],\n  "stream": true\n}';
  const rewritten = rewrite(pretty)!;
  assert.equal(rewritten.slice(1 + INSERT.length), pretty.slice(1));
  assert.deepEqual(JSON.parse(rewritten), {
    ...JSON.parse(pretty),
    stream_options: { include_usage: true },
  });
  assert.equal(
    rewrite('{"stream":true,"stream_options":{"include_obfuscation":false}}'),
    '{"stream":true,"stream_options":{"include_obfuscation":false,"include_usage":true}}',
  );
  for (
    const body of [
      '{"stream":false}',
      '{"model":"m"}',
      '{"stream":"true"}',
      '{"stream":true,"stream_options":{"include_usage":true}}',
      '{"stream":true,"stream_options":{"include_usage":false}}',
      '{"stream":true,"stream_options":null}',
      '{"stream":true,"stream_options":[]}',
      '{"stream":true',
      "[true]",
      "{}",
      "",
      new Uint8Array([0x7b, 0xff, 0x7d]),
    ]
  ) {
    assert.equal(rewrite(body), null, String(body));
  }
  assert.equal(addStreamUsageOption(new Uint8Array(64 * 1024 * 1024 + 1)), null);
});
