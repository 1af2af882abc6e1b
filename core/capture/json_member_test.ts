import assert from "node:assert/strict";
import { removeNullMember } from "./json_member.ts";

function withoutUsage(json: string): unknown {
  const { usage: _, ...rest } = JSON.parse(json);
  return rest;
}

Deno.test("removeNullMember() removes a null member with one comma, wherever it sits", () => {
  const cases: [string, string][] = [
    ['{"id":"a","usage":null,"n":1}', '{"id":"a","n":1}'],
    ['{"usage":null,"id":"a"}', '{"id":"a"}'],
    ['{"id":"a","usage":null}', '{"id":"a"}'],
    ['{"usage":null}', "{}"],
    ['{ "usage" : null }', "{  }"],
    ['{"id":"a" , "usage" : null , "n":1}', '{"id":"a" , "n":1}'],
    ['{"id":"a","usage":null}\n', '{"id":"a"}\n'],
    ['{\n  "a": [1, {"b": "}"}],\n  "usage": null\n}', '{\n  "a": [1, {"b": "}"}]\n}'],
    ['{\n  "usage": null,\n  "a": 1\n}', '{\n  "a": 1\n}'],
  ];
  for (const [input, expected] of cases) {
    const output = removeNullMember(input, "usage");
    assert.equal(output, expected, input);
    assert.deepEqual(JSON.parse(output!), withoutUsage(input));
  }
});

Deno.test("removeNullMember() skips nested keys and look-alikes inside strings", () => {
  const input = String.raw`{"s":"\"usage\":null,","c":[{"usage":null}],"t":{"usage":null},` +
    String.raw`"e":"\\","usage":null,"z":"😀 中文"}`;
  const output = removeNullMember(input, "usage");
  assert.equal(
    output,
    String
      .raw`{"s":"\"usage\":null,","c":[{"usage":null}],"t":{"usage":null},"e":"\\","z":"😀 中文"}`,
  );
  assert.deepEqual(JSON.parse(output!), withoutUsage(input));
});

Deno.test("removeNullMember() returns null when there is no single null member", () => {
  for (
    const input of [
      "{}",
      " { } ",
      '{"id":"a"}',
      '{"usage":{"total_tokens":3}}',
      '{"usage":0}',
      '{"usage":"null"}',
      '{"usage":nullx}',
      '{"usage":null,"usage":null}',
      '{"c":[{"usage":null}]}',
      '["usage",null]',
      '"usage"',
      "null",
      "",
    ]
  ) {
    assert.equal(removeNullMember(input, "usage"), null, input);
  }
});

Deno.test("removeNullMember() returns null rather than throwing on malformed text", () => {
  for (const input of ['{"usage":null', '{"usage" null}', '{"usage":', '{"a":"x', "{,}", "{"]) {
    assert.equal(removeNullMember(input, "usage"), null, input);
  }
});
