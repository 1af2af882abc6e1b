// Shared pieces of the property-based (fast-check) suites, test support only: reproducible run
// options, arbitrary chunkings of a byte string, and byte strings biased towards the tokens that
// steer the decoders (line ends, colons, brackets, quotes, UTF-8 lead bytes).

import assert from "node:assert/strict";
import fc from "fast-check";
import type { ParseResult } from "../types.ts";
import { assertSaneUsage } from "./_contract.ts";
import { concatBytes } from "../../tests/_fake_delivery.ts";

/**
 * Returns fast-check options: a fixed seed so a failure replays, and a run count. The seed and a
 * run multiplier can be overridden for a deeper local search: `LUMEN_FUZZ_SEED=7
 * LUMEN_FUZZ_RUNS=20 deno test -A core/parse/sse_fuzz_test.ts`. A failure prints its seed,
 * path and shrunk counterexample.
 */
export function fuzzOptions(seed: number, numRuns: number): { seed: number; numRuns: number } {
  const override = readEnv("LUMEN_FUZZ_SEED");
  const scale = Number(readEnv("LUMEN_FUZZ_RUNS") ?? 1);
  return {
    seed: override === undefined ? seed : Number(override),
    numRuns: Math.max(1, Math.round(numRuns * (scale > 0 ? scale : 1))),
  };
}

function readEnv(name: string): string | undefined {
  // Without --allow-env the defaults apply: the suite must not prompt or fail for it.
  if (Deno.permissions.querySync({ name: "env", variable: name }).state !== "granted") {
    return undefined;
  }
  return Deno.env.get(name);
}

/**
 * Chunk sizes to cut a byte string with, applied in turn and cycled; empty means one whole chunk.
 * A 0 feeds an empty chunk, which every decoder must take as a no-op.
 */
export function chunkSizes(): fc.Arbitrary<number[]> {
  return fc.array(fc.oneof(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 0, max: 96 })), {
    maxLength: 12,
    size: "max",
  });
}

/** Cuts `bytes` into chunks of `sizes` (cycled); subarrays, as a socket's reads would be. */
export function splitBy(bytes: Uint8Array, sizes: number[]): Uint8Array[] {
  if (sizes.every((size) => size === 0)) return [bytes];
  const chunks: Uint8Array[] = [];
  for (let at = 0, i = 0; at < bytes.length; i++) {
    const size = sizes[i % sizes.length];
    chunks.push(bytes.subarray(at, at + size));
    at += size;
  }
  return chunks;
}

// Bytes that change a decoder's state: CR, LF, space, colon, BOM and UTF-8 lead/continuation
// bytes, JSON structure, and the field names of SSE.
const TOKENS = [
  "\r",
  "\n",
  "\r\n",
  "\n\n",
  ":",
  " ",
  "\uFEFF",
  "data:",
  "data: ",
  "event:",
  "id:",
  "retry:",
  "{",
  "}",
  "[",
  "]",
  ",",
  '"',
  "\\",
  '"usage":',
  '{"usage":{"input_tokens":1}}',
  "\u00e9",
  "\u{1F600}",
].map((token) => new TextEncoder().encode(token));
const ODD_BYTES = [0x00, 0x80, 0xbf, 0xc0, 0xc3, 0xe2, 0xed, 0xef, 0xf0, 0xf4, 0xf8, 0xff];

/** Byte strings mixing random bytes with decoder tokens; at most `maxPieces` pieces. */
export function noisyBytes(maxPieces = 64): fc.Arbitrary<Uint8Array> {
  const piece = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...TOKENS) },
    { weight: 2, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 24, size: "max" }) },
    { weight: 1, arbitrary: fc.constantFrom(...ODD_BYTES).map((b) => Uint8Array.of(b)) },
  );
  // size "max": lengths spread up to the bound (fast-check's default keeps arrays near 10).
  return fc.array(piece, { maxLength: maxPieces, size: "max" }).map(concatBytes);
}

/** Asserts what every parse result must be, whatever the input: counts are sane integers. */
export function assertSaneResult(result: ParseResult): void {
  assert.equal(typeof result.streamed, "boolean");
  const usage = result.usage;
  if (usage === null) {
    assert.equal(typeof result.reason, "string", "usage null without a reason");
    return;
  }
  assertSaneUsage(usage, "usage");
  assert.ok(usage.model === null || typeof usage.model === "string", "model");
  assert.equal(typeof usage.estimated, "boolean");
  const cost = usage.provider_cost_usd;
  assert.ok(cost === null || (Number.isFinite(cost) && cost >= 0), `provider_cost_usd is ${cost}`);
  const searches = usage.web_search_requests;
  assert.ok(searches === undefined || (Number.isSafeInteger(searches) && searches >= 0));
}
