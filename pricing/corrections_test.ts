import assert from "node:assert/strict";
import { bundledPriceCorrections, parsePriceCorrections } from "./corrections.ts";

Deno.test("bundledPriceCorrections() gives every correction a reason and a source URL", () => {
  const corrections = bundledPriceCorrections();
  assert.ok(corrections.length > 0);
  for (const c of corrections) {
    assert.ok(c.why.length > 20, `${c.model}: why`);
    assert.match(c.source, /^https:\/\//, `${c.model}: source`);
    assert.notEqual(c.was, c.value, `${c.model}: changes nothing`);
  }
});

Deno.test("parsePriceCorrections() rejects a correction it could not apply safely", () => {
  const ok = { model: "m", field: "cache_read", was: null, value: 1, why: "w", source: "s" };
  assert.equal(parsePriceCorrections({ corrections: [ok] }).length, 1);
  const cases: [string, unknown][] = [
    ["corrections must be an array", {}],
    ["field is not a price field", { corrections: [{ ...ok, field: "input_cost_per_token" }] }],
    ["value must be a number for input", { corrections: [{ ...ok, field: "input", value: null }] }],
    ["was bad price", { corrections: [{ ...ok, was: -1 }] }],
    ["source must be a string", { corrections: [{ ...ok, source: "" }] }],
  ];
  for (const [message, json] of cases) {
    assert.throws(
      () => parsePriceCorrections(json),
      (e: Error) => e instanceof TypeError && e.message.includes(message),
    );
  }
});
