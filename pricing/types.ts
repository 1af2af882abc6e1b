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

/** One model's prices, under its canonical id in `PriceTableFile.models`. */
export interface PriceEntry extends PriceRates {
  provider: Provider;
  /** Other ids billed at exactly these prices (dated snapshots and the like), lower-case. */
  aliases: string[];
  /** Long-context tiers, ascending by `above_input_tokens`; the highest one exceeded applies. */
  tiers?: PriceTier[];
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

/** A model id resolved to its table entry. */
export interface PriceMatch {
  /** Canonical id of the entry (a key of `PriceTableFile.models`). */
  key: string;
  entry: PriceEntry;
}
