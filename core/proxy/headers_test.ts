import assert from "node:assert/strict";
import { endToEndHeaders, headerRecord } from "./headers.ts";

Deno.test("endToEndHeaders() drops hop-by-hop headers and those named in Connection", () => {
  const raw = [
    "Host",
    "x",
    "Connection",
    "keep-alive, X-Secret-Hop",
    "Keep-Alive",
    "timeout=5",
    "Transfer-Encoding",
    "chunked",
    "TE",
    "trailers",
    "Upgrade",
    "h2c",
    "X-Secret-Hop",
    "1",
    "Proxy-Authorization",
    "Basic abc",
    "Authorization",
    "Bearer k",
    "Set-Cookie",
    "a=1",
    "Set-Cookie",
    "b=2",
  ];
  assert.deepEqual(endToEndHeaders(raw, { drop: ["host"] }), [
    ["Authorization", "Bearer k"],
    ["Set-Cookie", "a=1"],
    ["Set-Cookie", "b=2"],
  ]);
});

Deno.test("headerRecord() keeps repeated headers as arrays", () => {
  assert.deepEqual(headerRecord([["A", "1"], ["a", "2"], ["B", "3"]]), { a: ["1", "2"], b: "3" });
});
