import assert from "node:assert/strict";
import { usage } from "../core/usage/_event_fixture.ts";
import { bundledPriceTable, createPricer, type PriceEntry, type PriceTableFile } from "./mod.ts";

function table(models: Record<string, Partial<PriceEntry>>): PriceTableFile {
  const full: Record<string, PriceEntry> = {};
  for (const [id, entry] of Object.entries(models)) {
    full[id] = {
      provider: "openai",
      input: 1,
      output: 1,
      cache_read: null,
      cache_write_5m: null,
      cache_write_1h: null,
      aliases: [],
      ...entry,
    };
  }
  return { schema_version: 1, source: "test", updated: "2026-01-01", models: full };
}

const MILLION = usage({ input_tokens: 1_000_000 });

Deno.test("createPricer() prefers the provider's reported cost and names no entry", () => {
  const pricer = createPricer();
  const reported = usage({ model: "gpt-5", input_tokens: 1_000, provider_cost_usd: 0.0123 });
  assert.deepEqual(pricer.price("openai", reported), {
    cost_usd: 0.0123,
    price_source: "provider",
    priced_model: null,
  });
  // A free model's $0 is still the provider's word.
  assert.equal(pricer.price("openai", { ...reported, provider_cost_usd: 0 }).cost_usd, 0);
});

Deno.test("createPricer() prices from the bundled table and names the entry", () => {
  const pricer = createPricer();
  const haiku = usage({ model: "claude-haiku-4-5-20251001", input_tokens: 1_000_000 });
  assert.deepEqual(pricer.price("anthropic", { ...haiku, output_tokens: 100_000 }), {
    cost_usd: 1.5,
    price_source: "bundled",
    priced_model: "claude-haiku-4-5",
  });
  assert.deepEqual(pricer.match("anthropic", "claude-haiku-4-5-20251001"), {
    key: "claude-haiku-4-5",
    entry: bundledPriceTable().models["claude-haiku-4-5"],
    how: "alias",
    source: "bundled",
  });
});

Deno.test("createPricer() leaves unknown and unnamed models unpriced", () => {
  const pricer = createPricer();
  const unpriced = { cost_usd: null, price_source: null, priced_model: null };
  assert.deepEqual(
    pricer.price("openai", usage({ model: "mystery-1", input_tokens: 9 })),
    unpriced,
  );
  assert.deepEqual(pricer.price("google", usage({ model: null, input_tokens: 9 })), unpriced);
  assert.deepEqual(
    createPricer({ layers: [] }).price("openai", { ...MILLION, model: "gpt-5" }),
    unpriced,
  );
});

Deno.test("createPricer() lets the highest layer that knows a model price it", () => {
  const pricer = createPricer({
    layers: [
      { source: "bundled", table: table({ "model-a": { input: 1 }, "model-b": { input: 1 } }) },
      { source: "remote", table: table({ "model-a": { input: 2 }, "model-c": { input: 2 } }) },
      { source: "override", table: table({ "model-a": { input: 3 } }) },
    ],
  });
  const price = (model: string) => pricer.price("openai", { ...MILLION, model });
  assert.deepEqual(price("model-a"), {
    cost_usd: 3,
    price_source: "override",
    priced_model: "model-a",
  });
  assert.deepEqual(price("model-b"), {
    cost_usd: 1,
    price_source: "bundled",
    priced_model: "model-b",
  });
  assert.deepEqual(price("MODEL-C-2026-01-01"), {
    cost_usd: 2,
    price_source: "remote",
    priced_model: "model-c",
  });
});

Deno.test("createPricer() prefers a lower layer's exact entry to a higher layer's family guess", () => {
  const pricer = createPricer({
    layers: [
      { source: "bundled", table: table({ "gpt-9-preview": { input: 1 } }) },
      { source: "override", table: table({ "gpt-9": { input: 7 } }) },
    ],
  });
  assert.equal(pricer.match("openai", "gpt-9-preview")?.source, "bundled");
  assert.equal(pricer.match("openai", "gpt-9-preview-2031-01-01")?.source, "bundled"); // normalized
  // Both layers only know it by family: the higher layer wins, as for exact matches.
  assert.equal(pricer.match("openai", "gpt-9-preview-001")?.source, "override");
  assert.equal(pricer.match("openai", "gpt-9-preview-001")?.how, "family");
  assert.equal(pricer.price("openai", { ...MILLION, model: "gpt-9-exp" }).price_source, "override");
});
