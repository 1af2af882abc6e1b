// Exact usage for OpenAI-style streams whose client did not ask for it: the upstream request gets
// `stream_options.include_usage: true`, and the response filter undoes what that option adds, so
// the client receives the stream it asked for. Both functions are pure and never throw.
// What the option adds: openai-node src/resources/chat/completions/completions.ts:1874-1895.
import { Buffer } from "node:buffer";
import { removeNullMember } from "./json_member.ts";

/** Request bodies above this size are forwarded untouched rather than parsed. */
const MAX_REQUEST_BYTES = 64 * 1024 * 1024;
/** An incomplete event held longer than this turns the filter into a pass-through. */
const DEFAULT_MAX_EVENT_BYTES = 1024 * 1024;

const INSERTED_OPTION = new TextEncoder().encode('"stream_options":{"include_usage":true},');
const EMPTY = new Uint8Array(0);
const LF = 0x0a;
const CR = 0x0d;
// Fatal so that bytes which are not UTF-8 are never rewritten through U+FFFD; ignoreBOM keeps a
// decoded event the exact image of its bytes.
const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const DATA = new TextEncoder().encode("data");

/**
 * Returns the request body with `stream_options.include_usage: true` added, or null when the body
 * should be sent as is: not a JSON object, not `"stream": true`, `include_usage` already set
 * (an explicit false is respected) or `stream_options` not an object.
 *
 * @example
 * ```ts
 * const body = new TextEncoder().encode('{"model":"gpt-5-mini","stream":true}');
 * addStreamUsageOption(body); // '{"stream_options":{"include_usage":true},"model":"gpt-5-mini","stream":true}'
 * ```
 */
export function addStreamUsageOption(body: Uint8Array): Uint8Array | null {
  if (body.length > MAX_REQUEST_BYTES) return null;
  let request: unknown;
  try {
    // The default decoder drops a leading BOM, which JSON.parse would reject.
    request = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(body));
  } catch {
    return null; // not UTF-8 JSON: the upstream will answer it, Lumen has nothing to add
  }
  if (!isRecord(request) || request.stream !== true) return null;
  const options = request.stream_options;
  if (options === undefined) {
    // Splice the member in right after "{" so the client's own bytes stay as they were. The
    // object holds at least "stream", so a comma always follows.
    const brace = body.indexOf(0x7b);
    return Buffer.concat([body.subarray(0, brace + 1), INSERTED_OPTION, body.subarray(brace + 1)]);
  }
  if (!isRecord(options) || Object.hasOwn(options, "include_usage")) return null;
  options.include_usage = true;
  return new TextEncoder().encode(JSON.stringify(request));
}

/** The incremental response filter returned by {@linkcode createUsageChunkFilter}. */
export interface UsageChunkFilter {
  /** Returns the bytes to forward: every event `chunk` completes, filtered. May alias `chunk`. */
  push(chunk: Uint8Array): Uint8Array;
  /** Returns the held bytes of an unfinished last event, unchanged. */
  end(): Uint8Array;
}

/** Limits for {@linkcode createUsageChunkFilter}. */
export interface UsageChunkFilterOptions {
  /** Longest incomplete event held before filtering stops. Default 1 MiB. */
  maxEventBytes?: number;
}

/**
 * Creates an SSE filter that drops the usage-only chunk and each chunk's `"usage":null` member
 * from an uncompressed chat-completion stream, leaving every other byte as it arrived.
 *
 * @example
 * ```ts
 * const filter = createUsageChunkFilter();
 * const out = filter.push(new TextEncoder().encode('data: {"choices":[],"usage":null}\n\n'));
 * // out: 'data: {"choices":[]}\n\n'
 * ```
 */
export function createUsageChunkFilter(options: UsageChunkFilterOptions = {}): UsageChunkFilter {
  const maxEventBytes = options.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES;
  let held: Uint8Array[] = [];
  let heldBytes = 0;
  // Line-ending state of the bytes scanned so far (WHATWG HTML §9.2.6: CRLF, LF or CR end a line).
  let atLineStart = true;
  let afterCr = false;
  let droppedLast = false;
  let passThrough = false;

  function push(chunk: Uint8Array): Uint8Array {
    if (passThrough) return chunk;
    const out: Uint8Array[] = [];
    let start = 0;
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i];
      if (byte !== LF && byte !== CR) {
        atLineStart = afterCr = false;
        continue;
      }
      if (byte === LF && afterCr) {
        afterCr = false;
        // The LF of a CRLF whose CR ended the previous event in the previous chunk: it shares
        // that event's fate, so the output does not depend on where the chunks were cut.
        if (i === start && heldBytes === 0) {
          if (!droppedLast) out.push(chunk.subarray(i, i + 1));
          start = i + 1;
        }
        continue;
      }
      afterCr = byte === CR;
      if (!atLineStart) {
        atLineStart = true;
        continue;
      }
      // A blank line: the event is complete. Keep a CRLF's LF with it when it has arrived.
      if (afterCr && chunk[i + 1] === LF) {
        afterCr = false;
        i++;
      }
      const filtered = filterEvent(take(chunk.subarray(start, i + 1)));
      droppedLast = filtered.length === 0;
      out.push(filtered);
      start = i + 1;
    }
    if (start < chunk.length) {
      // Copied: the caller may reuse its buffer once push() returns.
      held.push(chunk.slice(start));
      heldBytes += chunk.length - start;
      if (heldBytes > maxEventBytes) {
        passThrough = true;
        out.push(take(EMPTY));
      }
    }
    return out.length === 1 ? out[0] : Buffer.concat(out);
  }

  function take(rest: Uint8Array): Uint8Array {
    if (heldBytes === 0) return rest;
    const event = Buffer.concat([...held, rest]);
    held = [];
    heldBytes = 0;
    return event;
  }

  return { push, end: () => take(EMPTY) };
}

/** Returns the bytes to forward for one complete event. */
function filterEvent(event: Uint8Array): Uint8Array {
  const data = findDataValue(event);
  if (data === null) return event;
  let text: string;
  let payload: unknown;
  try {
    text = UTF8.decode(event.subarray(data.start, data.end));
    // Most events lack the key; skip JSON.parse for them.
    if (!text.includes('"usage"')) return event;
    payload = JSON.parse(text);
  } catch {
    return event; // not UTF-8 JSON, e.g. a truncated or binary event: forward it as it came
  }
  if (!isRecord(payload) || !Object.hasOwn(payload, "usage")) return event;
  if (isUsageOnlyChunk(payload)) return EMPTY;
  if (payload.usage !== null) return event;
  const stripped = removeNullMember(text, "usage");
  if (stripped === null) return event;
  return Buffer.concat([
    event.subarray(0, data.start),
    new TextEncoder().encode(stripped),
    event.subarray(data.end),
  ]);
}

/** The extra chunk include_usage appends: no choices, just the totals. */
function isUsageOnlyChunk(chunk: Record<string, unknown>): boolean {
  return Array.isArray(chunk.choices) && chunk.choices.length === 0 && isRecord(chunk.usage) &&
    (chunk.object === undefined || chunk.object === "chat.completion.chunk");
}

/** Returns the byte range of the value of the event's only `data` line, or null. */
function findDataValue(event: Uint8Array): { start: number; end: number } | null {
  let found: { start: number; end: number } | null = null;
  let lineStart = 0;
  while (lineStart < event.length) {
    let lineEnd = lineStart;
    while (lineEnd < event.length && event[lineEnd] !== LF && event[lineEnd] !== CR) lineEnd++;
    if (isDataLine(event, lineStart, lineEnd)) {
      // Several data lines are joined with "\n" by clients; rare enough to forward untouched.
      if (found !== null) return null;
      let start = lineStart + DATA.length + 1;
      if (event[start] === 0x20) start++; // the spec strips exactly one space after the colon
      found = { start: Math.min(start, lineEnd), end: lineEnd };
    }
    lineStart = lineEnd + (event[lineEnd] === CR && event[lineEnd + 1] === LF ? 2 : 1);
  }
  return found;
}

function isDataLine(event: Uint8Array, start: number, end: number): boolean {
  if (end - start < DATA.length) return false;
  for (let j = 0; j < DATA.length; j++) if (event[start + j] !== DATA[j]) return false;
  return end - start === DATA.length || event[start + DATA.length] === 0x3a;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
