// parse/ owns usage extraction from response bytes: SSE, JSON bodies and JSON-array streams, the
// OpenAI, Anthropic and Gemini dialects, and offline token estimation. It is pure: it imports only
// ../types.ts and its own files, never Deno.*, fetch, timers or clocks, and it never throws on
// upstream data (problems go to onWarning). It keeps no prompt or completion text: parsers count
// characters as they pass. The caller decompresses and passes timestamps; parserFor() picks the
// parser for one request and response.

import type { ParseRequest, ParseResponse, UsageParser } from "../types.ts";
import { createErrorStatusParser, isErrorStatus, type ParserOptions } from "./_shared.ts";
import { createAnthropicParser } from "./anthropic.ts";
import { createGeminiParser, geminiMethodOf } from "./gemini.ts";
import { createOpenAiParser, openAiEndpointOf } from "./openai.ts";

export type { ParserOptions } from "./_shared.ts";
export { createSseDecoder, type SseDecoder, type SseDecoderOptions, type SseEvent } from "./sse.ts";
export { createJsonBodyReader, type JsonBodyReader, type JsonBodyResult } from "./json_body.ts";
export { createJsonArrayStream, type JsonArrayStream } from "./json_array_stream.ts";
export { estimateRequestTokens, estimateRequestValueTokens, estimateTokens } from "./estimate.ts";
export { TokenTally } from "./token_tally.ts";
export {
  createOpenAiEmbeddingsParser,
  createOpenAiParser,
  type OpenAiEndpoint,
  openAiEndpointOf,
} from "./openai.ts";
export { createOpenAiChatParser } from "./openai_chat.ts";
export { createOpenAiResponsesParser } from "./openai_responses.ts";
export { normalizeChatUsage, normalizeResponsesUsage, providerCost } from "./openai_usage.ts";
export { createAnthropicParser, normalizeAnthropicUsage } from "./anthropic.ts";
export {
  createGeminiParser,
  type GeminiMethod,
  geminiMethodOf,
  geminiModelOf,
  normalizeGeminiUsage,
} from "./gemini.ts";

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

/**
 * Returns the usage parser for a response, or null when the request is not a usage endpoint.
 * A non-2xx response gets a parser that ignores the body and yields `usage: null` with reason
 * "error status": rejected requests are not billed.
 *
 * @example
 * ```ts
 * const parser = parserFor(
 *   { provider: "anthropic", path: "/v1/messages", query: "beta=true", body },
 *   { status: 200, contentType: "text/event-stream; charset=utf-8" },
 *   { onWarning: (w) => console.warn(w.code, w.detail) },
 * );
 * for (const chunk of chunks) parser?.feed(chunk);
 * const result = parser?.finish({ aborted: false }); // { usage: { … }, streamed: true }
 * ```
 */
export function parserFor(
  request: ParseRequest,
  response: ParseResponse,
  options?: ParserOptions,
): UsageParser | null {
  const dialect = usageDialectOf(request.path);
  if (!dialect) return null;
  if (isErrorStatus(response.status)) return createErrorStatusParser(response.contentType);
  switch (dialect) {
    case "anthropic":
      return createAnthropicParser(request, response, options);
    case "gemini":
      return createGeminiParser(request, response, options);
    default:
      return createOpenAiParser(request, response, options);
  }
}
