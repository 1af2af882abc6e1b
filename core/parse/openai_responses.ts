// OpenAI Responses API: a JSON Response object, or SSE whose `event:` names the type and whose
// usage lives only in `response.usage` of the terminal event (completed, incomplete or failed).
// Request echoes (`tools` schemas) and `tool_usage` are never read as usage.

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
import { normalizeResponsesUsage } from "./openai_usage.ts";
import type { SseEvent } from "./sse.ts";

const TERMINAL = new Set(["response.completed", "response.incomplete", "response.failed"]);

/**
 * Creates a parser for a Responses API response; without terminal usage it estimates.
 *
 * @example
 * ```ts
 * const response = { status: 200, contentType: "text/event-stream" };
 * const parser = createOpenAiResponsesParser(request, response);
 * parser.feed(chunk);
 * const { usage } = parser.finish({ aborted: false });
 * ```
 */
export function createOpenAiResponsesParser(
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
  const scanDelta = createJsonScanner({ delta: [output] });
  const scanReasoningDelta = createJsonScanner({ delta: [output, reasoning] });
  const scanPartial = createJsonScanner({ text: [output], arguments: [output] });

  function readResponse(body: Record<string, unknown>, terminal: boolean): void {
    if (typeof body.model === "string" && body.model) model = body.model;
    if (terminal && isRecord(body.usage)) {
      usage = normalizeResponsesUsage(body.usage, null);
      // Each web_search_call item is one billed search; the terminal Response lists them all
      // (streamed or not), unlike `tool_usage.web_search`, which is not part of the usage.
      const searches = Array.isArray(body.output)
        ? body.output.filter((item) => isRecord(item) && item.type === "web_search_call").length
        : 0;
      if (searches > 0) usage.web_search_requests = searches;
    }
    if (body.status === "failed" || (body.error !== undefined && body.error !== null)) {
      failed = true;
      warn("upstream-error", errorMessage(body.error));
    }
  }

  function readEvent(type: string, event: Record<string, unknown>): void {
    if (type === "error") {
      // Both shapes exist: the SDK's flat {code, message} and the captured nested {error: {…}}.
      failed = true;
      warn("upstream-error", errorMessage(isRecord(event.error) ? event.error : event));
    } else if (isRecord(event.response)) {
      readResponse(event.response, TERMINAL.has(type));
    }
  }

  function tallyDelta(type: string, delta: string): void {
    output.add(delta);
    if (type.includes("reasoning")) reasoning.add(delta);
  }

  // Counts the generated text of a non-streamed Response's output items.
  function tallyOutput(items: unknown): void {
    if (!Array.isArray(items)) return;
    for (const item of items) {
      if (!isRecord(item)) continue;
      const thinking = item.type === "reasoning";
      const parts = [
        ...(Array.isArray(item.content) ? item.content : []),
        ...(Array.isArray(item.summary) ? item.summary : []),
      ];
      for (const part of parts) {
        if (!isRecord(part)) continue;
        const text = part.text ?? part.refusal;
        if (typeof text === "string") tallyDelta(thinking ? "reasoning" : "", text);
      }
      const args = item.arguments ?? item.input;
      if (typeof args === "string") output.add(args);
    }
  }

  const parse = (data: string) => parseEventJson(data, warn);

  const dialect: Dialect = {
    event(event: SseEvent) {
      let type = event.event;
      let parsed: unknown;
      if (type === undefined || type === "message") {
        parsed = parse(event.data);
        if (!isRecord(parsed) || typeof parsed.type !== "string") return;
        type = parsed.type;
      }
      if (type.endsWith(".delta")) {
        if (type === "response.audio.delta") return; // base64 audio, not text
        if (isRecord(parsed)) {
          if (typeof parsed.delta === "string") tallyDelta(type, parsed.delta);
          return;
        }
        // Hot path: count the delta text without parsing the event.
        (type.includes("reasoning") ? scanReasoningDelta : scanDelta)(event.data);
        return;
      }
      const wanted = type === "error" || TERMINAL.has(type) ||
        (model === null && type.startsWith("response."));
      if (!wanted) return;
      parsed ??= parse(event.data);
      if (isRecord(parsed)) readEvent(type, parsed);
    },
    value(value: unknown) {
      if (!isRecord(value)) return;
      // A whole Response object: its top-level usage is final unless the response is in progress.
      readResponse(value, value.status !== "in_progress" && value.status !== "queued");
      tallyOutput(value.output);
    },
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
