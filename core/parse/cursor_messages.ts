// What Lumen reads out of Cursor's messages, by the reverse-engineered agent schema (RE;
// provider-formats.md §6; field numbers drift between releases): AgentServerMessage
// .interaction_update(1).turn_ended(14) = TurnEndedUpdate{input_tokens=1, output_tokens=2,
// cache_read_tokens=3, cache_write_tokens=4, reasoning_tokens=5}, in protobuf or Connect JSON,
// and the size and model of the request.

import type { Usage } from "../types.ts";
import { count, emptyUsage, isRecord, type Warn } from "./_shared.ts";
import { createConnectDecoder } from "./connect.ts";
import { findProtoBytes, readProtoFields } from "./protobuf.ts";

const INTERACTION_UPDATE = 1;
const TURN_ENDED = 14;
// TurnEndedUpdate's fields in field-number order, as Connect JSON names them (either casing).
const TURN_FIELDS = [
  ["inputTokens", "input_tokens"],
  ["outputTokens", "output_tokens"],
  ["cacheReadTokens", "cache_read_tokens"],
  ["cacheWriteTokens", "cache_write_tokens"],
  ["reasoningTokens", "reasoning_tokens"],
] as const;
const TURN_ENDED_REGEXP = /turnEnded|turn_ended/;

/** Returns the usage of a protobuf AgentServerMessage's turn_ended, or null when it has none. */
export function readProtoTurnEnded(payload: Uint8Array, warn: Warn): Usage | null {
  const ended = findProtoBytes(payload, [INTERACTION_UPDATE, TURN_ENDED]);
  if (ended === undefined) {
    warn("bad-protobuf", `Skipped a server message that is not protobuf (${payload.length} B)`);
    return null;
  }
  const fields = ended && readProtoFields(ended);
  if (!fields) return null;
  const counts = [0, 0, 0, 0, 0];
  for (const f of fields) {
    if (f.wireType === 0 && f.field <= counts.length) counts[f.field - 1] = count(f.value);
  }
  return turnUsage(counts);
}

/** Returns the usage of a Connect JSON AgentServerMessage's turnEnded, or null when it has none. */
export function readJsonTurnEnded(text: string, warn: Warn): Usage | null {
  if (!TURN_ENDED_REGEXP.test(text)) return null; // most messages are deltas: skip the parse
  const update = pick(parseJson(text, warn), "interactionUpdate", "interaction_update");
  const ended = pick(update, "turnEnded", "turn_ended");
  if (!isRecord(ended)) return null;
  return turnUsage(TURN_FIELDS.map(([camel, snake]) => jsonCount(pick(ended, camel, snake))));
}

/** Returns the error of a Connect end-stream message, or undefined when the RPC succeeded. */
export function readEndStreamError(text: string, warn: Warn): unknown {
  const end = parseJson(text, warn);
  return isRecord(end) && end.error !== null ? end.error : undefined;
}

/** What the estimate needs from a request body: its message bytes and its model, if JSON. */
export interface CursorRequest {
  bytes: number;
  model: string | null;
}

/** Reads a request body: a streaming request is enveloped (stripped here), a unary one is not. */
export function readCursorRequest(body: Uint8Array): CursorRequest {
  const messages: Uint8Array[] = [];
  let bytes = 0;
  const decoder = createConnectDecoder({
    onMessage(payload) {
      bytes += payload.length;
      if (messages.length === 0) messages.push(payload.slice());
    },
    onEndStream() {},
  });
  decoder.feed(body);
  const summary = decoder.flush();
  if (messages.length === 0 || summary.truncated || summary.skippedBytes > 0) {
    return { bytes: body.length, model: requestModel(body) };
  }
  return { bytes, model: requestModel(messages[0]) };
}

// The model of a Connect JSON request; protobuf requests are not searched (their schema drifts).
function requestModel(json: Uint8Array): string | null {
  if (json[0] !== 0x7b) return null;
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(json));
  } catch {
    return null; // Not JSON after all: the model stays unknown.
  }
  if (!isRecord(value)) return null;
  for (const key of ["model", "modelName", "requested_model"]) {
    const name = value[key];
    if (typeof name === "string" && name) return name;
    const nested = pick(name, "modelName", "model_name");
    if (typeof nested === "string" && nested) return nested;
  }
  return null;
}

function turnUsage([input, output, cacheRead, cacheWrite, reasoning]: number[]): Usage {
  const usage = emptyUsage(null, false);
  usage.input_tokens = input;
  usage.output_tokens = output;
  usage.cache_read_tokens = cacheRead;
  usage.cache_write_tokens = cacheWrite;
  usage.reasoning_tokens = Math.min(reasoning, output);
  return usage;
}

function parseJson(text: string, warn: Warn): unknown {
  try {
    return JSON.parse(text);
  } catch {
    warn("bad-json", `Skipped a Connect message that is not JSON (${text.length} chars)`);
    return undefined;
  }
}

function pick(value: unknown, name: string, alias: string): unknown {
  return isRecord(value) ? value[name] ?? value[alias] : undefined;
}

// Connect JSON writes 64-bit integers as strings (the protobuf JSON mapping).
function jsonCount(value: unknown): number {
  return count(typeof value === "string" && /^\d+$/.test(value) ? Number(value) : value);
}
