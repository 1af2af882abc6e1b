// Hand corrections to LiteLLM's prices (corrections.json). Each one names the value it replaces,
// so it only applies while LiteLLM still has that mistake: once LiteLLM fixes or changes the
// price, its own figure wins again and the correction shows up as unused.
import corrections from "./corrections.json" with { type: "json" };
import type { PriceEntry, PriceRates } from "./types.ts";

/** A field a correction may set: a token rate, or the web-search fee (USD per search). */
export type CorrectedField = keyof PriceRates | "web_search";

/** One hand correction, with the reason and a source a reviewer can check. */
export interface PriceCorrection {
  /** The converted id (LiteLLM's key without its provider prefix), before snapshots are grouped. */
  model: string;
  /** The tier's `above_input_tokens` when the field is a tier's; absent for the base rates. */
  tier?: number;
  field: CorrectedField;
  /** The converted value this corrects (null when absent); any other value leaves it alone. */
  was: number | null;
  value: number | null;
  why: string;
  source: string;
}

const FIELDS: readonly CorrectedField[] = [
  "input",
  "output",
  "cache_read",
  "cache_write_5m",
  "cache_write_1h",
  "web_search",
];

/** Returns the corrections committed in pricing/corrections.json, validated. */
export function bundledPriceCorrections(): PriceCorrection[] {
  return parsePriceCorrections(corrections);
}

/** Checks a corrections document (`{ corrections: [...] }`), throwing a TypeError on a bad field. */
export function parsePriceCorrections(json: unknown): PriceCorrection[] {
  const list = (json as { corrections?: unknown } | null)?.corrections;
  if (!Array.isArray(list)) fail("corrections", "must be an array");
  return list.map((item, i) => {
    const at = `corrections[${i}]`;
    if (typeof item !== "object" || item === null) fail(at, "must be an object");
    const c = item as Record<string, unknown>;
    for (const key of ["model", "why", "source"]) {
      if (typeof c[key] !== "string" || c[key] === "") fail(`${at}.${key}`, "must be a string");
    }
    if (!FIELDS.includes(c.field as CorrectedField)) fail(`${at}.field`, "is not a price field");
    if (c.tier !== undefined && !Number.isSafeInteger(c.tier)) {
      fail(`${at}.tier`, "must be integer");
    }
    for (const key of ["was", "value"]) {
      const v = c[key];
      if (v !== null && (typeof v !== "number" || !(v >= 0))) fail(`${at}.${key}`, "bad price");
    }
    const rate = c.field === "input" || c.field === "output";
    if (rate && c.value === null) fail(`${at}.value`, "must be a number for input and output");
    return c as unknown as PriceCorrection;
  });
}

/**
 * Applies `correction` to `entry` in place when its current value is the one the correction
 * names; returns whether it did.
 */
export function applyPriceCorrection(entry: PriceEntry, correction: PriceCorrection): boolean {
  const { field, tier, was, value } = correction;
  if (field === "web_search") {
    if (tier !== undefined || (entry.fees?.web_search ?? null) !== was) return false;
    if (value === null) delete entry.fees;
    else entry.fees = { web_search: value };
    return true;
  }
  const target = tier === undefined
    ? entry
    : entry.tiers?.find((t) => t.above_input_tokens === tier);
  if (!target || target[field] !== was) return false;
  (target as unknown as Record<string, number | null>)[field] = value;
  return true;
}

function fail(where: string, problem: string): never {
  throw new TypeError(`Cannot load pricing corrections: ${where} ${problem}`);
}
