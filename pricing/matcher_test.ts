import assert from "node:assert/strict";
import { bundledPriceTable, createPriceTable, normalizeModelId, parsePriceTable } from "./mod.ts";

const prices = createPriceTable(bundledPriceTable());
const keyOf = (model: string, provider: "openai" | "anthropic" | "google" = "openai") =>
  prices.match(provider, model)?.key ?? null;

Deno.test("createPriceTable() never prices a mini/nano model as its larger sibling", () => {
  assert.equal(keyOf("gpt-5-mini"), "gpt-5-mini");
  assert.equal(keyOf("gpt-5-nano"), "gpt-5-nano");
  assert.equal(keyOf("gpt-5"), "gpt-5");
  assert.equal(keyOf("gpt-5.4-mini"), "gpt-5.4-mini");
  assert.equal(keyOf("gpt-4o-mini-2024-07-18"), "gpt-4o-mini");
  assert.equal(keyOf("gemini-2.5-flash-lite", "google"), "gemini-2.5-flash-lite");
  assert.equal(keyOf("o4-mini"), "o4-mini");
});

Deno.test("createPriceTable() never matches by prefix", () => {
  assert.equal(keyOf("claude-opus-4-8-foo", "anthropic"), null);
  assert.equal(keyOf("gpt-5-mini-preview"), null);
  assert.equal(keyOf("gpt-5-minix"), null);
  assert.equal(keyOf("gpt-5-chat-latest"), null); // a different model, not gpt-5
  assert.equal(keyOf("gemini-2.5-flash-preview-09-2025", "google"), null); // priced differently
});

Deno.test("createPriceTable() strips date suffixes of unlisted snapshots", () => {
  assert.equal(keyOf("gpt-5-mini-2025-08-07"), "gpt-5-mini"); // listed alias
  assert.equal(keyOf("gpt-5-mini-2027-01-31"), "gpt-5-mini"); // by the suffix rule
  assert.equal(keyOf("claude-haiku-4-5-20251001", "anthropic"), "claude-haiku-4-5");
  assert.equal(keyOf("claude-opus-4-8-20261201", "anthropic"), "claude-opus-4-8");
  assert.equal(keyOf("gemini-2.5-flash-latest", "google"), "gemini-2.5-flash");
  assert.equal(keyOf("gpt-5-2025"), null); // not a date
});

Deno.test("createPriceTable() prefers an exact snapshot entry over the date-suffix rule", () => {
  // gpt-4o-2024-05-13 cost twice as much as later gpt-4o snapshots.
  assert.equal(keyOf("gpt-4o-2024-05-13"), "gpt-4o-2024-05-13");
  assert.equal(keyOf("gpt-4o-2024-11-20"), "gpt-4o");
});

Deno.test("createPriceTable() ignores case and gateway prefixes", () => {
  assert.equal(keyOf("models/gemini-2.5-pro", "google"), "gemini-2.5-pro");
  assert.equal(keyOf("gemini/models/gemini-2.5-flash", "google"), "gemini-2.5-flash");
  assert.equal(keyOf("google/gemini-3.6-flash", "google"), "gemini-3.6-flash");
  assert.equal(keyOf("openai/GPT-5.6-Sol"), "gpt-5.6-sol");
  // An OpenAI-dialect gateway serving Claude is still priced as Claude.
  assert.equal(keyOf("anthropic/claude-sonnet-4-5"), "claude-sonnet-4-5");
  assert.equal(normalizeModelId(" Models/Gemini-2.5-Pro "), "gemini-2.5-pro");
});

Deno.test("createPriceTable() returns null for unknown models", () => {
  assert.equal(keyOf("llama-3.3-70b-instruct"), null);
  assert.equal(keyOf(""), null);
  assert.equal(keyOf("models/"), null);
});

Deno.test("createPriceTable() breaks ties between providers by the request's provider", () => {
  const rates = { output: 1, cache_read: null, cache_write_5m: null, cache_write_1h: null };
  const table = parsePriceTable({
    schema_version: 1,
    source: "test",
    updated: "2026-01-01",
    models: {
      "shared-model": { provider: "openai", input: 1, ...rates, aliases: [] },
      "shared-model-vendor": { provider: "google", input: 2, ...rates, aliases: ["shared-model"] },
    },
  });
  const matcher = createPriceTable(table);
  assert.equal(matcher.match("google", "shared-model")?.key, "shared-model-vendor");
  assert.equal(matcher.match("openai", "shared-model")?.key, "shared-model");
  assert.equal(matcher.match("anthropic", "shared-model")?.key, "shared-model");
});
