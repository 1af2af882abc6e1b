// pricing/ owns model prices: the bundled pricing.json (schema_version 1), its validation, the
// model-name matcher and the pure cost function. It turns a Usage into USD and nothing more.
// It imports only ../core/types.ts and its own files: no Deno.*, no fetch, no clocks, no files
// other than the bundled JSON module. Loading a remote or user price table is the caller's I/O;
// hand the parsed JSON to parsePriceTable() and pass the result to createPricer().
import bundled from "./pricing.json" with { type: "json" };
import type { Provider, Usage } from "../core/types.ts";
import { createPriceTable } from "./matcher.ts";
import { parsePriceTable } from "./price_table.ts";
import { priceUsage } from "./price.ts";
import type { PriceMatch, PriceTableFile } from "./types.ts";

export { createPriceTable, normalizeModelId, type PriceMatcher } from "./matcher.ts";
export { MODEL_ID_REGEXP, parsePriceTable } from "./price_table.ts";
export { priceUsage } from "./price.ts";
export type { PriceEntry, PriceMatch, PriceRates, PriceTableFile, PriceTier } from "./types.ts";

/** Cost of one response and where it came from, as a UsageEvent stores them. */
export interface PriceResult {
  /** USD; null when neither the provider nor the table prices the model. */
  cost_usd: number | null;
  /** "provider", "pricing:<model key>", or null when unpriced. */
  price_source: string | null;
}

/** Prices usage against one table. */
export interface Pricer {
  /** Returns the cost of `usage`: the provider's own figure first, else the table's price. */
  price(provider: Provider, usage: Usage): PriceResult;
  /** Returns the table entry billed for `model`, or null when unknown. */
  match(provider: Provider, model: string): PriceMatch | null;
}

/** Returns the bundled pricing table, validated. */
export function bundledPriceTable(): PriceTableFile {
  return parsePriceTable(bundled);
}

/**
 * Creates a pricer over `options.table`, or over the bundled table when none is given.
 *
 * @example
 * ```ts
 * const pricer = createPricer();
 * pricer.price("anthropic", usage); // { cost_usd: 0.0123, price_source: "pricing:claude-haiku-4-5" }
 * ```
 */
export function createPricer(options: { table?: PriceTableFile } = {}): Pricer {
  const matcher = createPriceTable(options.table ?? bundledPriceTable());
  return {
    price(provider, usage) {
      // Provider-reported cost (e.g. OpenRouter `usage.cost`) already includes every discount
      // and surcharge we cannot see, so it wins over our estimate even when it is 0.
      const reported = usage.provider_cost_usd;
      if (typeof reported === "number" && Number.isFinite(reported) && reported >= 0) {
        return { cost_usd: reported, price_source: "provider" };
      }
      const found = usage.model === null ? null : matcher.match(provider, usage.model);
      if (!found) return { cost_usd: null, price_source: null };
      return { cost_usd: priceUsage(usage, found.entry), price_source: `pricing:${found.key}` };
    },
    match: matcher.match,
  };
}
