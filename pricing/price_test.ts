import assert from "node:assert/strict";
import { usage } from "../core/usage/_event_fixture.ts";
import { bundledPriceTable, type PriceEntry, priceUsage } from "./mod.ts";

const MODELS = bundledPriceTable().models;

Deno.test("priceUsage() prices Anthropic 5m and 1h cache writes separately", () => {
  // claude-opus-4-8: $5 in, $25 out, $0.50 read, $6.25 5m write, $10 1h write (per Mtok).
  const cost = priceUsage(
    usage({
      input_tokens: 1_200,
      output_tokens: 850,
      cache_read_tokens: 30_000,
      cache_write_tokens: 5_000,
      cache_write_1h_tokens: 2_000,
    }),
    MODELS["claude-opus-4-8"],
  );
  // 1200×5 + 850×25 + 30000×0.5 + 3000×6.25 + 2000×10 = 81000 µ$
  assert.equal(cost, 0.081);
});

Deno.test("priceUsage() bills OpenAI cached reads at the cached rate and writes at input", () => {
  // gpt-5-mini: $0.25 in, $2 out, $0.025 read, no write price (pre-GPT-5.6 writes cost input).
  const cost = priceUsage(
    usage({
      input_tokens: 800,
      output_tokens: 345,
      reasoning_tokens: 200,
      cache_read_tokens: 1_200,
      cache_write_tokens: 100,
    }),
    MODELS["gpt-5-mini"],
  );
  // 800×0.25 + 345×2 + 1200×0.025 + 100×0.25 = 200 + 690 + 30 + 25 = 945 µ$
  assert.equal(cost, 0.000945);
});

Deno.test("priceUsage() bills GPT-5.6 cache writes at 1.25× input", () => {
  const cost = priceUsage(usage({ cache_write_tokens: 1_000 }), MODELS["gpt-5.6"]);
  assert.equal(cost, 0.00625);
});

Deno.test("priceUsage() prices Gemini usage with thoughts inside output", () => {
  // gemini-2.5-flash: $0.30 in, $2.50 out, $0.03 read.
  const cost = priceUsage(
    usage({ input_tokens: 500, cache_read_tokens: 2_000, output_tokens: 1_500 }),
    MODELS["gemini-2.5-flash"],
  );
  // 500×0.3 + 2000×0.03 + 1500×2.5 = 150 + 60 + 3750 = 3960 µ$
  assert.equal(cost, 0.00396);
});

Deno.test("priceUsage() applies the long-context tier only above its threshold", () => {
  const pro = MODELS["gemini-2.5-pro"]; // $1.25/$10, above 200k: $2.50/$15, read $0.25
  const at = usage({ input_tokens: 150_000, cache_read_tokens: 50_000, output_tokens: 1_000 });
  // 150000×1.25 + 50000×0.125 + 1000×10 = 187500 + 6250 + 10000 µ$
  assert.equal(priceUsage(at, pro), 0.20375);
  const above = { ...at, cache_read_tokens: 50_001 };
  // 150000×2.5 + 50001×0.25 + 1000×15 = 375000 + 12500.25 + 15000 µ$
  assert.equal(priceUsage(above, pro), 0.40250025);
});

Deno.test("priceUsage() falls back to the input price for missing cache prices", () => {
  const entry: PriceEntry = {
    provider: "openai",
    input: 2,
    output: 8,
    cache_read: null,
    cache_write_5m: null,
    cache_write_1h: null,
    aliases: [],
  };
  const all = usage({ cache_read_tokens: 10, cache_write_tokens: 30, cache_write_1h_tokens: 20 });
  assert.equal(priceUsage(all, entry), 0.00008); // 60 tokens × $2
  // A 1h write without a 1h price costs the 5m write price.
  assert.equal(priceUsage(all, { ...entry, cache_write_5m: 3 }), 0.00011); // 10×2 + 30×3
});

Deno.test("priceUsage() is exact where float arithmetic drifts", () => {
  // 3 × $0.1/Mtok in floats is 3.0000000000000004e-7.
  assert.equal(priceUsage(usage({ input_tokens: 3 }), MODELS["gpt-4.1-nano"]), 3e-7);
  const nano = usage({ input_tokens: 1, output_tokens: 1, cache_read_tokens: 1 });
  assert.equal(priceUsage(nano, MODELS["gpt-5-nano"]), 4.55e-7); // 0.05 + 0.4 + 0.005
  const huge = usage({ input_tokens: 3_000_000_000, output_tokens: 1_000_000_007 });
  assert.equal(priceUsage(huge, MODELS["claude-opus-4-8"]), 40_000.000175);
});

Deno.test("priceUsage() treats bad counts as zero and caps 1h writes at all writes", () => {
  const entry = MODELS["claude-haiku-4-5"];
  assert.equal(priceUsage(usage({ input_tokens: -5, output_tokens: NaN }), entry), 0);
  const over = usage({ cache_write_tokens: 100, cache_write_1h_tokens: 150 });
  assert.equal(priceUsage(over, entry), 0.0002); // 100 × $2 (1h)
});

Deno.test("priceUsage() bills reasoning once, as part of output", () => {
  const entry = MODELS["o4-mini"]; // $1.10 in, $4.40 out
  const plain = priceUsage(usage({ input_tokens: 1_000, output_tokens: 2_000 }), entry);
  const thinking = usage({ input_tokens: 1_000, output_tokens: 2_000, reasoning_tokens: 1_500 });
  assert.equal(priceUsage(thinking, entry), plain); // 1000×1.1 + 2000×4.4 = 9900 µ$
  assert.equal(plain, 0.0099);
});

Deno.test("priceUsage() moves every Anthropic token to the tier once input + cache exceed 200k", () => {
  const sonnet = MODELS["claude-sonnet-4-5"]; // above 200k: $6 / $22.50 / $0.60 / $7.50 / $12
  const at = usage({
    input_tokens: 150_000,
    cache_read_tokens: 40_000,
    cache_write_tokens: 10_000, // 200,000 in all: not above the threshold
    cache_write_1h_tokens: 4_000,
    output_tokens: 1_000,
  });
  // 150000×3 + 40000×0.3 + 6000×3.75 + 4000×6 + 1000×15 = 523500 µ$
  assert.equal(priceUsage(at, sonnet), 0.5235);
  const above = { ...at, cache_write_tokens: 10_001 };
  // 150000×6 + 40000×0.6 + 6001×7.5 + 4000×12 + 1000×22.5 = 1039507.5 µ$
  assert.equal(priceUsage(above, sonnet), 1.0395075);
});

Deno.test("priceUsage() counts OpenAI cached and cache-written tokens toward the 272k tier", () => {
  const gpt = MODELS["gpt-5.6"]; // above 272k: $10 / $45 / $1 read / $12.50 write
  const at = usage({ input_tokens: 200_000, cache_read_tokens: 72_000, output_tokens: 100 });
  assert.equal(priceUsage(at, gpt), 1.039); // 200000×5 + 72000×0.5 + 100×30 µ$
  const above = { ...at, cache_write_tokens: 1 };
  assert.equal(priceUsage(above, gpt), 2.0765125); // 2000000 + 72000 + 12.5 + 4500 µ$
});

Deno.test("priceUsage() adds the web-search fee per search at any tier", () => {
  const haiku = MODELS["claude-haiku-4-5"];
  const sonnet = MODELS["claude-sonnet-4-5"]; // $0.01 per search
  assert.equal(priceUsage(usage({ web_search_requests: 3 }), sonnet), 0.03);
  const long = usage({ input_tokens: 300_000, web_search_requests: 2 });
  assert.equal(priceUsage(long, sonnet), 1.82); // 300000 × $6 + 2 × $0.01
  // No fee listed, no fee charged: the count alone never invents a price.
  assert.equal(haiku.fees, undefined);
  assert.equal(priceUsage(usage({ web_search_requests: 5 }), haiku), 0);
  assert.equal(priceUsage(usage({ web_search_requests: 4 }), MODELS["gpt-4o-mini"]), 0.11);
});
