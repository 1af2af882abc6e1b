// Google Gemini API (`models/{model}:method`): generateContent (JSON), streamGenerateContent with
// alt=sse (SSE, CRLF frames) or without it (a streamed JSON array). usageMetadata is cumulative
// and repeated on every chunk, so the last one wins. Embedding methods report no usage: their
// input is estimated from the request text (output is 0), unless a usageMetadata appears.

import type { ParseRequest, ParseResponse, Usage, UsageParser } from "../types.ts";
import { type BodyKind, bodyKindOf, createDriver, type Dialect } from "./_driver.ts";
import {
  count,
  createErrorStatusParser,
  createJsonScanner,
  createWarn,
  emptyUsage,
  errorMessage,
  isErrorStatus,
  isRecord,
  parseEventJson,
  type ParserOptions,
  RequestFacts,
} from "./_shared.ts";
import { TokenTally } from "./token_tally.ts";
import { createOpenAiParser } from "./openai.ts";
import type { SseEvent } from "./sse.ts";

/** The Gemini methods that consume tokens. */
export type GeminiMethod =
  | "generateContent"
  | "streamGenerateContent"
  | "embedContent"
  | "batchEmbedContents";

const METHOD_REGEXP = new RegExp(
  "/(?:models|tunedModels)/([^/:]+):" +
    "(generateContent|streamGenerateContent|embedContent|batchEmbedContents)$",
);
const ALT_SSE_REGEXP = /(?:^|&)alt=sse(?:&|$)/;

/** Returns the usage method a Gemini path names (`:countTokens` and the rest give null). */
export function geminiMethodOf(path: string): GeminiMethod | null {
  return (METHOD_REGEXP.exec(path)?.[2] as GeminiMethod | undefined) ?? null;
}

/** Returns the model named in a Gemini path (`…/models/{model}:method`), or null. */
export function geminiModelOf(path: string): string | null {
  const match = /\/(?:models|tunedModels)\/([^/:]+):/.exec(path);
  return match ? decodeURIComponent(match[1]) : null;
}

/**
 * Normalizes a Gemini `usageMetadata`: promptTokenCount includes the cached content, tool-use
 * prompt tokens are billed as input, and thoughts are output on top of candidates.
 *
 * @example
 * ```ts
 * normalizeGeminiUsage({ promptTokenCount: 2315, cachedContentTokenCount: 2048,
 *   candidatesTokenCount: 118, thoughtsTokenCount: 464 }, "gemini-2.5-flash");
 * // { input_tokens: 267, cache_read_tokens: 2048, output_tokens: 582, reasoning_tokens: 464, … }
 * ```
 */
export function normalizeGeminiUsage(raw: Record<string, unknown>, model: string | null): Usage {
  const cached = count(raw.cachedContentTokenCount);
  const thoughts = count(raw.thoughtsTokenCount);
  const usage = emptyUsage(model, false);
  usage.input_tokens = Math.max(
    0,
    count(raw.promptTokenCount) + count(raw.toolUsePromptTokenCount) - cached,
  );
  usage.cache_read_tokens = cached;
  usage.output_tokens = count(raw.candidatesTokenCount) + thoughts;
  usage.reasoning_tokens = thoughts;
  return usage;
}

/**
 * Creates a parser for a Gemini response; paths under `/openai/` are OpenAI-shaped and go to
 * {@linkcode createOpenAiParser}.
 *
 * @example
 * ```ts
 * const parser = createGeminiParser(
 *   { provider: "google", path: "/v1beta/models/gemini-2.5-flash:streamGenerateContent",
 *     query: "alt=sse", body },
 *   { status: 200, contentType: "text/event-stream" },
 * );
 * parser.feed(chunk);
 * const { usage } = parser.finish({ aborted: false });
 * ```
 */
export function createGeminiParser(
  request: ParseRequest,
  response: ParseResponse,
  options?: ParserOptions,
): UsageParser {
  if (request.path.includes("/openai/")) return createOpenAiParser(request, response, options);
  if (isErrorStatus(response.status)) return createErrorStatusParser(response.contentType);
  const warn = createWarn(options);
  const facts = new RequestFacts(request);
  const method = geminiMethodOf(request.path);
  const embedding = method === "embedContent" || method === "batchEmbedContents";
  const output = new TokenTally();
  const reasoning = new TokenTally();
  let model: string | null = null;
  let metadata: Record<string, unknown> | null = null;
  let finished = false;
  let failed = false;

  function tallyParts(parts: unknown): void {
    if (!Array.isArray(parts)) return;
    for (const part of parts) {
      if (!isRecord(part)) continue;
      const text = typeof part.text === "string"
        ? part.text
        : isRecord(part.functionCall)
        ? JSON.stringify(part.functionCall.args ?? {}) ?? ""
        : "";
      output.add(text);
      if (part.thought === true) reasoning.add(text);
    }
  }

  function read(value: unknown): void {
    if (!isRecord(value)) return;
    if (isRecord(value.error)) {
      failed = true;
      warn("upstream-error", errorMessage(value.error));
    }
    if (typeof value.modelVersion === "string" && value.modelVersion) model = value.modelVersion;
    if (isRecord(value.usageMetadata)) metadata = value.usageMetadata;
    // A blocked prompt ends with promptFeedback.blockReason and no candidates.
    if (isRecord(value.promptFeedback) && value.promptFeedback.blockReason) finished = true;
    if (!Array.isArray(value.candidates)) return;
    for (const candidate of value.candidates) {
      if (!isRecord(candidate)) continue;
      if (typeof candidate.finishReason === "string") finished = true;
      if (isRecord(candidate.content)) tallyParts(candidate.content.parts);
    }
  }

  // Every chunk repeats the cumulative usageMetadata, so a text chunk (an SSE event or an element
  // of the JSON array) is scanned rather than parsed, and only the last one holding usage is parsed, at the end; the one before it stands in
  // when a cut stream's last chunk is not whole JSON. Chunks that need reading (errors, blocked
  // prompts, thoughts, function calls, the finish) are parsed whole.
  const scan = createJsonScanner({ text: [output] }, [
    "error",
    "promptFeedback",
    "thought",
    "functionCall",
    "finishReason",
  ]);
  let lastUsage: string | null = null;
  let usageBefore: string | null = null;

  function readLastUsage(): void {
    for (const data of [lastUsage, usageBefore]) {
      const value = data === null ? undefined : parseEventJson(data, warn);
      if (!isRecord(value)) continue;
      if (typeof value.modelVersion === "string" && value.modelVersion) model = value.modelVersion;
      if (isRecord(value.usageMetadata)) metadata = value.usageMetadata;
      break;
    }
    lastUsage = usageBefore = null;
  }

  /** A chunk's JSON text, an SSE event's data or an array element: true when the scan read it. */
  function scanned(data: string): boolean {
    if (scan(data)) return false;
    if (data.includes('usageMetadata"')) [usageBefore, lastUsage] = [lastUsage, data];
    return true;
  }

  function readValue(value: unknown): void {
    lastUsage = usageBefore = null; // this chunk's usage is newer
    read(value);
  }

  const dialect: Dialect = {
    event(event: SseEvent) {
      if (scanned(event.data)) return;
      const value = parseEventJson(event.data, warn);
      if (value !== undefined) readValue(value);
    },
    text: scanned,
    value: readValue,
    partial() {},
    result(aborted: boolean) {
      readLastUsage();
      const name = model ?? geminiModelOf(request.path) ?? facts.model();
      const reason = failed ? "upstream error" : aborted ? "aborted" : "no usage";
      if (metadata) {
        // An aborted stream's last usageMetadata is a snapshot of a response still growing.
        const usage = normalizeGeminiUsage(metadata, name);
        if (aborted && !finished && !embedding) {
          usage.estimated = true;
          return { usage, reason };
        }
        return { usage };
      }
      const usage = emptyUsage(name, true);
      usage.input_tokens = facts.inputTokens();
      usage.output_tokens = embedding ? 0 : output.tokens();
      usage.reasoning_tokens = Math.min(reasoning.tokens(), usage.output_tokens);
      return { usage, reason };
    },
  };
  return createDriver(bodyKindFor(request, response, method), dialect, warn);
}

function bodyKindFor(
  request: ParseRequest,
  response: ParseResponse,
  method: GeminiMethod | null,
): BodyKind | null {
  const announced = bodyKindOf(response.contentType);
  if (method !== "streamGenerateContent" || announced === "sse") return announced;
  // Without alt=sse the stream is a JSON array served as application/json.
  if (announced === "json") return "json-array";
  return ALT_SSE_REGEXP.test(request.query) ? "sse" : "json-array";
}
