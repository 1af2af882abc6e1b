import assert from "node:assert/strict";
import { backoffDelay, MAX_RETRY_AFTER_MS, retryAfterMs } from "./backoff.ts";

const options = { baseMs: 1_000, capMs: 300_000, floorMs: 250 };

Deno.test("backoffDelay() doubles the ceiling per failure up to the cap", () => {
  const top = { ...options, random: () => 0.999999 };
  assert.equal(backoffDelay(1, top), 999);
  assert.equal(backoffDelay(2, top), 1_999);
  assert.equal(backoffDelay(4, top), 7_999);
  assert.equal(backoffDelay(20, top), 299_999);
  assert.equal(backoffDelay(1_000, top), 299_999);
});

Deno.test("backoffDelay() draws full jitter but never below the floor", () => {
  assert.equal(backoffDelay(5, { ...options, random: () => 0 }), 250);
  assert.equal(backoffDelay(5, { ...options, random: () => 0.5 }), 8_000);
});

Deno.test("retryAfterMs() reads delay-seconds and HTTP-dates", () => {
  const now = Date.parse("2026-01-01T00:00:00Z");
  assert.equal(retryAfterMs("7", now), 7_000);
  assert.equal(retryAfterMs(" 0 ", now), 0);
  assert.equal(retryAfterMs("Thu, 01 Jan 2026 00:00:30 GMT", now), 30_000);
  assert.equal(retryAfterMs("Wed, 31 Dec 2025 23:00:00 GMT", now), 0);
  assert.equal(retryAfterMs("999999", now), MAX_RETRY_AFTER_MS);
  assert.equal(retryAfterMs(null, now), null);
  assert.equal(retryAfterMs("soon", now), null);
  assert.equal(retryAfterMs("-5", now), null);
});
