// For every OpenAI, Anthropic and Gemini model the converter keeps from the LiteLLM snapshot, the
// bundled pricer must charge what LiteLLM's own cost calculator charges, except for the
// deliberate divergences listed below. liteLlmCost() is written from LiteLLM's algorithm
// (litellm/litellm_core_utils/llm_cost_calc/utils.py generic_cost_per_token and
// _get_token_base_cost; llms/anthropic/cost_calculation.py; llms/gemini/cost_calculator.py;
// litellm_core_utils/llm_cost_calc/tool_call_cost_tracking.py) over the raw per-token fields;
// it never calls Lumen's pricing code.
import assert from "node:assert/strict";
import type { Provider, Usage } from "../core/types.ts";
import { bundledPriceCorrections, convertLiteLlm, createPricer } from "./mod.ts";
import { readLiteLlmReference } from "./_reference_fixture.ts";

type Raw = Record<string, unknown>;
type Reference = Omit<Usage, "model" | "provider_cost_usd" | "estimated"> & {
  web_search_requests: number;
};

const litellm = await readLiteLlmReference("the LiteLLM cost parity test");
const PROVIDERS: Record<string, Provider> = {
  openai: "openai",
  "text-completion-openai": "openai",
  anthropic: "anthropic",
  gemini: "google",
};

// Below every threshold; between 200k and 272k; the brief's figures, above every threshold.
const USAGES: Reference[] = [
  reference(12_345, 2_345, 1_234, 34_567, 4_567, 1_234),
  reference(150_000, 20_000, 5_000, 90_000, 10_001, 2_000),
  reference(1_234_567, 234_567, 100_000, 345_678, 45_678, 12_345),
];

/** A deliberate difference from LiteLLM: why, where that is documented, and how to model it. */
interface Divergence {
  why: string;
  source: string;
  /** Rewrites LiteLLM's record (or reference options) so liteLlmCost() computes Lumen's rule. */
  patch(info: Raw, options: CostOptions): void;
}

const CORRECTION_FIELDS: Record<string, string> = {
  input: "input_cost_per_token",
  output: "output_cost_per_token",
  cache_read: "cache_read_input_token_cost",
  cache_write_5m: "cache_creation_input_token_cost",
  cache_write_1h: "cache_creation_input_token_cost_above_1hr",
};

// Corrections first: the general rules below then see the corrected record.
const DIVERGENCES: Divergence[] = [
  ...bundledPriceCorrections().map((c): Divergence => ({
    why: `pricing/corrections.json: ${c.model} ${c.field}${
      c.tier ? ` above ${c.tier}` : ""
    }: ${c.why}`,
    source: c.source,
    patch(info, options) {
      if (options.id !== c.model) return;
      if (c.field === "web_search") {
        info.search_context_cost_per_query = { search_context_size_medium: c.value };
        return;
      }
      const field = CORRECTION_FIELDS[c.field] + (c.tier ? `_above_${c.tier / 1000}k_tokens` : "");
      if (c.value === null) delete info[field];
      else info[field] = c.value / 1e6;
    },
  })),
  {
    why: "A cache price LiteLLM leaves out is billed at the input rate (a 1h write at the 5m " +
      "rate); LiteLLM's _get_cost_per_unit() defaults it to $0, making those tokens free",
    source: "https://platform.openai.com/docs/guides/prompt-caching (uncached and written " +
      "tokens cost the input price); pricing/price.ts",
    patch(info) {
      const tiers = thresholdsOf(info);
      for (const [field, fallback] of CACHE_FALLBACKS) {
        if (typeof info[field] === "number") continue;
        info[field] = info[fallback];
        for (const n of tiers) {
          info[`${field}_above_${n}k_tokens`] = info[`${fallback}_above_${n}k_tokens`];
        }
      }
    },
  },
  {
    why: "OpenAI web searches are billed per web_search_call; LiteLLM adds one fee per response",
    source: "https://platform.openai.com/docs/pricing#built-in-tools",
    patch: (_info, options) => options.openAiSearchPerCall = true,
  },
  {
    why: "A Gemini model without search_context_cost_per_query has no search fee in Lumen; " +
      "LiteLLM falls back to a legacy $0.035 per search",
    source: "litellm/llms/gemini/cost_calculator.py cost_per_web_search_request",
    patch: (_info, options) => options.geminiDefaultSearchFee = 0,
  },
];

// Applied in this order, so a 1h write without a price falls back to the (patched) 5m price.
const CACHE_FALLBACKS = [
  ["cache_read_input_token_cost", "input_cost_per_token"],
  ["cache_creation_input_token_cost", "input_cost_per_token"],
  ["cache_creation_input_token_cost_above_1hr", "cache_creation_input_token_cost"],
] as const;

interface CostOptions {
  id: string;
  openAiSearchPerCall: boolean;
  geminiDefaultSearchFee: number;
}

Deno.test({
  name: "createPricer() charges LiteLLM's figure for every model of the snapshot it keeps",
  ignore: litellm === null,
  fn() {
    const source = litellm as Record<string, Raw>;
    const { table, skipped } = convertLiteLlm(source);
    const skippedIds = new Set(skipped.map((s) => s.id));
    const pricer = createPricer({ layers: [{ source: "bundled", table }] });
    const used = new Set<Divergence>();
    let checked = 0;
    for (const [key, info] of Object.entries(source)) {
      const provider = PROVIDERS[String(info.litellm_provider)];
      if (!provider || skippedIds.has(key)) continue;
      const id = key.replace(/^gemini\//, "");
      const match = pricer.match(provider, key);
      assert.ok(match && match.how !== "family", `${key} is not priced by its own entry`);
      assert.ok(match.key === id || match.entry.aliases.includes(id), `${key} → ${match.key}`);
      for (const counts of USAGES) {
        const usage = { ...counts, model: key, provider_cost_usd: null, estimated: false };
        // OpenAI and Gemini report no 1-hour split: their writes all have the default TTL.
        if (provider !== "anthropic") usage.cache_write_1h_tokens = 0;
        const ours = pricer.price(provider, usage).cost_usd!;
        const theirs = liteLlmCost(info, usage, provider, baseOptions(id));
        if (close(ours, theirs)) continue;
        const explained = patched(info, id, usage, provider, used);
        assert.ok(
          close(ours, explained),
          `${key}: Lumen ${ours}, LiteLLM ${theirs} (${explained})`,
        );
      }
      checked++;
    }
    assert.equal(checked, 188); // 132 entries and 56 aliases in the snapshot of 2026-11-27
    const stale = DIVERGENCES.filter((d) => !used.has(d)).map((d) => d.why);
    assert.deepEqual(stale, [], "every listed divergence changes at least one figure");
  },
});

/** LiteLLM's figure with every divergence applied, noting which ones changed it. */
function patched(
  info: Raw,
  id: string,
  usage: Reference,
  provider: Provider,
  used: Set<Divergence>,
) {
  const all = structuredClone(info);
  const options = baseOptions(id);
  for (const divergence of DIVERGENCES) {
    const before = liteLlmCost(all, usage, provider, options);
    divergence.patch(all, options);
    if (!close(before, liteLlmCost(all, usage, provider, options))) used.add(divergence);
  }
  return liteLlmCost(all, usage, provider, options);
}

/** What LiteLLM charges for `u` at the standard service tier, in USD (floats, as LiteLLM). */
function liteLlmCost(info: Raw, u: Reference, provider: Provider, options: CostOptions): number {
  const rate = (field: string, fallback: number) =>
    typeof info[field] === "number" ? info[field] as number : fallback;
  // prompt_tokens: Anthropic's transformation adds cache reads and writes to input_tokens;
  // OpenAI's and Gemini's prompt counts hold them already.
  const prompt = u.input_tokens + u.cache_read_tokens + u.cache_write_tokens;
  let input = rate("input_cost_per_token", 0);
  let output = rate("output_cost_per_token", 0);
  let write = rate("cache_creation_input_token_cost", 0);
  let write1h = rate("cache_creation_input_token_cost_above_1hr", 0);
  let read = rate("cache_read_input_token_cost", 0);
  // _get_token_base_cost: the highest threshold exceeded (strictly) replaces every rate it lists.
  for (const n of thresholdsOf(info).sort((a, b) => b - a)) {
    if (prompt <= n * 1000) continue;
    const at = (field: string, fallback: number) => rate(`${field}_above_${n}k_tokens`, fallback);
    input = at("input_cost_per_token", input);
    output = at("output_cost_per_token", output);
    write = at("cache_creation_input_token_cost", write);
    write1h = at("cache_creation_input_token_cost_above_1hr", write1h);
    read = at("cache_read_input_token_cost", read);
    break;
  }
  let cost = u.input_tokens * input + u.cache_read_tokens * read;
  // calculate_cache_writing_cost: the 5m/1h split exists only in Anthropic's usage.
  cost += provider === "anthropic"
    ? (u.cache_write_tokens - u.cache_write_1h_tokens) * write + u.cache_write_1h_tokens * write1h
    : u.cache_write_tokens * write;
  // Reasoning is a breakdown of completion_tokens, at output_cost_per_reasoning_token if listed.
  const reasoning = rate("output_cost_per_reasoning_token", output);
  cost += (u.output_tokens - u.reasoning_tokens) * output + u.reasoning_tokens * reasoning;
  const search = info.search_context_cost_per_query as Raw | undefined;
  const medium = search?.search_context_size_medium as number | undefined;
  const searches = u.web_search_requests;
  if (provider === "anthropic") cost += (medium ?? 0) * searches;
  if (provider === "google") cost += (medium ?? options.geminiDefaultSearchFee) * searches;
  if (provider === "openai" && searches > 0) {
    cost += (medium ?? 0) * (options.openAiSearchPerCall ? searches : 1);
  }
  return cost;
}

function baseOptions(id: string): CostOptions {
  return { id, openAiSearchPerCall: false, geminiDefaultSearchFee: 0.035 };
}

function thresholdsOf(info: Raw): number[] {
  return Object.keys(info).flatMap((k) => {
    const m = /^input_cost_per_token_above_(\d+)k_tokens$/.exec(k);
    return m ? [Number(m[1])] : [];
  });
}

function reference(
  input: number,
  output: number,
  reasoning: number,
  read: number,
  write: number,
  write1h: number,
): Reference {
  return {
    input_tokens: input,
    output_tokens: output,
    reasoning_tokens: reasoning,
    cache_read_tokens: read,
    cache_write_tokens: write,
    cache_write_1h_tokens: write1h,
    web_search_requests: 3,
  };
}

function close(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-9 + 1e-12 * Math.abs(b);
}
