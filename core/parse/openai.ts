// OpenAI dialect entry point: picks Chat Completions, Responses or Embeddings by the path, for
// api.openai.com and every OpenAI-compatible upstream (OpenRouter, Gemini's /openai/ layer, …).

import type { ParseRequest, ParseResponse, Usage, UsageParser } from "../types.ts";
import { bodyKindOf, createDriver, type Dialect } from "./_driver.ts";
import {
  createErrorStatusParser,
  createWarn,
  emptyUsage,
  isErrorStatus,
  isRecord,
  type ParserOptions,
  RequestFacts,
} from "./_shared.ts";
import { createOpenAiChatParser } from "./openai_chat.ts";
import { createOpenAiResponsesParser } from "./openai_responses.ts";
import { normalizeChatUsage } from "./openai_usage.ts";

/** The OpenAI endpoints with usage, named by the last segment of their path. */
export type OpenAiEndpoint = "chat" | "responses" | "embeddings";

/** Returns the OpenAI endpoint a path names, or null when it is not a usage endpoint. */
export function openAiEndpointOf(path: string): OpenAiEndpoint | null {
  const trimmed = path.endsWith("/") ? path.slice(0, -1) : path;
  if (trimmed.endsWith("/chat/completions") || trimmed.endsWith("/completions")) return "chat";
  if (trimmed.endsWith("/responses")) return "responses";
  if (trimmed.endsWith("/embeddings")) return "embeddings";
  return null;
}

/**
 * Creates a parser for an OpenAI-shaped response, choosing the endpoint from `request.path`
 * (anything unrecognised is read as Chat Completions, the most common compatible shape).
 *
 * @example
 * ```ts
 * const parser = createOpenAiParser(
 *   { provider: "openai", path: "/v1/chat/completions", query: "", body },
 *   { status: 200, contentType: "application/json" },
 * );
 * parser.feed(bytes);
 * parser.finish({ aborted: false }).usage; // { model: "gpt-5-mini-2025-08-07", … }
 * ```
 */
export function createOpenAiParser(
  request: ParseRequest,
  response: ParseResponse,
  options?: ParserOptions,
): UsageParser {
  switch (openAiEndpointOf(request.path)) {
    case "responses":
      return createOpenAiResponsesParser(request, response, options);
    case "embeddings":
      return createOpenAiEmbeddingsParser(request, response, options);
    default:
      return createOpenAiChatParser(request, response, options);
  }
}

/** Creates a parser for an Embeddings response (never streamed; all usage is input). */
export function createOpenAiEmbeddingsParser(
  request: ParseRequest,
  response: ParseResponse,
  options?: ParserOptions,
): UsageParser {
  if (isErrorStatus(response.status)) return createErrorStatusParser(response.contentType);
  const warn = createWarn(options);
  const facts = new RequestFacts(request);
  let model: string | null = null;
  let usage: Usage | null = null;

  const dialect: Dialect = {
    event() {},
    value(value: unknown) {
      if (!isRecord(value)) return;
      if (typeof value.model === "string" && value.model) model = value.model;
      if (isRecord(value.usage)) usage = normalizeChatUsage(value.usage, null);
    },
    partial() {},
    result(aborted: boolean) {
      const name = model ?? facts.model();
      if (usage) return { usage: { ...usage, model: name } };
      const estimate = emptyUsage(name, true);
      estimate.input_tokens = facts.inputTokens();
      return { usage: estimate, reason: aborted ? "aborted" : "no usage" };
    },
  };
  return createDriver(bodyKindOf(response.contentType) ?? "json", dialect, warn);
}
