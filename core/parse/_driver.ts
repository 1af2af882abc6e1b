// Runs one provider dialect over a response body: picks the framing (JSON, SSE, JSON-array or
// NDJSON stream), isolates dialect errors, and turns the dialect's verdict into a ParseResult.

import type { ParseResult, PlanWindow, Usage, UsageParser } from "../types.ts";
import { createJsonArrayStream } from "./json_array_stream.ts";
import { createJsonBodyReader } from "./json_body.ts";
import { createNdjsonReader } from "./ndjson.ts";
import { createSseDecoder, type SseEvent } from "./sse.ts";
import type { Warn } from "./_shared.ts";

/** How a response body is framed; "ndjson" is only ever chosen by a dialect, never announced. */
export type BodyKind = "json" | "sse" | "json-array" | "ndjson";

/** What a provider parser does with the pieces of a body. */
export interface Dialect {
  /** One SSE event. */
  event(event: SseEvent): void;
  /** A whole JSON body, or one element of a streamed JSON array or NDJSON line. */
  value(value: unknown): void;
  /** The text of a JSON body or line that did not parse (usually cut); used only for estimation. */
  partial(text: string): void;
  /**
   * An NDJSON line's or JSON-array element's text before it is parsed: true when the dialect read
   * it from the text, and it is not parsed.
   */
  text?(text: string): boolean;
  /** Builds the usage once the body ended; `reason` explains an estimate. */
  result(aborted: boolean): {
    usage: Usage;
    reason?: string;
    plan_windows?: Record<string, PlanWindow>;
  };
}

/** Returns the framing a content type announces, or null when the body must be sniffed. */
export function bodyKindOf(contentType: string | null): BodyKind | null {
  const type = contentType?.toLowerCase() ?? "";
  if (type.includes("text/event-stream")) return "sse";
  if (type.includes("json")) return "json";
  return null;
}

interface Reader {
  feed(chunk: Uint8Array): void;
  end(): void;
}

/** Returns a UsageParser that feeds `dialect` from a body of the given framing. */
export function createDriver(kind: BodyKind | null, dialect: Dialect, warn: Warn): UsageParser {
  let reader: Reader | null = kind ? createReader(kind, dialect, warn) : null;
  let streamed = kind !== null && kind !== "json";
  let broken = false;
  // Whether the whitespace skipped so far ends in spaces or tabs, which open the first line.
  let indented = false;

  function feed(chunk: Uint8Array): void {
    if (broken) return;
    try {
      if (!reader) {
        const sniffed = sniff(chunk);
        if (!sniffed) {
          // Only whitespace so far: line ends mean nothing in any framing, but an indent turns
          // an SSE body's first line into an unknown field, whichever chunk it arrived in.
          if (chunk.length > 0) {
            indented = chunk[chunk.length - 1] === 0x20 || chunk[chunk.length - 1] === 0x09;
          }
          return;
        }
        reader = createReader(sniffed, dialect, warn);
        streamed = sniffed !== "json";
        if (indented) reader.feed(INDENT);
      }
      reader.feed(chunk);
    } catch (error) {
      broken = true;
      warn("parser-error", `Parsing stopped: ${describe(error)}`);
    }
  }

  function finish(end: { aborted: boolean }): ParseResult {
    try {
      if (!broken) reader?.end();
    } catch (error) {
      warn("parser-error", `Parsing stopped: ${describe(error)}`);
    }
    try {
      return { ...dialect.result(end.aborted), streamed };
    } catch (error) {
      warn("parser-error", `Cannot build usage: ${describe(error)}`);
      return { usage: null, streamed, reason: "parser error" };
    }
  }

  return { feed, finish };
}

function createReader(kind: BodyKind, dialect: Dialect, warn: Warn): Reader {
  // A dialect bug on one event must not lose the rest of the stream.
  const guard = <T>(handle: (item: T) => void) => (item: T) => {
    try {
      handle(item);
    } catch (error) {
      warn("parser-error", `Skipped an unreadable ${kind} item: ${describe(error)}`);
    }
  };
  const onWarning = (w: { code: string; detail: string }) => warn(w.code, w.detail);
  if (kind === "sse") {
    const decoder = createSseDecoder({
      onEvent: guard((e: SseEvent) => dialect.event(e)),
      onWarning,
    });
    return { feed: decoder.feed, end: decoder.flush };
  }
  // A throw in the dialect's text reader hands the text to JSON.parse, as if it had not looked.
  const read = dialect.text?.bind(dialect);
  const onText = read && ((text: string) => {
    try {
      return read(text);
    } catch (error) {
      warn("parser-error", `Could not scan a ${kind} item: ${describe(error)}`);
      return false;
    }
  });
  if (kind === "ndjson") {
    const reader = createNdjsonReader({
      onValue: guard((v) => dialect.value(v)),
      onLine: onText,
      onBadLine: guard((t: string) => dialect.partial(t)),
      onWarning,
    });
    return { feed: reader.feed, end: reader.flush };
  }
  if (kind === "json-array") {
    const stream = createJsonArrayStream({
      onElement: guard((v) => dialect.value(v)),
      onText,
      onWarning,
    });
    return { feed: stream.feed, end: stream.flush };
  }
  const body = createJsonBodyReader({ onWarning });
  return {
    feed: body.feed,
    end() {
      const result = body.finish();
      if (result.ok) guard((v) => dialect.value(v))(result.value);
      else guard((t: string) => dialect.partial(t))(result.text);
    },
  };
}

const INDENT = Uint8Array.of(0x20);

function sniff(chunk: Uint8Array): BodyKind | null {
  for (const b of chunk) {
    if (b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09) continue;
    return b === 0x5b ? "json-array" : b === 0x7b ? "json" : "sse";
  }
  return null;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
