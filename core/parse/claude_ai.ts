// claude.ai web app completions (provider-formats.md §7): SSE in rendering_mode "messages"
// (Messages-API-shaped events without usage) or legacy "raw" (`completion` events). No mode
// reports tokens, so usage is always estimated: output from the streamed text and thinking,
// input from the prompt and attachments, a large undercount since the server adds history and
// its system prompt. message_limit windows are the real subscription signal and are kept.

import type { ParseRequest, ParseResponse, PlanWindow, UsageParser } from "../types.ts";
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
} from "./_shared.ts";
import { estimateRequestValueTokens } from "./estimate.ts";
import { readPlanWindows } from "./plan_windows.ts";
import type { SseEvent } from "./sse.ts";
import { TokenTally } from "./token_tally.ts";

const COMPLETION_PATH_REGEXP =
  /^\/api\/organizations\/[^/]+\/chat_conversations\/[^/]+\/(?:retry_)?completion\/?$/;
// Events read by their JSON; every other named event (conversation_ready, content_block_start,
// message_delta, message_stop, ping, …) carries neither text, model nor limits.
const READ_EVENTS = new Set(["message_start", "completion", "message_limit", "error", "message"]);

/** Returns true for a claude.ai path that runs the model: a conversation's (retry_)completion. */
export function isClaudeAiCompletionPath(path: string): boolean {
  return COMPLETION_PATH_REGEXP.test(path);
}

/**
 * Creates a parser for a claude.ai completion stream; the usage is an estimate, and
 * `plan_windows` carries the latest message_limit windows, even from an aborted stream.
 *
 * @example
 * ```ts
 * const parser = createClaudeAiParser(
 *   { provider: "claude_ai", path: "/api/organizations/o/chat_conversations/c/completion",
 *     query: "", body },
 *   { status: 200, contentType: "text/event-stream; charset=utf-8" },
 * );
 * parser.feed(chunk);
 * const { usage, plan_windows } = parser.finish({ aborted: false }); // usage.estimated: true
 * ```
 */
export function createClaudeAiParser(
  request: ParseRequest,
  response: ParseResponse,
  options?: ParserOptions,
): UsageParser {
  if (isErrorStatus(response.status)) return createErrorStatusParser(response.contentType);
  const warn = createWarn(options);
  const output = new TokenTally();
  const reasoning = new TokenTally();
  const windows = new Map<string, PlanWindow>();
  let model: string | null = null; // message_start's, which outranks a completion event's
  let completionModel: string | null = null;
  let failed = false;
  const scanDelta = createJsonScanner(
    { text: [output], thinking: [output, reasoning], partial_json: [output] },
    [],
    { firstOnly: true },
  );

  function read(value: unknown): void {
    if (!isRecord(value)) return;
    // Older raw-mode events carry no `type`; their `completion` field names them.
    const type = value.type ?? (typeof value.completion === "string" ? "completion" : undefined);
    if (type === "message_start" && isRecord(value.message)) {
      if (typeof value.message.model === "string" && value.message.model) {
        model = value.message.model;
      }
    } else if (type === "content_block_delta" && isRecord(value.delta)) {
      const delta = value.delta;
      for (const key of ["text", "partial_json"]) {
        if (typeof delta[key] === "string") output.add(delta[key] as string);
      }
      if (typeof delta.thinking === "string") {
        output.add(delta.thinking);
        reasoning.add(delta.thinking);
      }
    } else if (type === "completion") {
      if (typeof value.completion === "string") output.add(value.completion);
      if (typeof value.model === "string" && value.model) completionModel = value.model;
      readPlanWindows(value.messageLimit, windows);
    } else if (type === "message_limit") {
      readPlanWindows(value.message_limit, windows);
    } else if (type === "error") {
      failed = true;
      warn("upstream-error", errorMessage(value.error));
    }
  }

  const dialect: Dialect = {
    event(event: SseEvent) {
      if (event.event === "content_block_delta") {
        // Hot path: the bulk of a stream; count the delta text without parsing the event.
        scanDelta(event.data);
        return;
      }
      if (event.event === undefined || READ_EVENTS.has(event.event)) {
        read(parseEventJson(event.data, warn));
      }
    },
    value: read,
    partial() {},
    result(aborted: boolean) {
      const sent = readPrompt(request.body);
      const name = model ?? completionModel ?? sent.model;
      const counts = { input: sent.tokens, output, reasoning };
      const { usage, reason } = estimatedResult(name, counts, { failed, aborted });
      if (windows.size === 0) return { usage, reason };
      return { usage, reason, plan_windows: Object.fromEntries(windows) };
    },
  };
  return createDriver(bodyKindOf(response.contentType), dialect, warn);
}

// Estimates the request's own text: the prompt plus the text the app extracted from attachments.
function readPrompt(body: Uint8Array): { tokens: number; model: string | null } {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(body));
  } catch {
    // Not JSON: fall back to ~4 bytes per token.
    return { tokens: Math.ceil(body.length / 4), model: null };
  }
  if (!isRecord(value)) return { tokens: 0, model: null };
  const prompt: Record<string, unknown> = { prompt: value.prompt ?? "" };
  const attachments = Array.isArray(value.attachments) ? value.attachments : [];
  const extracted = attachments.flatMap((a) =>
    isRecord(a) && typeof a.extracted_content === "string" ? [a.extracted_content] : []
  );
  if (extracted.length > 0) prompt.content = extracted;
  const model = typeof value.model === "string" && value.model ? value.model : null;
  return { tokens: estimateRequestValueTokens("claude_ai", prompt), model };
}
