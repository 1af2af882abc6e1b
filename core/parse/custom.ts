// User-added hosts (vLLM, Ollama, LiteLLM, OpenRouter, company gateways): which parser reads a
// response, from the path when it names a known endpoint, else from the request body's shape.
// Requests without a JSON object body (GETs, uploads) are never usage.

import type { ParseRequest, ParseResponse, UsageParser } from "../types.ts";
import { isRecord, type ParserOptions } from "./_shared.ts";
import { createAnthropicParser } from "./anthropic.ts";
import { createEstimatingParser } from "./estimating.ts";
import { createGeminiParser } from "./gemini.ts";
import { createOllamaParser, isOllamaPath } from "./ollama.ts";
import { createOpenAiEmbeddingsParser, openAiEndpointOf } from "./openai.ts";
import { createOpenAiChatParser } from "./openai_chat.ts";
import { createOpenAiResponsesParser } from "./openai_responses.ts";
import { usageDialectOf } from "./usage_dialect.ts";

/** The parser a custom host's response goes to. */
export type CustomRoute =
  | "openai-chat"
  | "openai-responses"
  | "openai-embeddings"
  | "anthropic"
  | "gemini"
  | "ollama"
  | "estimate";

// Free counting and tokenizer endpoints take prompt-shaped bodies but bill nothing.
const NOT_USAGE_REGEXP = /\/(?:count_tokens|input_tokens|tokenize|detokenize)\/?$|:countTokens$/;
// Gateways mount Anthropic's API without /v1 (e.g. `/anthropic/messages`); OpenAI's
// /threads/{id}/messages is not a generation.
const MESSAGES_PATH_REGEXP = /\/messages\/?$/;
const THREAD_MESSAGES_REGEXP = /\/threads\/[^/]+\/messages\/?$/;
const PROMPT_KEYS = ["messages", "prompt", "input", "contents"];
// Anthropic-only request fields and content blocks; OpenAI bodies use `stop` and system messages.
const ANTHROPIC_FIELDS = ["system", "stop_sequences", "thinking", "anthropic_version"];
const ANTHROPIC_BLOCKS = new Set(["tool_use", "tool_result", "thinking", "redacted_thinking"]);
// Embeddings request fields a Responses request never has.
const EMBEDDING_FIELDS = ["encoding_format", "dimensions"];

/**
 * Returns the parser route for a custom host's request, or null when it is not usage.
 *
 * @example
 * ```ts
 * customRouteOf("/v1/chat/completions", body); // "openai-chat"
 * customRouteOf("/api/chat", body); // "ollama"
 * customRouteOf("/gateway/invoke", encode('{"max_tokens":64,"system":"…","messages":[]}'));
 * // "anthropic"
 * customRouteOf("/v1/models", new Uint8Array()); // null
 * ```
 */
export function customRouteOf(path: string, body: Uint8Array): CustomRoute | null {
  if (NOT_USAGE_REGEXP.test(path) || !opensObject(body)) return null;
  switch (usageDialectOf(path)) {
    case "anthropic":
      return "anthropic";
    case "gemini":
      return "gemini";
    case "openai": {
      const endpoint = openAiEndpointOf(path);
      return endpoint === "chat" ? "openai-chat" : `openai-${endpoint!}`;
    }
  }
  if (isOllamaPath(path)) return "ollama";
  if (MESSAGES_PATH_REGEXP.test(path) && !THREAD_MESSAGES_REGEXP.test(path)) return "anthropic";
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(body));
  } catch {
    return null; // Not JSON after all: nothing says this is a model call.
  }
  return isRecord(value) ? routeByBody(value) : null;
}

/**
 * Creates the parser for a custom host's response by {@linkcode customRouteOf}, or returns null
 * when the request is not usage. Every parser it picks reports an error status as no usage.
 */
export function createCustomParser(
  request: ParseRequest,
  response: ParseResponse,
  options?: ParserOptions,
): UsageParser | null {
  const route = customRouteOf(request.path, request.body);
  switch (route) {
    case null:
      return null;
    case "anthropic":
      return createAnthropicParser(request, response, options);
    case "gemini":
      return createGeminiParser(request, response, options);
    case "openai-chat":
      return createOpenAiChatParser(request, response, options);
    case "openai-responses":
      return createOpenAiResponsesParser(request, response, options);
    case "openai-embeddings":
      return createOpenAiEmbeddingsParser(request, response, options);
    case "ollama":
      return createOllamaParser(request, response, options);
    default:
      return createEstimatingParser(request, response, options);
  }
}

function routeByBody(body: Record<string, unknown>): CustomRoute | null {
  if (Array.isArray(body.messages)) {
    return isAnthropicBody(body, body.messages) ? "anthropic" : "openai-chat";
  }
  if (typeof body.prompt === "string" || Array.isArray(body.prompt)) return "openai-chat";
  if (typeof body.input === "string" || Array.isArray(body.input)) {
    return isEmbeddingsBody(body, body.input) ? "openai-embeddings" : "openai-responses";
  }
  return PROMPT_KEYS.some((key) => body[key] !== undefined && body[key] !== null)
    ? "estimate"
    : null;
}

function isAnthropicBody(body: Record<string, unknown>, messages: unknown[]): boolean {
  if (typeof body.anthropic_version === "string") return true; // Bedrock and Vertex bodies
  if (typeof body.max_tokens !== "number") return false; // Anthropic requires it
  if (ANTHROPIC_FIELDS.some((key) => body[key] !== undefined && body[key] !== null)) return true;
  return messages.some((message) =>
    isRecord(message) && Array.isArray(message.content) &&
    message.content.some((block) =>
      isRecord(block) && (ANTHROPIC_BLOCKS.has(block.type as string) || isRecord(block.source))
    )
  );
}

// Embeddings take a string or a list of strings or token arrays; Responses input lists are items.
function isEmbeddingsBody(body: Record<string, unknown>, input: unknown): boolean {
  if (EMBEDDING_FIELDS.some((key) => body[key] !== undefined)) return true;
  return Array.isArray(input) && input.length > 0 && input.every((item) => !isRecord(item));
}

function opensObject(body: Uint8Array): boolean {
  for (const b of body) {
    if (b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09) continue;
    return b === 0x7b;
  }
  return false;
}
