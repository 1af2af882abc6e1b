// Chat Completions (and legacy Completions) responses, from OpenAI or any OpenAI-compatible
// server: a JSON body, or SSE `data:` chunks ending in `[DONE]`, with usage in a final chunk whose
// `choices` is empty (include_usage, OpenRouter) or on the finish chunk (Together, Mistral).

import type { ParseRequest, ParseResponse, Usage, UsageParser } from "../types.ts";
import { bodyKindOf, createDriver, type Dialect } from "./_driver.ts";
import {
  createErrorStatusParser,
  createJsonScanner,
  createWarn,
  errorMessage,
  estimatedResult,
  isErrorStatus,
  isRecord,
  parseEventJson,
  type ParserOptions,
  RequestFacts,
} from "./_shared.ts";
import { TokenTally } from "./token_tally.ts";
import { normalizeChatUsage } from "./openai_usage.ts";
import type { SseEvent } from "./sse.ts";

// Reasoning text of compatible servers: vLLM/DeepSeek `reasoning_content`, OpenRouter `reasoning`.
const REASONING_KEYS = ["reasoning_content", "reasoning"];

/**
 * Creates a parser for a Chat Completions response; without usage in the body it estimates.
 *
 * @example
 * ```ts
 * const response = { status: 200, contentType: "text/event-stream" };
 * const parser = createOpenAiChatParser(request, response);
 * parser.feed(chunk);
 * const { usage } = parser.finish({ aborted: false });
 * ```
 */
export function createOpenAiChatParser(
  request: ParseRequest,
  response: ParseResponse,
  options?: ParserOptions,
): UsageParser {
  if (isErrorStatus(response.status)) return createErrorStatusParser(response.contentType);
  const warn = createWarn(options);
  const facts = new RequestFacts(request);
  const output = new TokenTally();
  const reasoning = new TokenTally();
  let model: string | null = null;
  let usage: Usage | null = null;
  let failed = false;
  const text: Record<string, TokenTally[]> = {
    content: [output],
    refusal: [output],
    arguments: [output],
    reasoning_content: [output, reasoning],
    reasoning: [output, reasoning],
  };
  // Legacy Completions put the text in choices[].text; chat chunks never do, so skip that search.
  if (!request.path.includes("/chat/")) text.text = [output];
  const scanChunk = createJsonScanner(text, ["usage", "error"]);
  const scanPartial = createJsonScanner(text);

  function readChunk(chunk: unknown): void {
    if (!isRecord(chunk)) return;
    if (typeof chunk.model === "string" && chunk.model) model = chunk.model;
    if (chunk.error !== undefined && chunk.error !== null) {
      // OpenRouter reports a mid-stream failure as a chunk with a top-level `error`.
      failed = true;
      warn("upstream-error", errorMessage(chunk.error));
    }
    // Usage is read from its documented place only (Groq nests it under x_groq); later chunks
    // overwrite earlier ones because vLLM's continuous_usage_stats repeats it cumulatively.
    const groq = chunk.x_groq;
    const raw = isRecord(chunk.usage) ? chunk.usage : isRecord(groq) ? groq.usage : undefined;
    if (isRecord(raw)) usage = normalizeChatUsage(raw, null);
    if (!Array.isArray(chunk.choices)) return;
    for (const choice of chunk.choices) {
      if (!isRecord(choice)) continue;
      if (typeof choice.text === "string") output.add(choice.text);
      const part = isRecord(choice.delta) ? choice.delta : choice.message;
      if (isRecord(part)) tallyPart(part);
    }
  }

  function tallyPart(part: Record<string, unknown>): void {
    for (const key of REASONING_KEYS) {
      const text = part[key];
      if (typeof text !== "string") continue;
      output.add(text);
      reasoning.add(text);
    }
    for (const key of ["content", "refusal"]) {
      if (typeof part[key] === "string") output.add(part[key] as string);
    }
    const calls = Array.isArray(part.tool_calls) ? part.tool_calls : [part];
    for (const call of calls) {
      const fn = isRecord(call) ? (call.function ?? call.function_call) : undefined;
      if (isRecord(fn) && typeof fn.arguments === "string") output.add(fn.arguments);
    }
  }

  const parse = (data: string) => parseEventJson(data, warn);

  const dialect: Dialect = {
    event(event: SseEvent) {
      const data = event.data;
      if (data === "[DONE]") return;
      // Hot path: most chunks carry one token of text and "usage":null. JSON.parse would cost
      // more than everything else together, so such chunks only have their text counted; a chunk
      // that may hold usage, an error or the model is parsed and read by its structure.
      if (model === null || data.charCodeAt(0) !== 123 || scanChunk(data)) readChunk(parse(data));
    },
    value: readChunk,
    partial(text: string) {
      scanPartial(text);
    },
    result(aborted: boolean) {
      const name = model ?? facts.model();
      if (usage) return { usage: { ...usage, model: name } };
      return estimatedResult(name, { input: facts.inputTokens(), output, reasoning }, {
        failed,
        aborted,
      });
    },
  };
  return createDriver(bodyKindOf(response.contentType), dialect, warn);
}
