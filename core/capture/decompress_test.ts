import assert from "node:assert/strict";
import zlib from "node:zlib";
import { createDecompressor } from "./decompress.ts";

const TEXT = new TextEncoder().encode('data: {"usage":1}\n\n'.repeat(200));

async function roundTrip(encoding: string, compressed: Uint8Array, step = 7): Promise<string> {
  const out: Uint8Array[] = [];
  const d = createDecompressor(encoding, (c) => out.push(c.slice()));
  assert.ok(d);
  for (let i = 0; i < compressed.length; i += step) d.write(compressed.subarray(i, i + step));
  assert.equal(await d.end(), true);
  return new TextDecoder().decode(new Uint8Array(out.flatMap((c) => [...c])));
}

Deno.test("createDecompressor() decodes gzip, br, zstd, zlib and raw deflate fed in pieces", async () => {
  const expected = new TextDecoder().decode(TEXT);
  assert.equal(await roundTrip("gzip", zlib.gzipSync(TEXT)), expected);
  assert.equal(await roundTrip("br", zlib.brotliCompressSync(TEXT)), expected);
  assert.equal(await roundTrip("zstd", zlib.zstdCompressSync(TEXT)), expected);
  assert.equal(await roundTrip("deflate", zlib.deflateSync(TEXT), 1), expected);
  assert.equal(await roundTrip("deflate", zlib.deflateRawSync(TEXT)), expected);
});

Deno.test("createDecompressor() returns null for identity and unknown codings", () => {
  assert.equal(createDecompressor(undefined, () => {}), null);
  assert.equal(createDecompressor("identity", () => {}), null);
  assert.equal(createDecompressor("gzip, br", () => {}), null);
});

Deno.test("createDecompressor() stops at its budget (gzip bomb)", async () => {
  const bomb = zlib.gzipSync(new Uint8Array(8 * 1024 * 1024));
  let seen = 0;
  const d = createDecompressor("gzip", (c) => seen += c.length, 1024 * 1024)!;
  d.write(bomb);
  assert.equal(await d.end(), false);
  assert.ok(seen <= 1024 * 1024);
});

Deno.test("createDecompressor() reports corrupt input as incomplete without throwing", async () => {
  const d = createDecompressor("gzip", () => {})!;
  d.write(new Uint8Array([1, 2, 3, 4, 5]));
  assert.equal(await d.end(), false);
});
