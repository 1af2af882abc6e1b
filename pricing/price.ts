// Turns normalized token counts into USD. Pure: no I/O, no clocks.
import type { Usage } from "../core/types.ts";
import type { PriceEntry, PriceRates } from "./types.ts";

// Table prices are USD per million tokens with at most 6 decimals (LiteLLM's per-token costs go
// down to 1e-12 USD), so one token costs a whole number of pico-dollars at every rate. Summing
// those integers in BigInt is exact whatever the token counts; a float sum of `tokens * price / 1e6`
// is not (0.1 + 0.2 ≠ 0.3), and aggregates would drift from the provider's invoice.
const PICO_PER_MTOK_PRICE = 1_000_000;
const PICO_PER_USD = 1e12;

/**
 * Returns the cost of `usage` in USD at `entry`'s prices, the nearest double to the exact value.
 *
 * Cache prices missing from the entry fall back to the input price, never to $0: OpenAI billed
 * cache writes at the base input rate before GPT-5.6, and a model without cache pricing still
 * processed those tokens. Reasoning tokens are part of `output_tokens` and billed once, at the
 * output rate. Web searches add `fees.web_search` each.
 *
 * @example
 * ```ts
 * // 1M uncached input tokens and 100k output tokens of claude-haiku-4-5 ($1 / $5 per Mtok)
 * priceUsage({ ...usage, input_tokens: 1_000_000, output_tokens: 100_000 }, entry); // 1.5
 * ```
 */
export function priceUsage(usage: Usage, entry: PriceEntry): number {
  const input = tokens(usage.input_tokens);
  const output = tokens(usage.output_tokens);
  const cacheRead = tokens(usage.cache_read_tokens);
  const cacheWrite = tokens(usage.cache_write_tokens);
  // The 1h part can never exceed all writes; clamping keeps a bad count from going negative.
  const reported1h = tokens(usage.cache_write_1h_tokens);
  const write1h = reported1h > cacheWrite ? cacheWrite : reported1h;
  const write5m = cacheWrite - write1h;

  const rates = ratesFor(entry, input + cacheRead + cacheWrite);
  const pico = input * picoPerToken(rates.input) +
    output * picoPerToken(rates.output) +
    cacheRead * picoPerToken(rates.cache_read ?? rates.input) +
    write5m * picoPerToken(rates.cache_write_5m ?? rates.input) +
    write1h * picoPerToken(rates.cache_write_1h ?? rates.cache_write_5m ?? rates.input) +
    tokens(usage.web_search_requests ?? 0) * picoPerUsd(entry.fees?.web_search ?? 0);
  return Number(pico) / PICO_PER_USD;
}

/**
 * Picks the highest long-context tier the prompt exceeds, else the base rates.
 *
 * The prompt is everything the model read: uncached input + cache reads + cache writes. That is
 * Anthropic's "input_tokens + cache_creation_input_tokens + cache_read_input_tokens" and OpenAI's
 * and Gemini's prompt_tokens / promptTokenCount (which hold cached tokens), the figure LiteLLM
 * compares with `_above_<N>k_tokens` (strictly greater). Once above, every token of the
 * request (input, cache and output) is billed at the tier's rates:
 * https://docs.claude.com/en/docs/about-claude/pricing#long-context-pricing,
 * https://ai.google.dev/gemini-api/docs/pricing.
 */
function ratesFor(entry: PriceEntry, promptTokens: bigint): PriceRates {
  let rates: PriceRates = entry;
  for (const tier of entry.tiers ?? []) {
    if (promptTokens > BigInt(tier.above_input_tokens)) rates = tier;
  }
  return rates;
}

/** USD per million tokens → pico-dollars per token. */
function picoPerToken(usdPerMtok: number): bigint {
  return BigInt(Math.round(usdPerMtok * PICO_PER_MTOK_PRICE));
}

/** USD → pico-dollars; fees have at most 12 decimals (LiteLLM lists $0.0275 per search). */
function picoPerUsd(usd: number): bigint {
  return BigInt(Math.round(usd * PICO_PER_USD));
}

/** A token count as a BigInt; counts that are not non-negative numbers cost nothing. */
function tokens(count: number): bigint {
  return Number.isFinite(count) && count > 0 ? BigInt(Math.round(count)) : 0n;
}
