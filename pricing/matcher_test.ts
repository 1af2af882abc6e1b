import assert from "node:assert/strict";
import type { Provider } from "../core/types.ts";
import { bundledPriceTable, createPriceTable, normalizeModelId, parsePriceTable } from "./mod.ts";
import { familyBasesOf } from "./model_id.ts";

const prices = createPriceTable(bundledPriceTable());
const keyOf = (model: string, provider: Provider = "openai") =>
  prices.match(provider, model)?.key ?? null;
const howOf = (model: string, provider: Provider = "openai") =>
  prices.match(provider, model)?.how ?? null;

Deno.test("createPriceTable() never prices a mini/nano/lite model as its larger sibling", () => {
  assert.equal(keyOf("gpt-5-mini"), "gpt-5-mini");
  assert.equal(keyOf("gpt-5-nano"), "gpt-5-nano");
  assert.equal(keyOf("gpt-5.4-mini"), "gpt-5.4-mini");
  assert.equal(keyOf("gpt-4o-mini-2024-07-18"), "gpt-4o-mini");
  assert.equal(keyOf("gpt-4o-mini-2031-01-01"), "gpt-4o-mini");
  assert.equal(keyOf("gemini-2.5-flash-lite", "google"), "gemini-2.5-flash-lite");
  assert.equal(keyOf("gemini-2.5-flash-lite-preview-11-2031", "google"), "gemini-2.5-flash-lite");
  assert.equal(keyOf("claude-haiku-4-5", "anthropic"), "claude-haiku-4-5");
  assert.equal(keyOf("claude-haiku-4-5-20991231", "anthropic"), "claude-haiku-4-5");
  assert.equal(keyOf("o4-mini"), "o4-mini");
});

Deno.test("createPriceTable() never falls back across a tier word, minor version or unknown word", () => {
  for (
    const model of [
      "gpt-5-mini-foo",
      "gpt-5-minix",
      "gpt-5-turbo",
      "gpt-4o-realtime",
      "o3-pro-max",
      "claude-opus-4-8-foo",
      "claude-opus-4-8-1", // a minor version is another model
      "gemini-2.5-flash-ultra",
    ]
  ) {
    assert.equal(keyOf(model, "anthropic"), null, model);
  }
  assert.equal(keyOf("claude-haiku-5", "anthropic"), null); // never sonnet, never another haiku
});

Deno.test("createPriceTable() leaves a cheaper tier unpriced when only its sibling is listed", () => {
  const rates = { cache_read: null, cache_write_5m: null, cache_write_1h: null, aliases: [] };
  const only = (provider: Provider, input: number) => ({ provider, input, output: 1, ...rates });
  const table = createPriceTable(parsePriceTable({
    schema_version: 1,
    source: "test",
    updated: "2026-01-01",
    models: {
      "gpt-4o": only("openai", 2.5),
      "gemini-2.5-flash": only("google", 0.3),
      "claude-sonnet-4-5": only("anthropic", 3),
    },
  }));
  assert.equal(table.match("openai", "gpt-4o-mini-2024-07-18"), null);
  assert.equal(table.match("google", "gemini-2.5-flash-lite-preview-06-17"), null);
  assert.equal(table.match("anthropic", "claude-haiku-4-5"), null);
  assert.equal(table.match("anthropic", "claude-sonnet-4-5-20250929")?.how, "normalized");
});

Deno.test("createPriceTable() falls back to the family only across dates, versions and release words", () => {
  assert.equal(keyOf("gpt-5-mini-preview"), "gpt-5-mini");
  assert.equal(howOf("gpt-5-mini-preview"), "family");
  assert.equal(keyOf("gemini-2.5-pro-exp-03-25", "google"), "gemini-2.5-pro");
  assert.equal(keyOf("gemini-2.0-flash-002", "google"), "gemini-2.0-flash");
  assert.equal(keyOf("gpt-4.1-snapshot-v2"), "gpt-4.1");
  assert.equal(keyOf("gpt-5-2025"), "gpt-5");
  assert.deepEqual(familyBasesOf("claude-opus-4-5"), []);
});

Deno.test("createPriceTable() strips date suffixes of unlisted snapshots", () => {
  assert.equal(keyOf("gpt-5-mini-2025-08-07"), "gpt-5-mini"); // listed alias
  assert.equal(howOf("gpt-5-mini-2025-08-07"), "alias");
  assert.equal(keyOf("gpt-5-mini-2027-01-31"), "gpt-5-mini"); // by the suffix rule
  assert.equal(howOf("gpt-5-mini-2027-01-31"), "normalized");
  assert.equal(keyOf("claude-haiku-4-5-20251001", "anthropic"), "claude-haiku-4-5");
  assert.equal(keyOf("claude-opus-4-8-20261201", "anthropic"), "claude-opus-4-8");
  assert.equal(keyOf("gemini-2.5-flash-latest", "google"), "gemini-2.5-flash");
  assert.equal(keyOf("Claude-Sonnet-4-5-LATEST", "anthropic"), "claude-sonnet-4-5");
  assert.equal(howOf("Claude-Sonnet-4-5-LATEST", "anthropic"), "normalized");
});

Deno.test("createPriceTable() prefers an exact snapshot entry over the date-suffix rule", () => {
  // gpt-4o-2024-05-13 cost twice as much as later gpt-4o snapshots.
  assert.equal(keyOf("gpt-4o-2024-05-13"), "gpt-4o-2024-05-13");
  assert.equal(howOf("gpt-4o-2024-05-13"), "exact");
  assert.equal(keyOf("gpt-4o-2024-11-20"), "gpt-4o");
  // Listed apart because LiteLLM prices its cache reads differently from gemini-2.5-flash.
  assert.equal(
    keyOf("gemini-2.5-flash-preview-09-2025", "google"),
    "gemini-2.5-flash-preview-09-2025",
  );
});

Deno.test("createPriceTable() ignores case, gateway, region and Bedrock decorations", () => {
  assert.equal(keyOf("models/gemini-2.5-pro", "google"), "gemini-2.5-pro");
  assert.equal(keyOf("gemini/models/gemini-2.5-flash", "google"), "gemini-2.5-flash");
  assert.equal(keyOf("google/gemini-3.6-flash", "google"), "gemini-3.6-flash");
  assert.equal(keyOf("openai/GPT-5.6-Sol"), "gpt-5.6-sol");
  // An OpenAI-dialect gateway serving Claude is still priced as Claude.
  assert.equal(keyOf("anthropic/claude-sonnet-4-5"), "claude-sonnet-4-5");
  const bedrock = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";
  assert.equal(keyOf(bedrock, "anthropic"), "claude-sonnet-4-5");
  assert.equal(howOf(bedrock, "anthropic"), "normalized");
  assert.equal(
    keyOf("global.anthropic.claude-haiku-4-5-20251001-v1:0", "anthropic"),
    "claude-haiku-4-5",
  );
  assert.equal(
    keyOf("apac.anthropic.claude-opus-4-1-20250805-v1:0", "anthropic"),
    "claude-opus-4-1",
  );
  assert.equal(keyOf("claude-opus-4-5@20251101", "anthropic"), "claude-opus-4-5"); // Vertex AI
  assert.equal(normalizeModelId(" Models/Gemini-2.5-Pro "), "gemini-2.5-pro");
  assert.equal(
    normalizeModelId("eu.anthropic.claude-sonnet-4-5-20250929-v1:0"),
    "claude-sonnet-4-5-20250929",
  );
});

Deno.test("createPriceTable() prices a fine-tune at its ft: base, never at the base model", () => {
  assert.equal(keyOf("ft:gpt-4o-mini-2024-07-18:acme::9xYz"), "ft:gpt-4o-mini-2024-07-18");
  assert.equal(
    keyOf("ft:gpt-4o-mini-2024-07-18:acme:support-bot:9xYz"),
    "ft:gpt-4o-mini-2024-07-18",
  );
  assert.equal(keyOf("ft:gpt-5-mini-2025-08-07:acme::1"), null); // no fine-tune price listed
});

Deno.test("createPriceTable() returns null for unknown models and skips family when asked", () => {
  assert.equal(keyOf("llama-3.3-70b-instruct"), null);
  assert.equal(keyOf("mystery"), null);
  assert.equal(keyOf(""), null);
  assert.equal(keyOf("models/"), null);
  assert.equal(prices.match("openai", "gpt-5-mini-preview", { family: false }), null);
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
  assert.equal(matcher.match("google", "shared-model")?.how, "alias");
  assert.equal(matcher.match("openai", "shared-model")?.key, "shared-model");
  assert.equal(matcher.match("anthropic", "shared-model")?.key, "shared-model");
});
