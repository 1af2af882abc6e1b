// Resolves the model name a response reports to a pricing entry: exact id or alias, then the
// normalized name (case, prefixes, date suffixes), then a conservative family fallback. The
// fallback only ever drops a snapshot date, version number or release word: a prefix rule that
// crossed a tier word would price gpt-5-mini as gpt-5 (5× too high), which is worse than
// reporting the model as unpriced.
import type { Provider } from "../core/types.ts";
import { familyBasesOf, normalizeModelId, undatedModelId } from "./model_id.ts";
import type { PriceEntry, PriceMatch, PriceTableFile } from "./types.ts";

export { normalizeModelId } from "./model_id.ts";

/** Looks up model names in one pricing table. */
export interface PriceMatcher {
  /**
   * Returns the entry billed for `model`, or null when the table does not know it. With
   * `family: false` only exact, alias and normalized matches count.
   */
  match(provider: Provider, model: string, options?: { family?: boolean }): PriceMatch | null;
}

interface Indexed {
  key: string;
  entry: PriceEntry;
  alias: boolean;
}

/**
 * Indexes a pricing table by id and alias.
 *
 * @example
 * ```ts
 * const prices = createPriceTable(parsePriceTable(json));
 * prices.match("openai", "gpt-5-mini-2025-08-07"); // { key: "gpt-5-mini", how: "alias", … }
 * prices.match("anthropic", "us.anthropic.claude-sonnet-4-5-20250929-v1:0")?.how; // "normalized"
 * prices.match("openai", "gpt-5-mini-preview")?.how; // "family": only a release word was dropped
 * prices.match("openai", "gpt-5-mini-foo"); // null: never a guess across an unknown word
 * ```
 */
export function createPriceTable(table: PriceTableFile): PriceMatcher {
  const index = new Map<string, Indexed[]>();
  for (const [key, entry] of Object.entries(table.models)) {
    for (const id of [key, ...entry.aliases]) {
      const lower = id.toLowerCase();
      const matches = index.get(lower) ?? [];
      matches.push({ key, entry, alias: id !== key });
      index.set(lower, matches);
    }
  }

  function lookup(provider: Provider, id: string): Indexed | null {
    const matches = index.get(id);
    if (!matches) return null;
    // `provider` is the API dialect, not the vendor: OpenAI-compatible endpoints serve Claude and
    // Gemini too, so it only breaks ties between providers that list the same id.
    return matches.find((m) => m.entry.provider === provider) ?? matches[0];
  }

  function found(hit: Indexed, how: PriceMatch["how"]): PriceMatch {
    return { key: hit.key, entry: hit.entry, how };
  }

  return {
    match(provider, model, options = {}) {
      const raw = lookup(provider, model);
      if (raw) return found(raw, raw.alias ? "alias" : "exact");
      const id = normalizeModelId(model);
      if (id === "") return null;
      const normalized = lookup(provider, id) ?? lookup(provider, undatedModelId(id));
      if (normalized) return found(normalized, "normalized");
      if (options.family === false) return null;
      for (const base of familyBasesOf(id)) {
        const hit = lookup(provider, base);
        if (hit) return found(hit, "family");
      }
      return null;
    },
  };
}
