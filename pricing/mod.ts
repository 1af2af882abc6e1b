// pricing/ owns model prices: the bundled pricing.json (schema_version 1), its validation, the
// LiteLLM converter, the model-name matcher and the pure cost function. It turns a Usage into USD
// and nothing more. It imports only ../core/types.ts and its own files: no Deno.*, no fetch, no
// clocks, no files other than the bundled JSON modules. Loading a remote or user price table is
// the caller's I/O: hand the parsed JSON to parsePriceTable() (or convertLiteLlm()) and pass the
// result to createPricer() as a layer.
import bundled from "./pricing.json" with { type: "json" };
import type { Provider, Usage } from "../core/types.ts";
import { createPriceTable } from "./matcher.ts";
import { parsePriceTable } from "./price_table.ts";
import { priceUsage } from "./price.ts";
import type { PriceLayer, PriceLayerSource, PriceMatch, PriceTableFile } from "./types.ts";

export { createPriceTable, normalizeModelId, type PriceMatcher } from "./matcher.ts";
export { MODEL_ID_REGEXP, parsePriceTable } from "./price_table.ts";
export { priceUsage } from "./price.ts";
export { convertLiteLlm, LITELLM_SOURCE, type LiteLlmConversion } from "./litellm.ts";
export { bundledPriceCorrections, type PriceCorrection } from "./corrections.ts";
export type {
  MatchHow,
  PriceEntry,
  PriceFees,
  PriceLayer,
  PriceLayerSource,
  PriceMatch,
  PriceRates,
  PriceTableFile,
  PriceTier,
} from "./types.ts";

/** Cost of one response and where it came from, as a UsageEvent stores them. */
export interface PriceResult {
  /** USD; null when neither the provider nor any table prices the model. */
  cost_usd: number | null;
  /** "provider" for a provider-reported cost, the layer whose entry priced it, or null. */
  price_source: "provider" | PriceLayerSource | null;
  /** The entry id the cost was computed from; null for a provider-reported cost or unpriced. */
  priced_model: string | null;
}

/** A table entry resolved for a model, with the layer it came from. */
export interface PricerMatch extends PriceMatch {
  source: PriceLayerSource;
}

/** Prices usage against a stack of tables. */
export interface Pricer {
  /** Returns the cost of `usage`: the provider's own figure first, else the tables' price. */
  price(provider: Provider, usage: Usage): PriceResult;
  /** Returns the entry billed for `model` and its layer, or null when no layer knows it. */
  match(provider: Provider, model: string): PricerMatch | null;
}

/** Returns the bundled pricing table, validated. */
export function bundledPriceTable(): PriceTableFile {
  return parsePriceTable(bundled);
}

/**
 * Creates a pricer over `options.layers` (lowest precedence first; default: the bundled table).
 * A model is looked up by exact id, alias or normalized name in every layer from the highest
 * down, and only then by family in the same order, so a remote table's family guess never
 * shadows an exact bundled entry, while an override's exact entry beats everything.
 *
 * A provider-reported cost (OpenRouter `usage.cost`) wins, with `priced_model: null`: no entry
 * computed it, and naming one would suggest our table agrees with the provider's figure.
 *
 * @example
 * ```ts
 * const pricer = createPricer({ layers: [
 *   { source: "bundled", table: bundledPriceTable() },
 *   { source: "override", table: parsePriceTable(userJson) },
 * ] });
 * pricer.price("anthropic", usage);
 * // { cost_usd: 0.0123, price_source: "bundled", priced_model: "claude-haiku-4-5" }
 * ```
 */
export function createPricer(options: { layers?: PriceLayer[] } = {}): Pricer {
  const layers = options.layers ?? [{ source: "bundled", table: bundledPriceTable() }];
  const matchers = layers.map((layer) => ({
    source: layer.source,
    matcher: createPriceTable(layer.table),
  })).reverse();

  function match(provider: Provider, model: string): PricerMatch | null {
    for (const family of [false, true]) {
      for (const { source, matcher } of matchers) {
        const found = matcher.match(provider, model, { family });
        if (found) return { ...found, source };
      }
    }
    return null;
  }

  return {
    price(provider, usage) {
      // Provider-reported cost already includes every discount and surcharge we cannot see, so
      // it wins over our estimate even when it is 0.
      const reported = usage.provider_cost_usd;
      if (typeof reported === "number" && Number.isFinite(reported) && reported >= 0) {
        return { cost_usd: reported, price_source: "provider", priced_model: null };
      }
      const found = usage.model === null ? null : match(provider, usage.model);
      if (!found) return { cost_usd: null, price_source: null, priced_model: null };
      return {
        cost_usd: priceUsage(usage, found.entry),
        price_source: found.source,
        priced_model: found.key,
      };
    },
    match,
  };
}
