import assert from "node:assert/strict";
import table from "./pricing.json" with { type: "json" };
import schema from "./pricing.schema.json" with { type: "json" };
import {
  bundledPriceCorrections,
  bundledPriceTable,
  convertLiteLlm,
  parsePriceTable,
} from "./mod.ts";
import { validateJsonSchema } from "./_json_schema.ts";
import { readLiteLlmReference } from "./_reference_fixture.ts";

const litellm = await readLiteLlmReference("the LiteLLM price comparison");

// The models the product promises to price out of the box.
const REQUIRED_MODELS = [
  "gpt-5.6",
  "gpt-5.6-sol",
  "gpt-5.6-terra",
  "gpt-5.6-luna",
  "gpt-5.5",
  "gpt-5.4",
  "gpt-5.4-mini",
  "gpt-5.4-nano",
  "gpt-5",
  "gpt-5-mini",
  "gpt-5-nano",
  "gpt-5.1",
  "gpt-5.2",
  "gpt-4.1",
  "gpt-4.1-mini",
  "gpt-4.1-nano",
  "gpt-4o",
  "gpt-4o-mini",
  "o3",
  "o4-mini",
  "text-embedding-3-small",
  "text-embedding-3-large",
  "claude-opus-4-8",
  "claude-opus-4-7",
  "claude-opus-4-6",
  "claude-opus-4-5",
  "claude-sonnet-4-6",
  "claude-sonnet-4-5",
  "claude-haiku-4-5",
  "gemini-3.1-pro-preview",
  "gemini-3.6-flash",
  "gemini-3.5-flash",
  "gemini-3.5-flash-lite",
  "gemini-3-flash-preview",
  "gemini-2.5-pro",
  "gemini-2.5-flash",
  "gemini-2.5-flash-lite",
  "gemini-embedding-001",
];

// Our field → LiteLLM's per-token field (tiers add `_above_<N>k_tokens`).
const LITELLM_FIELDS = {
  input: "input_cost_per_token",
  output: "output_cost_per_token",
  cache_read: "cache_read_input_token_cost",
  cache_write_5m: "cache_creation_input_token_cost",
  cache_write_1h: "cache_creation_input_token_cost_above_1hr",
} as const;

Deno.test("pricing.json matches pricing.schema.json", () => {
  assert.deepEqual(validateJsonSchema(schema, table), []);
});

Deno.test("validateJsonSchema() reports violations of pricing.schema.json", () => {
  const broken = structuredClone(table) as Record<string, unknown>;
  const models = broken.models as Record<string, Record<string, unknown>>;
  models["gpt-5"].input = -1;
  models["gpt-5"].input_cost_per_token = 1.25e-6;
  delete models["gpt-5"].aliases;
  models["gpt-5-mini"].fees = { web_search: "0.01", per_image: 1 };
  models["Bad Id"] = { ...models["gpt-5-nano"], provider: "azure" };
  assert.deepEqual(validateJsonSchema(schema, broken), [
    '/models: property name "Bad Id" must match ^[a-z0-9][a-z0-9._:-]*$',
    "/models/gpt-5: misses aliases",
    "/models/gpt-5: has unexpected property input_cost_per_token",
    "/models/gpt-5/input: must be at least 0",
    "/models/gpt-5-mini/fees: has unexpected property per_image",
    "/models/gpt-5-mini/fees/web_search: must be number",
    "/models/Bad Id/provider: must be one of openai, anthropic, google",
  ]);
});

Deno.test("parsePriceTable() accepts the bundled table and keeps every model", () => {
  const parsed = bundledPriceTable();
  assert.deepEqual(Object.keys(parsed.models), Object.keys(table.models));
  for (const id of REQUIRED_MODELS) assert.ok(parsed.models[id], `${id} is not priced`);
});

Deno.test("parsePriceTable() rejects a malformed table with the field's name", () => {
  // Mutable, loosely typed copies: each case breaks one field the parser must reject.
  type Loose = { models: Record<string, Record<string, unknown>> };
  const base = () => structuredClone(table) as unknown as Loose;
  const tiers = (t: Loose) => t.models["gemini-2.5-pro"].tiers as unknown[];
  const cases: [string, (t: Loose) => void][] = [
    ["models.gpt-5.input must be a non-negative", (t) => t.models["gpt-5"].input = "1.25"],
    ["models.gpt-5.provider must be one of", (t) => t.models["gpt-5"].provider = "azure"],
    ['repeats id "gpt-5"', (t) => (t.models["gpt-5-mini"].aliases as string[]).push("gpt-5")],
    ["must be ascending", (t) => tiers(t).push(tiers(t)[0])],
    ["fees.web_search must be a non-negative", (t) => t.models["gpt-5"].fees = { web_search: -1 }],
    ["schema_version must be 1", (t) => Object.assign(t, { schema_version: 2 })],
  ];
  for (const [message, breakIt] of cases) {
    const t = base();
    breakIt(t);
    assert.throws(
      () => parsePriceTable(t),
      (e: Error) => e instanceof TypeError && e.message.includes(message),
    );
  }
});

Deno.test("pricing.json tiers have a cache price exactly where their entry has one", () => {
  for (const [id, entry] of Object.entries(bundledPriceTable().models)) {
    for (const tier of entry.tiers ?? []) {
      for (const field of ["cache_read", "cache_write_5m", "cache_write_1h"] as const) {
        assert.equal(tier[field] === null, entry[field] === null, `${id} tier ${field}`);
      }
    }
  }
});

Deno.test({
  name: "pricing.json is what scripts/update_pricing.ts makes of the LiteLLM snapshot",
  ignore: litellm === null,
  fn() {
    const { table: converted, corrected } = convertLiteLlm(litellm, {
      source: table.source,
      updated: table.updated,
    });
    assert.deepEqual(converted, bundledPriceTable());
    const applied = new Set(corrected.map((c) => JSON.stringify(c)));
    const unused = bundledPriceCorrections().filter((c) => !applied.has(JSON.stringify(c)));
    assert.deepEqual(unused, [], "every correction in corrections.json still applies");
  },
});

Deno.test({
  name: "pricing.json keeps the hand-checked prices of the required models",
  ignore: litellm === null,
  fn() {
    const source = litellm as Record<string, Record<string, unknown>>;
    const models = bundledPriceTable().models;
    for (const id of REQUIRED_MODELS) {
      const from = models[id].provider === "google" ? source[`gemini/${id}`] : source[id];
      for (const [ours, theirs] of Object.entries(LITELLM_FIELDS)) {
        assert.equal(models[id][ours as keyof typeof LITELLM_FIELDS], perMtok(from[theirs]), id);
      }
    }
  },
});

/** LiteLLM's USD per token → USD per million tokens, rounded past float noise. */
function perMtok(value: unknown): number | null {
  return typeof value === "number" ? Math.round(value * 1e12) / 1e6 : null;
}
