// Which parser family reads a usage endpoint, decided by the request path alone.

import { geminiMethodOf } from "./gemini.ts";
import { openAiEndpointOf } from "./openai.ts";

/** The parser family that reads a usage endpoint. */
export type UsageDialect = "openai" | "anthropic" | "gemini";

/**
 * Returns the dialect that reads usage from `path`, or null when the path is not a usage
 * endpoint (model lists, count_tokens, countTokens, batches, files, telemetry, …). The path
 * decides, not the host's provider: OpenRouter serves /messages, Google and Anthropic serve
 * OpenAI-compatible /chat/completions.
 */
export function usageDialectOf(path: string): UsageDialect | null {
  const trimmed = path.endsWith("/") ? path.slice(0, -1) : path;
  // "/v1/messages" exactly: not /v1/messages/count_tokens nor OpenAI's /v1/threads/{id}/messages.
  if (trimmed.endsWith("/v1/messages")) return "anthropic";
  if (geminiMethodOf(trimmed)) return "gemini";
  if (openAiEndpointOf(trimmed)) return "openai";
  return null;
}
