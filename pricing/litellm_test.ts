import assert from "node:assert/strict";
import { convertLiteLlm, type PriceCorrection } from "./mod.ts";

const chat = (input: number, output: number, extra: Record<string, unknown> = {}) => ({
  litellm_provider: "openai",
  mode: "chat",
  input_cost_per_token: input,
  output_cost_per_token: output,
  ...extra,
});
const none = { corrections: [] };

Deno.test("convertLiteLlm() throws a TypeError for a document that is not an object", () => {
  for (const raw of [null, [], "{}", 3]) assert.throws(() => convertLiteLlm(raw), TypeError);
});

Deno.test("convertLiteLlm() keeps token-priced models of the three APIs and says why it skips others", () => {
  const { table, skipped } = convertLiteLlm({
    "gpt-x": chat(3e-7, 1.2e-6),
    "babbage-x": {
      ...chat(4e-7, 4e-7),
      litellm_provider: "text-completion-openai",
      mode: "completion",
    },
    "gemini/gemini-x": { ...chat(1e-7, 4e-7), litellm_provider: "gemini" },
    "gemini/embed-x": { ...chat(1.5e-7, 0), litellm_provider: "gemini", mode: "embedding" },
    "claude-x": { ...chat(1e-6, 5e-6), litellm_provider: "anthropic", mode: "responses" },
    "dall-e-x": { litellm_provider: "openai", mode: "image_generation", input_cost_per_pixel: 1 },
    "openai/container": {
      litellm_provider: "openai",
      mode: "chat",
      code_interpreter_cost_per_session: 0.03,
    },
    "bedrock/claude-x": { ...chat(1, 1), litellm_provider: "bedrock" },
    "sample_spec": { litellm_provider: "one of https://docs.litellm.ai/docs/providers" },
  }, none);
  assert.deepEqual(Object.keys(table.models), [
    "babbage-x",
    "claude-x",
    "embed-x",
    "gemini-x",
    "gpt-x",
  ]);
  assert.equal(table.models["gemini-x"].provider, "google");
  assert.equal(table.models["babbage-x"].provider, "openai");
  assert.deepEqual(table.models["gpt-x"], {
    provider: "openai",
    input: 0.3, // not 0.30000000000000004
    output: 1.2,
    cache_read: null,
    cache_write_5m: null,
    cache_write_1h: null,
    aliases: [],
  });
  assert.deepEqual(skipped, [
    { id: "dall-e-x", reason: "mode image_generation" },
    { id: "openai/container", reason: "no input and output price per token" },
  ]);
});

Deno.test("convertLiteLlm() reads every rate of a tier, falling back to the base rate as LiteLLM does", () => {
  const { table } = convertLiteLlm({
    "claude-x": {
      ...chat(3e-6, 1.5e-5),
      litellm_provider: "anthropic",
      cache_read_input_token_cost: 3e-7,
      cache_creation_input_token_cost: 3.75e-6,
      cache_creation_input_token_cost_above_1hr: 6e-6,
      input_cost_per_token_above_200k_tokens: 6e-6,
      output_cost_per_token_above_200k_tokens: 2.25e-5,
      cache_read_input_token_cost_above_200k_tokens: 6e-7,
      cache_creation_input_token_cost_above_1hr_above_200k_tokens: 1.2e-5,
      input_cost_per_token_above_200k_tokens_priority: 9e-6, // another service tier: ignored
      search_context_cost_per_query: {
        search_context_size_low: 0.01,
        search_context_size_medium: 0.02,
      },
    },
  }, none);
  const entry = table.models["claude-x"];
  assert.deepEqual(entry.tiers, [{
    above_input_tokens: 200_000,
    input: 6,
    output: 22.5,
    cache_read: 0.6,
    cache_write_5m: 3.75, // not listed for the tier: LiteLLM keeps the base rate
    cache_write_1h: 12,
  }]);
  assert.deepEqual(entry.fees, { web_search: 0.02 });
});

Deno.test("convertLiteLlm() folds equal-priced snapshots into their base id and nothing else", () => {
  const { table } = convertLiteLlm({
    "gpt-x": chat(1e-6, 2e-6),
    "gpt-x-2025-01-01": chat(1e-6, 2e-6),
    "gpt-x-0613": chat(1e-6, 2e-6),
    "gpt-x-preview": chat(1e-6, 2e-6),
    "gpt-x-2024-05-13": chat(2e-6, 4e-6), // priced apart
    "gpt-x-mini": chat(1e-6, 2e-6), // a tier word: another model even at the same price
    "gpt-x-mini-2025-01-01": chat(1e-6, 2e-6),
    "gpt-x-search-2025-01-01": chat(1e-6, 2e-6, {
      search_context_cost_per_query: { search_context_size_medium: 0.03 },
    }),
    "gpt-y-2025-01-01": chat(1e-6, 2e-6), // no base: its own entry
  }, none);
  assert.deepEqual(
    Object.fromEntries(Object.entries(table.models).map(([id, e]) => [id, e.aliases])),
    {
      "gpt-x": ["gpt-x-0613", "gpt-x-2025-01-01", "gpt-x-preview"],
      "gpt-x-2024-05-13": [],
      "gpt-x-mini": ["gpt-x-mini-2025-01-01"],
      "gpt-x-search-2025-01-01": [],
      "gpt-y-2025-01-01": [],
    },
  );
});

Deno.test("convertLiteLlm() prefers a gemini/ record over an unprefixed twin, as LiteLLM's lookup does", () => {
  const gemini = (input: number) => ({ ...chat(input, 1e-6), litellm_provider: "gemini" });
  const { table, skipped } = convertLiteLlm({
    "gemini-x-latest": gemini(3e-8),
    "gemini/gemini-x-latest": gemini(7.5e-8),
  }, none);
  assert.equal(table.models["gemini-x-latest"].input, 0.075);
  assert.deepEqual(skipped, [{
    id: "gemini-x-latest",
    reason: "duplicate of gemini/gemini-x-latest, which LiteLLM looks up first",
  }]);
});

Deno.test("convertLiteLlm() applies a correction only while LiteLLM still has the value it fixes", () => {
  const fix = (was: number | null, value: number | null): PriceCorrection => ({
    model: "claude-x",
    field: "cache_write_1h",
    was,
    value,
    why: "test",
    source: "https://example.com",
  });
  const raw = {
    "claude-x": {
      ...chat(2.5e-7, 1.25e-6),
      litellm_provider: "anthropic",
      cache_creation_input_token_cost_above_1hr: 6e-6,
    },
    "claude-x-20240307": { ...chat(2.5e-7, 1.25e-6), litellm_provider: "anthropic" },
  };
  const stale = convertLiteLlm(raw, { corrections: [fix(7, 0.5)] });
  assert.equal(stale.table.models["claude-x"].cache_write_1h, 6);
  assert.deepEqual(stale.corrected, []);
  const fixed = convertLiteLlm(raw, { corrections: [fix(6, null)], updated: "2026-11-27" });
  assert.deepEqual(fixed.corrected.map((c) => c.model), ["claude-x"]);
  // Corrected before grouping, so the snapshot now folds into its base.
  assert.deepEqual(fixed.table.models["claude-x"].aliases, ["claude-x-20240307"]);
  assert.equal(fixed.table.updated, "2026-11-27");
});

Deno.test("convertLiteLlm() writes the same table whatever the key order", () => {
  const entries = Object.entries({
    "gpt-x": chat(1e-6, 2e-6),
    "gpt-x-2025-01-01": chat(1e-6, 2e-6),
    "o9": chat(3e-6, 1e-5, { cache_read_input_token_cost: 3e-7 }),
  });
  const forward = convertLiteLlm(Object.fromEntries(entries), none);
  const backward = convertLiteLlm(Object.fromEntries(entries.reverse()), none);
  assert.equal(JSON.stringify(forward), JSON.stringify(backward));
});
