// Cursor (`*.cursor.sh`): Connect RPC streams of protobuf (or Connect JSON) messages. Only the agent
// protocol reports usage, in turn_ended: the per-turn total of the whole run (RE;
// provider-formats.md §6), so the last one wins, and token_delta is a UI counter, never summed.
// Everything else is estimated from payload sizes at ~4 bytes per token.

import type { ParseRequest, ParseResponse, ParseResult, Usage, UsageParser } from "../types.ts";
import {
  createErrorStatusParser,
  createWarn,
  emptyUsage,
  errorMessage,
  isErrorStatus,
  type ParserOptions,
} from "./_shared.ts";
import { createConnectDecoder } from "./connect.ts";
import {
  readCursorRequest,
  readEndStreamError,
  readJsonTurnEnded,
  readProtoTurnEnded,
} from "./cursor_messages.ts";
import { concat } from "./json_body.ts";

const USAGE_RPC_REGEXP = new RegExp(
  "/(?:StreamUnifiedChat|StreamChat|StreamComposer)[^/]*$|" +
    "/agent\\.v1\\.AgentService/Run$|/aiserver\\.v1\\.AiService/RunSSE$",
);
// Only these speak the agent protocol; legacy chat messages have other fields at the same numbers.
const AGENT_RPC_REGEXP = /\/agent\.v1\.AgentService\/Run$|\/aiserver\.v1\.AiService\/RunSSE$/;
const BYTES_PER_TOKEN = 4;
const MAX_UNARY_BYTES = 16 * 1024 * 1024;

/**
 * Returns true when a Cursor path is an RPC that spends model tokens (chat, composer and agent
 * runs); model lists, telemetry, tab completion (StreamCpp) and BidiAppend uploads are not.
 */
export function isCursorUsageRpc(path: string): boolean {
  return USAGE_RPC_REGEXP.test(path);
}

/**
 * Creates a parser for a Cursor RPC response: exact usage from an agent turn_ended, otherwise an
 * estimate from the request and response payload sizes.
 *
 * @example
 * ```ts
 * const parser = createCursorParser(
 *   { provider: "cursor", path: "/agent.v1.AgentService/Run", query: "", body },
 *   { status: 200, contentType: "application/connect+proto" },
 * );
 * parser.feed(chunk);
 * const { usage } = parser.finish({ aborted: false }); // turn_ended counts, estimated: false
 * ```
 */
export function createCursorParser(
  request: ParseRequest,
  response: ParseResponse,
  options?: ParserOptions,
): UsageParser {
  if (isErrorStatus(response.status)) return createErrorStatusParser(response.contentType);
  const warn = createWarn(options);
  // Usage RPCs stream, so an unlabelled body is read as a Connect stream of protobuf.
  const type = response.contentType?.toLowerCase() ?? "application/connect+proto";
  const json = type.includes("json");
  const framed = type.includes("connect");
  const opaque = !framed && !json && !type.includes("proto");
  const agent = AGENT_RPC_REGEXP.test(request.path);
  const decoder = new TextDecoder();
  let payloadBytes = 0;
  let turn: Usage | null = null;
  let failed = false;
  let broken = false;
  let unary: Uint8Array[] = [];
  let unaryBytes = 0;

  function readMessage(payload: Uint8Array): void {
    payloadBytes += payload.length;
    if (!agent) return;
    const found = json
      ? readJsonTurnEnded(decoder.decode(payload), warn)
      : readProtoTurnEnded(payload, warn);
    if (found) turn = found;
  }

  function readEndStream(payload: Uint8Array): void {
    const error = readEndStreamError(decoder.decode(payload), warn);
    if (error === undefined) return;
    // Connect reports a failed RPC here, under HTTP status 200.
    failed = true;
    warn("upstream-error", errorMessage(error));
  }

  const envelope = framed
    ? createConnectDecoder({
      onMessage: readMessage,
      onEndStream: readEndStream,
      onWarning: (w) => warn(w.code, w.detail),
    })
    : null;

  function feed(chunk: Uint8Array): void {
    if (broken) return;
    try {
      if (envelope) envelope.feed(chunk);
      else if (opaque) payloadBytes += chunk.length;
      else {
        unaryBytes += chunk.length;
        // Copied because a caller may reuse its buffer once feed() returns.
        if (unaryBytes <= MAX_UNARY_BYTES) unary.push(chunk.slice());
        else unary = [];
      }
    } catch (error) {
      broken = true;
      warn("parser-error", `Parsing stopped: ${error instanceof Error ? error.message : error}`);
    }
  }

  function finish(end: { aborted: boolean }): ParseResult {
    let truncated = false;
    if (envelope) {
      const summary = envelope.flush();
      truncated = summary.truncated;
      payloadBytes += summary.skippedBytes;
    } else if (!opaque && unaryBytes > MAX_UNARY_BYTES) {
      payloadBytes += unaryBytes;
    } else if (!opaque) {
      readMessage(concat(unary, unaryBytes));
    }
    const streamed = framed || type.includes("text/event-stream");
    const sent = readCursorRequest(request.body);
    if (turn && !failed) return { usage: { ...turn, model: sent.model }, streamed };
    const reason = failed ? "upstream error" : end.aborted || truncated ? "aborted" : "no usage";
    if (turn) return { usage: { ...turn, model: sent.model, estimated: true }, streamed, reason };
    const usage = emptyUsage(sent.model, true);
    usage.input_tokens = Math.ceil(sent.bytes / BYTES_PER_TOKEN);
    usage.output_tokens = Math.ceil(payloadBytes / BYTES_PER_TOKEN);
    return { usage, streamed, reason };
  }

  return { feed, finish };
}
