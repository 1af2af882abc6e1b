// Types of the pricing table (pricing.json, schema_version 1). Types only: no runtime code.
import type { Provider } from "../core/types.ts";

/** Prices in USD per million tokens; a null cache price means "billed at the input rate". */
export interface PriceRates {
  input: number;
  output: number;
  cache_read: number | null;
  /** Cache writes with the default (5-minute) TTL. */
  cache_write_5m: number | null;
  /** Cache writes with a 1-hour TTL (Anthropic); null falls back to `cache_write_5m`, then `input`. */
  cache_write_1h: number | null;
}

/** Rates that replace the base rates once a request's prompt exceeds `above_input_tokens`. */
export interface PriceTier extends PriceRates {
  above_input_tokens: number;
}

/** Per-request fees in USD, billed on top of the tokens. */
export interface PriceFees {
  /** One server-side web search (Anthropic `web_search_requests`, OpenAI `web_search_call`). */
  web_search: number;
}

/** One model's prices, under its canonical id in `PriceTableFile.models`. */
export interface PriceEntry extends PriceRates {
  provider: Provider;
  /** Other ids billed at exactly these prices (dated snapshots and the like), lower-case. */
  aliases: string[];
  /** Long-context tiers, ascending by `above_input_tokens`; the highest one exceeded applies. */
  tiers?: PriceTier[];
  fees?: PriceFees;
}

/** The whole pricing table as stored in pricing.json. */
export interface PriceTableFile {
  schema_version: 1;
  /** Where the prices were taken from. */
  source: string;
  /** Date the prices were last checked, `YYYY-MM-DD`. */
  updated: string;
  models: Record<string, PriceEntry>;
}

/**
 * How a model name found its entry: the id or an alias as written, the id after normalization
 * (case, gateway and region prefixes, date and `-latest` suffixes), or a family fallback.
 */
export type MatchHow = "exact" | "alias" | "normalized" | "family";

/** A model id resolved to its table entry. */
export interface PriceMatch {
  /** Canonical id of the entry (a key of `PriceTableFile.models`). */
  key: string;
  entry: PriceEntry;
  how: MatchHow;
}

/** Where a pricing table came from, lowest precedence first. */
export type PriceLayerSource = "bundled" | "remote" | "override";

/** One pricing table and its origin, as stacked by createPricer(). */
export interface PriceLayer {
  source: PriceLayerSource;
  table: PriceTableFile;
}
