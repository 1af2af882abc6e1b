// Incremental newline-delimited JSON reader (application/x-ndjson, as Ollama streams): one JSON
// value per line, each parsed once, when its line is complete. Splits on the byte 0x0A, which
// never occurs inside a UTF-8 multi-byte sequence, so chunk boundaries cannot corrupt text.

import { concat } from "./json_body.ts";

/** A problem the reader reports instead of throwing. */
export interface NdjsonWarning {
  code: "buffer-overflow" | "bad-json";
  detail: string;
}

/** Callbacks and limits for {@linkcode createNdjsonReader}. */
export interface NdjsonReaderOptions {
  /** Called with each line's value. */
  onValue(value: unknown): void;
  /** Sees each line's text first; returning true means it was read that way and is not parsed. */
  onLine?(text: string): boolean;
  /** Called with the text of a line that is not JSON (e.g. cut short), after a warning. */
  onBadLine?(text: string): void;
  /** Called instead of throwing; after "buffer-overflow" the reader ignores all further input. */
  onWarning?(warning: NdjsonWarning): void;
  /** Longest line held, in bytes. Default 16 MiB. */
  maxLineBytes?: number;
}

/** The feed/flush pair returned by {@linkcode createNdjsonReader}. */
export interface NdjsonReader {
  feed(chunk: Uint8Array): void;
  /** Ends the stream: reads a last line that lacks its newline. */
  flush(): void;
}

const DEFAULT_MAX_LINE_BYTES = 16 * 1024 * 1024;
const LF = 0x0a;

/**
 * Creates a reader that emits the value of each NDJSON line as soon as the line is complete.
 *
 * @example
 * ```ts
 * const reader = createNdjsonReader({ onValue: (v) => console.log(v) });
 * reader.feed(new TextEncoder().encode('{"done":false}\n{"do'));
 * reader.feed(new TextEncoder().encode('ne":true}\n')); // logs { done: false }, { done: true }
 * reader.flush();
 * ```
 */
export function createNdjsonReader(options: NdjsonReaderOptions): NdjsonReader {
  const max = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  const decoder = new TextDecoder();
  let parts: Uint8Array[] = [];
  let size = 0;
  let stopped = false;

  function emit(bytes: Uint8Array): void {
    const text = decoder.decode(bytes);
    if (text.trim() === "" || options.onLine?.(text)) return;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      options.onWarning?.({ code: "bad-json", detail: `Cannot parse an NDJSON line: ${reason}` });
      options.onBadLine?.(text);
      return;
    }
    options.onValue(value);
  }

  function take(tail: Uint8Array): Uint8Array | null {
    if (size + tail.length > max) {
      stopped = true;
      parts = [];
      size = 0;
      options.onWarning?.({
        code: "buffer-overflow",
        detail: `An NDJSON line exceeds ${max} bytes; reading stopped`,
      });
      return null;
    }
    if (parts.length === 0) return tail;
    parts.push(tail);
    const line = concat(parts, size + tail.length);
    parts = [];
    size = 0;
    return line;
  }

  function feed(chunk: Uint8Array): void {
    let start = 0;
    while (!stopped) {
      const end = chunk.indexOf(LF, start);
      if (end < 0) break;
      const line = take(chunk.subarray(start, end));
      if (line) emit(line);
      start = end + 1;
    }
    if (stopped || start >= chunk.length) return;
    const rest = chunk.subarray(start);
    if (size + rest.length > max) return void take(rest);
    parts.push(rest.slice()); // copied: the caller may reuse its buffer
    size += rest.length;
  }

  function flush(): void {
    if (stopped || size === 0) return;
    const line = concat(parts, size);
    parts = [];
    size = 0;
    emit(line);
  }

  return { feed, flush };
}
