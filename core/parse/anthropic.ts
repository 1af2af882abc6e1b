// Anthropic Messages (`POST /v1/messages`, often `?beta=true`): a compact JSON Message, or SSE
// from message_start through message_delta to message_stop. message_delta usage is cumulative:
// start from message_start's usage and overwrite each non-null field, never add.

import type { ParseRequest, ParseResponse, Usage, UsageParser } from "../types.ts";
import { bodyKindOf, createDriver, type Dialect } from "./_driver.ts";
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
import type { SseEvent } from "./sse.ts";

/**
 * Normalizes an Anthropic `usage` object: `input_tokens` already excludes cache reads and writes,
 * the 1-hour part of the cache writes is kept apart for pricing, and
 * `server_tool_use.web_search_requests` becomes `web_search_requests`.
 *
 * @example
 * ```ts
 * normalizeAnthropicUsage({ input_tokens: 9, cache_creation_input_tokens: 1536,
 *   cache_creation: { ephemeral_5m_input_tokens: 512, ephemeral_1h_input_tokens: 1024 },
 *   output_tokens: 148 }, "claude-haiku-4-5");
 * // { input_tokens: 9, cache_write_tokens: 1536, cache_write_1h_tokens: 1024, … }
 * ```
 */
export function normalizeAnthropicUsage(raw: Record<string, unknown>, model: string | null): Usage {
  const creation = isRecord(raw.cache_creation) ? raw.cache_creation : {};
  const details = isRecord(raw.output_tokens_details) ? raw.output_tokens_details : {};
  const usage = emptyUsage(model, false);
  usage.input_tokens = count(raw.input_tokens);
  usage.cache_read_tokens = count(raw.cache_read_input_tokens);
  usage.cache_write_tokens = typeof raw.cache_creation_input_tokens === "number"
    ? count(raw.cache_creation_input_tokens)
    : count(creation.ephemeral_5m_input_tokens) + count(creation.ephemeral_1h_input_tokens);
  usage.cache_write_1h_tokens = Math.min(
    count(creation.ephemeral_1h_input_tokens),
    usage.cache_write_tokens,
  );
  usage.output_tokens = count(raw.output_tokens);
  usage.reasoning_tokens = Math.min(count(details.thinking_tokens), usage.output_tokens);
  // Web searches are billed per request on top of the tokens; like every usage field the count
  // is cumulative, so message_delta's figure replaces message_start's.
  const tools = isRecord(raw.server_tool_use) ? raw.server_tool_use : {};
  const searches = count(tools.web_search_requests);
  if (searches > 0) usage.web_search_requests = searches;
  return usage;
}

/**
 * Creates a parser for a Messages response; a stream that ends before message_delta keeps the
 * exact input and cache counts of message_start and estimates the output.
 *
 * @example
 * ```ts
 * const parser = createAnthropicParser(request, { status: 200, contentType: "text/event-stream" });
 * parser.feed(chunk);
 * const { usage } = parser.finish({ aborted: false });
 * ```
 */
export function createAnthropicParser(
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
  let raw: Record<string, unknown> | null = null;
  let final = false; // message_delta (or a whole Message) gave the closing usage
  let failed = false;
  // A delta event carries one text field; text deltas come first because they are the most common.
  const scanDelta = createJsonScanner(
    { text: [output], thinking: [output, reasoning], partial_json: [output] },
    [],
    { firstOnly: true },
  );
  const scanPartial = createJsonScanner({ text: [output], thinking: [output, reasoning] });

  function overlay(fields: Record<string, unknown>): void {
    raw ??= {};
    for (const key of Object.keys(fields)) {
      if (fields[key] !== null && fields[key] !== undefined) raw[key] = fields[key];
    }
  }

  function readMessage(message: Record<string, unknown>, whole: boolean): void {
    if (typeof message.model === "string" && message.model) model = message.model;
    if (isRecord(message.usage)) {
      raw = { ...message.usage };
      final = whole;
    }
  }

  function tallyBlock(block: Record<string, unknown>): void {
    if (typeof block.text === "string") output.add(block.text);
    if (typeof block.partial_json === "string") output.add(block.partial_json);
    if (typeof block.thinking === "string") {
      output.add(block.thinking);
      reasoning.add(block.thinking);
    }
    if (block.type === "tool_use" && block.input !== undefined) {
      output.add(JSON.stringify(block.input) ?? "");
    }
  }

  function readEvent(type: string, event: Record<string, unknown>): void {
    if (type === "message_start" && isRecord(event.message)) readMessage(event.message, false);
    else if (type === "message_delta" && isRecord(event.usage)) {
      overlay(event.usage);
      final = true;
    } else if (type === "content_block_delta" && isRecord(event.delta)) tallyBlock(event.delta);
    else if (type === "error") {
      // After a mid-stream error the stream ends without message_delta.
      failed = true;
      warn("upstream-error", errorMessage(event.error));
    }
  }

  const parse = (data: string) => parseEventJson(data, warn);

  const dialect: Dialect = {
    event(event: SseEvent) {
      const type = event.event;
      if (type === "content_block_delta") {
        // Hot path: the bulk of a stream; count the delta text without parsing the event.
        scanDelta(event.data);
        return;
      }
      // ping, content_block_start/stop, message_stop and unknown events carry no usage.
      const known = type === "message_start" || type === "message_delta" || type === "error";
      if (!known && type !== undefined && type !== "message") return;
      const parsed = parse(event.data);
      if (isRecord(parsed) && typeof parsed.type === "string") readEvent(parsed.type, parsed);
    },
    value(value: unknown) {
      if (!isRecord(value)) return;
      if (value.type === "error") {
        failed = true;
        warn("upstream-error", errorMessage(value.error));
        return;
      }
      readMessage(value, true);
      if (!Array.isArray(value.content)) return;
      for (const block of value.content) if (isRecord(block)) tallyBlock(block);
    },
    partial(text: string) {
      scanPartial(text);
    },
    result(aborted: boolean) {
      const name = model ?? facts.model();
      if (raw && final) return { usage: normalizeAnthropicUsage(raw, name) };
      const reason = failed ? "upstream error" : aborted ? "aborted" : "no usage";
      if (raw) {
        // message_start's input and cache counts are exact; its output_tokens is a placeholder.
        const usage = normalizeAnthropicUsage(raw, name);
        usage.output_tokens = Math.max(usage.output_tokens, output.tokens());
        usage.reasoning_tokens = Math.min(
          Math.max(usage.reasoning_tokens, reasoning.tokens()),
          usage.output_tokens,
        );
        usage.estimated = true;
        return { usage, reason };
      }
      const usage = emptyUsage(name, true);
      usage.input_tokens = facts.inputTokens();
      usage.output_tokens = output.tokens();
      usage.reasoning_tokens = Math.min(reasoning.tokens(), usage.output_tokens);
      return { usage, reason };
    },
  };
  return createDriver(bodyKindOf(response.contentType), dialect, warn);
}
