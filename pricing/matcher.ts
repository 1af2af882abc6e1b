// Resolves the model name a response reports to a pricing entry. Only exact ids and aliases
// match: a prefix rule would price gpt-5-mini as gpt-5 (8× too high), which is worse than
// reporting the model as unpriced.
import type { Provider } from "../core/types.ts";
import type { PriceMatch, PriceTableFile } from "./types.ts";

/** Looks up model names in one pricing table. */
export interface PriceMatcher {
  /** Returns the entry billed for `model`, or null when the table does not know it. */
  match(provider: Provider, model: string): PriceMatch | null;
}

// Gateways and SDKs name models with these prefixes (`models/gemini-2.5-pro` from the Gemini
// API, `openai/gpt-5` from OpenRouter and LiteLLM); they never change the price.
const PREFIX_REGEXP = /^(?:models|openai|anthropic|google|gemini)\//;
// Dated snapshots: OpenAI `-2025-08-07`, Anthropic `-20251001`.
const DATE_SUFFIX_REGEXP = /-(?:\d{4}-\d{2}-\d{2}|\d{8})$/;
const LATEST_SUFFIX_REGEXP = /-latest$/;

/**
 * Lower-cases a model name and strips the prefixes that do not change its price.
 *
 * @example
 * ```ts
 * normalizeModelId("models/Gemini-2.5-Pro"); // "gemini-2.5-pro"
 * ```
 */
export function normalizeModelId(model: string): string {
  let id = model.trim().toLowerCase();
  // Repeated because prefixes stack, e.g. `gemini/models/gemini-2.5-flash`.
  while (PREFIX_REGEXP.test(id)) id = id.replace(PREFIX_REGEXP, "");
  return id;
}

/**
 * Indexes a pricing table by id and alias for exact lookups.
 *
 * @example
 * ```ts
 * const prices = createPriceTable(parsePriceTable(json));
 * prices.match("openai", "gpt-5-mini-2025-08-07")?.key; // "gpt-5-mini"
 * prices.match("openai", "gpt-5-mini-preview"); // null: never a prefix match
 * ```
 */
export function createPriceTable(table: PriceTableFile): PriceMatcher {
  const index = new Map<string, PriceMatch[]>();
  for (const [key, entry] of Object.entries(table.models)) {
    for (const id of [key, ...entry.aliases]) {
      const lower = id.toLowerCase();
      const matches = index.get(lower) ?? [];
      matches.push({ key, entry });
      index.set(lower, matches);
    }
  }

  function lookup(provider: Provider, id: string): PriceMatch | null {
    const matches = index.get(id);
    if (!matches) return null;
    // `provider` is the API dialect, not the vendor: OpenAI-compatible endpoints serve Claude and
    // Gemini too, so it only breaks ties between providers that list the same id.
    return matches.find((m) => m.entry.provider === provider) ?? matches[0];
  }

  return {
    match(provider, model) {
      const id = normalizeModelId(model);
      if (id === "") return null;
      const exact = lookup(provider, id);
      if (exact) return exact;
      const undated = id.replace(LATEST_SUFFIX_REGEXP, "").replace(DATE_SUFFIX_REGEXP, "");
      return undated === id ? null : lookup(provider, undated);
    },
  };
}
