// The last resort for a custom host whose API shape is unknown: input estimated from the request's
// prompt-bearing fields, output from the text of the response. JSON, SSE and NDJSON bodies count
// their string values (keys and metadata such as ids and roles excluded); any other body counts
// ~4 bytes per token. Always `estimated: true`.

import type { ParseRequest, ParseResponse, UsageParser } from "../types.ts";
import { type BodyKind, bodyKindOf, createDriver, type Dialect } from "./_driver.ts";
import {
  createErrorStatusParser,
  createWarn,
  errorMessage,
  estimatedResult,
  isErrorStatus,
  isRecord,
  type ParserOptions,
  RequestFacts,
} from "./_shared.ts";
import type { SseEvent } from "./sse.ts";
import { TokenTally } from "./token_tally.ts";

const BYTES_PER_TOKEN = 4;
const MAX_NODES = 1_000_000;
// String values that describe a response rather than say something.
const METADATA_KEYS = new Set([
  "id",
  "object",
  "model",
  "type",
  "role",
  "status",
  "finish_reason",
  "stop_reason",
  "done_reason",
  "system_fingerprint",
  "created_at",
  "error",
]);
const REASONING_KEYS = new Set(["reasoning", "reasoning_content", "thinking"]);

/**
 * Creates a parser that estimates the usage of a response in an unknown format.
 *
 * @example
 * ```ts
 * const parser = createEstimatingParser(
 *   { provider: "custom", path: "/llm/invoke", query: "", body },
 *   { status: 200, contentType: "application/json" },
 * );
 * parser.feed(new TextEncoder().encode('{"answer":"Hello there"}'));
 * parser.finish({ aborted: false }).usage; // { output_tokens: 2, estimated: true, … }
 * ```
 */
export function createEstimatingParser(
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
  let failed = false;

  function read(value: unknown): void {
    if (isRecord(value)) {
      if (typeof value.model === "string" && value.model) model = value.model;
      if (value.error !== undefined && value.error !== null) {
        failed = true;
        warn("upstream-error", errorMessage(value.error));
      }
    }
    tallyStrings(value, output, reasoning);
  }

  // Text that is not JSON after all: a guess of ~4 bytes per token beats counting nothing.
  function readText(text: string): void {
    output.addTokens(Math.ceil(text.length / BYTES_PER_TOKEN));
  }

  const dialect: Dialect = {
    event(event: SseEvent) {
      if (event.data === "[DONE]") return;
      let value: unknown;
      try {
        value = JSON.parse(event.data);
      } catch {
        return readText(event.data); // plain-text SSE data is the text itself
      }
      read(value);
    },
    value: read,
    partial: readText,
    result(aborted: boolean) {
      const name = model ?? facts.model();
      return estimatedResult(name, { input: facts.inputTokens(), output, reasoning }, {
        failed,
        aborted,
      });
    },
  };
  const kind = bodyKindFor(response.contentType);
  if (kind) return createDriver(kind, dialect, warn);

  let bytes = 0;
  return {
    feed(chunk) {
      bytes += chunk.length;
    },
    finish({ aborted }) {
      output.addTokens(Math.ceil(bytes / BYTES_PER_TOKEN));
      return { ...dialect.result(aborted), streamed: false };
    },
  };
}

function bodyKindFor(contentType: string | null): BodyKind | null {
  const type = contentType?.toLowerCase() ?? "";
  return type.includes("ndjson") || type.includes("jsonl") ? "ndjson" : bodyKindOf(contentType);
}

// Counts the string values of a JSON value, skipping metadata; reasoning keys count twice.
function tallyStrings(root: unknown, output: TokenTally, reasoning: TokenTally): void {
  const stack: [unknown, boolean][] = [[root, false]];
  let nodes = 0;
  while (stack.length > 0 && nodes++ < MAX_NODES) {
    const [item, thinking] = stack.pop()!;
    if (typeof item === "string") {
      output.addTokens(0); // separate values never join into one word
      output.add(item);
      if (thinking) {
        reasoning.addTokens(0);
        reasoning.add(item);
      }
    } else if (Array.isArray(item)) {
      for (let i = item.length - 1; i >= 0; i--) stack.push([item[i], thinking]);
    } else if (isRecord(item)) {
      for (const key of Object.keys(item)) {
        if (!METADATA_KEYS.has(key)) stack.push([item[key], thinking || REASONING_KEYS.has(key)]);
      }
    }
  }
}
