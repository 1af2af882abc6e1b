// parse/ owns usage extraction from response bytes: SSE, JSON bodies, JSON-array and NDJSON
// streams, Connect envelopes and protobuf; the OpenAI, Anthropic, Gemini, Ollama, Cursor and
// claude.ai dialects; and offline token estimation. It is pure: it imports only ../types.ts, its
// own files and node:zlib (sync inflate of Connect frames), never Deno.*, fetch, timers or clocks,
// and it never throws on upstream data (problems go to onWarning). It keeps no prompt or
// completion text: parsers count characters as they pass. The caller decompresses and passes
// timestamps; parserFor() picks the parser for one request and response.

import type { ParseRequest, ParseResponse, UsageParser } from "../types.ts";
import { createErrorStatusParser, isErrorStatus, type ParserOptions } from "./_shared.ts";
import { createAnthropicParser } from "./anthropic.ts";
import { createClaudeAiParser, isClaudeAiCompletionPath } from "./claude_ai.ts";
import { createCursorParser, isCursorUsageRpc } from "./cursor.ts";
import { createCustomParser } from "./custom.ts";
import { createGeminiParser } from "./gemini.ts";
import { createOpenAiParser } from "./openai.ts";
import { usageDialectOf } from "./usage_dialect.ts";

export type { ParserOptions } from "./_shared.ts";
export { emptyUsage } from "./_shared.ts";
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
export { type UsageDialect, usageDialectOf } from "./usage_dialect.ts";
export { createNdjsonReader, type NdjsonReader, type NdjsonReaderOptions } from "./ndjson.ts";
export { createOllamaParser, isOllamaPath } from "./ollama.ts";
export { createEstimatingParser } from "./estimating.ts";
export { createCustomParser, type CustomRoute, customRouteOf } from "./custom.ts";
export {
  type ConnectDecoder,
  type ConnectDecoderOptions,
  type ConnectSummary,
  createConnectDecoder,
} from "./connect.ts";
export { findProtoBytes, type ProtoField, readProtoFields } from "./protobuf.ts";
export { createCursorParser, isCursorUsageRpc } from "./cursor.ts";
export { createClaudeAiParser, isClaudeAiCompletionPath } from "./claude_ai.ts";
export { epochMs, readPlanWindows } from "./plan_windows.ts";

/**
 * Returns the usage parser for a response, or null when the request is not a usage endpoint.
 * The API vendors are routed by {@linkcode usageDialectOf}; Cursor, claude.ai and custom hosts by
 * their own rules ({@linkcode isCursorUsageRpc}, {@linkcode isClaudeAiCompletionPath},
 * {@linkcode customRouteOf}). A non-2xx response gets a parser that ignores the body and yields
 * `usage: null` with reason "error status": rejected requests are not billed.
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
  // GET /v1/chat/completions lists stored completions, and so on: reads are never billed calls.
  if (request.method !== undefined && request.method !== "POST") return null;
  switch (request.provider) {
    case "cursor":
      return isCursorUsageRpc(request.path) ? createCursorParser(request, response, options) : null;
    case "claude_ai":
      return isClaudeAiCompletionPath(request.path)
        ? createClaudeAiParser(request, response, options)
        : null;
    case "custom":
      return createCustomParser(request, response, options);
  }
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
