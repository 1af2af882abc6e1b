// Ollama's native API (`/api/chat`, `/api/generate`; provider-formats.md §3): NDJSON
// (application/x-ndjson) when streaming, one JSON object with `"stream": false`. Counts appear
// only on the `"done": true` line: prompt_eval_count is the input, eval_count the output.

import type { ParseRequest, ParseResponse, Usage, UsageParser } from "../types.ts";
import { type BodyKind, bodyKindOf, createDriver, type Dialect } from "./_driver.ts";
import {
  count,
  createErrorStatusParser,
  createJsonScanner,
  createWarn,
  emptyUsage,
  errorMessage,
  estimatedResult,
  isErrorStatus,
  isRecord,
  parseEventJson,
  type ParserOptions,
  RequestFacts,
} from "./_shared.ts";
import type { SseEvent } from "./sse.ts";
import { TokenTally } from "./token_tally.ts";

const OLLAMA_PATH_REGEXP = /\/api\/(?:chat|generate)\/?$/;

/** Returns true for Ollama's native generation paths, `/api/chat` and `/api/generate`. */
export function isOllamaPath(path: string): boolean {
  return OLLAMA_PATH_REGEXP.test(path);
}

/**
 * Creates a parser for an Ollama native response; without a complete `done` line it estimates.
 *
 * @example
 * ```ts
 * const parser = createOllamaParser(
 *   { provider: "custom", path: "/api/chat", query: "", body },
 *   { status: 200, contentType: "application/x-ndjson" },
 * );
 * parser.feed(chunk);
 * parser.finish({ aborted: false }).usage; // { input_tokens: 26, output_tokens: 9, … }
 * ```
 */
export function createOllamaParser(
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
  const textKeys = { content: [output], response: [output], thinking: [output, reasoning] };
  const scanPartial = createJsonScanner(textKeys);
  // Streamed lines are scanned for their text; only those that carry more are parsed: the final
  // one (counts, done_reason, the model), an error, tool calls.
  const scanLine = createJsonScanner(textKeys, [
    "error",
    "tool_calls",
    "eval_count",
    "prompt_eval_count",
    "done_reason",
  ]);

  function read(value: unknown): void {
    if (!isRecord(value)) return;
    if (typeof value.model === "string" && value.model) model = value.model;
    if (value.error !== undefined && value.error !== null) {
      failed = true;
      warn("upstream-error", errorMessage(value.error));
    }
    // /api/chat puts the text in `message`, /api/generate at the top level as `response`.
    const part = isRecord(value.message) ? value.message : value;
    for (const key of ["content", "response"]) {
      if (typeof part[key] === "string") output.add(part[key] as string);
    }
    if (typeof part.thinking === "string") {
      output.add(part.thinking);
      reasoning.add(part.thinking);
    }
    if (Array.isArray(part.tool_calls)) output.add(JSON.stringify(part.tool_calls));
    const counted = typeof value.eval_count === "number" ||
      typeof value.prompt_eval_count === "number";
    if (value.done === true && counted) {
      usage = emptyUsage(null, false);
      usage.input_tokens = count(value.prompt_eval_count);
      usage.output_tokens = count(value.eval_count);
    }
  }

  const dialect: Dialect = {
    event(event: SseEvent) {
      if (event.data !== "[DONE]") read(parseEventJson(event.data, warn));
    },
    value: read,
    text: (text) => !scanLine(text),
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
  return createDriver(bodyKindFor(facts, response), dialect, warn);
}

function bodyKindFor(facts: RequestFacts, response: ParseResponse): BodyKind {
  const type = response.contentType?.toLowerCase() ?? "";
  if (type.includes("ndjson")) return "ndjson";
  const announced = bodyKindOf(response.contentType);
  if (announced) return announced;
  // Unlabelled: Ollama streams unless the request said `"stream": false`.
  return facts.field("stream") === false ? "json" : "ndjson";
}
