// Normalizes OpenAI-shaped usage objects (Chat Completions, Responses, Embeddings, and
// OpenAI-compatible servers such as OpenRouter) to Lumen's Usage.

import type { Usage } from "../types.ts";
import { count, emptyUsage, isRecord } from "./_shared.ts";

/**
 * Normalizes a Chat Completions / Embeddings `usage` object: cached and cache-written tokens are
 * inside `prompt_tokens`, so they are subtracted from the uncached input.
 *
 * @example
 * ```ts
 * normalizeChatUsage({ prompt_tokens: 100, completion_tokens: 20, total_tokens: 120,
 *   prompt_tokens_details: { cached_tokens: 64 } }, "gpt-5-mini");
 * // { model: "gpt-5-mini", input_tokens: 36, cache_read_tokens: 64, output_tokens: 20, … }
 * ```
 */
export function normalizeChatUsage(raw: Record<string, unknown>, model: string | null): Usage {
  return normalize(
    raw,
    model,
    raw.prompt_tokens,
    raw.prompt_tokens_details,
    raw.completion_tokens,
    raw.completion_tokens_details,
  );
}

/** Normalizes a Responses API `usage` object (input_tokens / output_tokens and their details). */
export function normalizeResponsesUsage(raw: Record<string, unknown>, model: string | null): Usage {
  return normalize(
    raw,
    model,
    raw.input_tokens,
    raw.input_tokens_details,
    raw.output_tokens,
    raw.output_tokens_details,
  );
}

function normalize(
  raw: Record<string, unknown>,
  model: string | null,
  promptValue: unknown,
  promptDetails: unknown,
  outputValue: unknown,
  outputDetails: unknown,
): Usage {
  const prompt = count(promptValue);
  const input = isRecord(promptDetails) ? promptDetails : {};
  const output = isRecord(outputDetails) ? outputDetails : {};
  const cached = count(input.cached_tokens);
  const written = count(input.cache_write_tokens);
  let completion = count(outputValue);
  // Some OpenAI-compatible upstreams (Gemini's compat layer, gateways rebuilding its shape) leave
  // thought tokens out of completion_tokens but not out of total_tokens: the safer bound wins.
  if (typeof raw.total_tokens === "number") {
    completion = Math.max(completion, count(raw.total_tokens) - prompt);
  }
  const usage = emptyUsage(model, false);
  usage.input_tokens = Math.max(0, prompt - cached - written);
  usage.cache_read_tokens = cached;
  usage.cache_write_tokens = written;
  usage.output_tokens = completion;
  usage.reasoning_tokens = Math.min(count(output.reasoning_tokens), completion);
  usage.provider_cost_usd = providerCost(raw);
  return usage;
}

/**
 * Returns the spend an OpenAI-compatible gateway reported in `usage.cost` (OpenRouter: USD
 * credits), or null. With BYOK the upstream bills the key owner separately, so its cost is added.
 */
export function providerCost(raw: Record<string, unknown>): number | null {
  const cost = raw.cost;
  if (typeof cost !== "number" || !Number.isFinite(cost) || cost < 0) return null;
  const details = raw.cost_details;
  if (raw.is_byok === true && isRecord(details)) {
    const upstream = details.upstream_inference_cost;
    if (typeof upstream === "number" && Number.isFinite(upstream) && upstream > 0) {
      return cost + upstream;
    }
  }
  return cost;
}
