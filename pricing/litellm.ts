// Converts LiteLLM's model_prices_and_context_window.json (USD per token, one flat record per
// model) into a Lumen pricing table (USD per million tokens, snapshots grouped as aliases). Pure:
// the caller fetches or reads the document.
import type { Provider } from "../core/types.ts";
import {
  applyPriceCorrection,
  bundledPriceCorrections,
  type PriceCorrection,
} from "./corrections.ts";
import { familyBasesOf } from "./model_id.ts";
import { MODEL_ID_REGEXP, parsePriceTable } from "./price_table.ts";
import type { PriceEntry, PriceRates, PriceTableFile, PriceTier } from "./types.ts";

/** The `source` of a converted table unless the caller names one. */
export const LITELLM_SOURCE =
  "LiteLLM model_prices_and_context_window.json (https://github.com/BerriAI/litellm)";

/** A converted table, the entries left out with the reason, and the corrections applied. */
export interface LiteLlmConversion {
  table: PriceTableFile;
  skipped: { id: string; reason: string }[];
  /** The corrections that applied; the others no longer match LiteLLM's values. */
  corrected: PriceCorrection[];
}

// LiteLLM's provider names for the three APIs Lumen prices; text-completion-openai holds the
// legacy completions models of the same OpenAI API.
const PROVIDERS: Record<string, Provider> = {
  openai: "openai",
  "text-completion-openai": "openai",
  anthropic: "anthropic",
  gemini: "google",
};
// Token-billed modes. image_generation, audio_*, realtime, video_generation and moderation are
// billed per image, second or session, which a token Usage cannot price.
const MODES = new Set(["chat", "responses", "completion", "embedding"]);
const FIELDS: Record<keyof PriceRates, string> = {
  input: "input_cost_per_token",
  output: "output_cost_per_token",
  cache_read: "cache_read_input_token_cost",
  cache_write_5m: "cache_creation_input_token_cost",
  cache_write_1h: "cache_creation_input_token_cost_above_1hr",
};
// `_priority`/`_flex` variants end differently and are left out: Lumen prices the standard tier.
const TIER_REGEXP = /^input_cost_per_token_above_(\d+)(k?)_tokens$/;
const PREFIX_REGEXP = /^(?:[a-z0-9_-]+\/)+/;

type Raw = Record<string, unknown>;

/**
 * Converts a parsed LiteLLM price document. Keeps the chat, responses, completion and embedding
 * models of openai, text-completion-openai, anthropic and gemini (as "google") that have input
 * and output per-token prices; applies `options.corrections` (default: pricing/corrections.json);
 * then groups each snapshot whose prices equal its base id's as an alias of it. Throws a
 * TypeError when `raw` is not an object or holds no model Lumen can price.
 *
 * @example
 * ```ts
 * const { table, skipped } = convertLiteLlm(json, { updated: "2026-11-27" });
 * table.models["claude-sonnet-4-5"].aliases; // ["claude-sonnet-4-5-20250929"]
 * ```
 */
export function convertLiteLlm(
  raw: unknown,
  options: { corrections?: PriceCorrection[]; source?: string; updated?: string } = {},
): LiteLlmConversion {
  if (!isRecord(raw)) throw new TypeError("Cannot convert LiteLLM prices: not a JSON object");
  const skipped: LiteLlmConversion["skipped"] = [];
  const found = new Map<string, { key: string; entry: PriceEntry }>();
  for (const key of Object.keys(raw).sort()) {
    const info = raw[key];
    const provider = isRecord(info) ? PROVIDERS[String(info.litellm_provider)] : undefined;
    if (!provider) continue; // another provider's model: not ours to list or to report
    const id = key.toLowerCase().replace(PREFIX_REGEXP, "");
    const entry = convertEntry(info as Raw, provider);
    if (typeof entry === "string") {
      skipped.push({ id: key, reason: entry });
      continue;
    }
    if (!MODEL_ID_REGEXP.test(id)) {
      skipped.push({ id: key, reason: "its id does not fit the model id pattern" });
      continue;
    }
    const other = found.get(id);
    // LiteLLM looks "gemini/<id>" up before "<id>" for the gemini provider, so the prefixed
    // record is the price it applies when both exist (they differ for gemini-flash-latest).
    if (other && !(key.includes("/") && !other.key.includes("/"))) {
      skipped.push({ id: key, reason: `duplicate of ${other.key}, which LiteLLM looks up first` });
      continue;
    }
    if (other) {
      skipped.push({ id: other.key, reason: `duplicate of ${key}, which LiteLLM looks up first` });
    }
    found.set(id, { key, entry });
  }

  const entries = new Map([...found].map(([id, { entry }]) => [id, entry]));
  const corrected: PriceCorrection[] = [];
  for (const correction of options.corrections ?? bundledPriceCorrections()) {
    const entry = entries.get(correction.model);
    if (entry && applyPriceCorrection(entry, correction)) corrected.push(correction);
  }

  const models = groupSnapshots(entries);
  const table = parsePriceTable({
    schema_version: 1,
    source: options.source ?? LITELLM_SOURCE,
    // No clock here (pricing/ is pure): the caller passes the date it fetched the document.
    updated: options.updated ?? "1970-01-01",
    models,
  });
  skipped.sort((a, b) => a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  return { table, skipped, corrected };
}

function convertEntry(info: Raw, provider: Provider): PriceEntry | string {
  if (!MODES.has(String(info.mode))) return `mode ${info.mode ?? "missing"}`;
  const rates = ratesOf(info, "", null);
  if (typeof rates === "string") return rates;
  const entry: PriceEntry = { provider, ...rates, aliases: [] };
  const thresholds = Object.keys(info).flatMap((field) => {
    const m = TIER_REGEXP.exec(field);
    return m ? [{ label: m[1] + m[2], above: Number(m[1]) * (m[2] ? 1000 : 1) }] : [];
  }).sort((a, b) => a.above - b.above);
  if (thresholds.length > 0) {
    entry.tiers = [];
    for (const { label, above } of thresholds) {
      const tier = ratesOf(info, `_above_${label}_tokens`, rates);
      if (typeof tier === "string") return tier;
      entry.tiers.push({ above_input_tokens: above, ...tier } satisfies PriceTier);
    }
  }
  // LiteLLM bills a search at the medium context size unless the request asks otherwise.
  const search = isRecord(info.search_context_cost_per_query)
    ? info.search_context_cost_per_query.search_context_size_medium
    : undefined;
  if (typeof search === "number" && Number.isFinite(search) && search > 0) {
    entry.fees = { web_search: search };
  }
  return entry;
}

/** Reads the five rates (with `suffix` for a tier); a tier's missing rate is the base rate. */
function ratesOf(info: Raw, suffix: string, base: PriceRates | null): PriceRates | string {
  const rates = {} as Record<keyof PriceRates, number | null>;
  for (const [ours, theirs] of Object.entries(FIELDS) as [keyof PriceRates, string][]) {
    const value = info[theirs + suffix];
    if (value === undefined || value === null) {
      rates[ours] = base ? base[ours] : null;
      continue;
    }
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
      return `${theirs + suffix} is not a non-negative number`;
    }
    rates[ours] = perMtok(value);
  }
  if (rates.input === null || rates.output === null) return "no input and output price per token";
  return rates as PriceRates;
}

/** Folds each snapshot into its base id when their prices are equal; sorted by id. */
function groupSnapshots(entries: Map<string, PriceEntry>): Record<string, PriceEntry> {
  const rootOf = new Map<string, string>();
  // Shorter ids first, so a base is settled before its snapshots.
  const ids = [...entries.keys()].sort((a, b) => a.length - b.length || (a < b ? -1 : 1));
  for (const id of ids) {
    const entry = entries.get(id)!;
    const base = familyBasesOf(id).find((b) => entries.get(b)?.provider === entry.provider);
    if (base && samePrices(entries.get(base)!, entry)) rootOf.set(id, rootOf.get(base) ?? base);
  }
  const models: Record<string, PriceEntry> = {};
  for (const id of [...entries.keys()].sort()) {
    if (rootOf.has(id)) continue;
    const { provider, input, output, cache_read, cache_write_5m, cache_write_1h, tiers, fees } =
      entries.get(id)!;
    const aliases = [...rootOf].filter(([, root]) => root === id).map(([alias]) => alias).sort();
    // Fixed key order, so the file only changes where a price does.
    models[id] = { provider, input, output, cache_read, cache_write_5m, cache_write_1h, aliases };
    if (tiers) models[id].tiers = tiers;
    if (fees) models[id].fees = fees;
  }
  return models;
}

function samePrices(a: PriceEntry, b: PriceEntry): boolean {
  const prices = ({ aliases: _, ...rest }: PriceEntry) => JSON.stringify(rest);
  return prices(a) === prices(b);
}

/** USD per token → USD per million tokens, rounded past float noise (3e-7 × 1e6 ≠ 0.3). */
function perMtok(usdPerToken: number): number {
  return Math.round(usdPerToken * 1e12) / 1e6;
}

function isRecord(value: unknown): value is Raw {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
