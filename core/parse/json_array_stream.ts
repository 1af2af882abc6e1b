// Incremental reader for a streamed JSON array, as Gemini's streamGenerateContent sends without
// alt=sse: `[{…}\n,\r\n{…}\n]`. A bracket-depth scanner (string- and escape-aware) finds where
// each top-level element ends, so an element is parsed once, when complete. Strings, nearly all of
// a model's answer, are crossed with indexOf rather than byte by byte.

import { concat } from "./json_body.ts";

/** A problem the reader reports instead of throwing. */
export interface JsonArrayWarning {
  code: "buffer-overflow" | "bad-json" | "not-json-array" | "truncated";
  detail: string;
}

/** Callbacks and limits for {@linkcode createJsonArrayStream}. */
export interface JsonArrayStreamOptions {
  /** Called with each top-level element, parsed. */
  onElement(value: unknown): void;
  /** Sees each element's text first; returning true means it was read that way and is not parsed. */
  onText?(text: string): boolean;
  onWarning?(warning: JsonArrayWarning): void;
  /** Largest element held, in bytes. Default 16 MiB; past it the reader stops. */
  maxElementBytes?: number;
}

/** The feed/flush pair returned by {@linkcode createJsonArrayStream}. */
export interface JsonArrayStream {
  feed(chunk: Uint8Array): void;
  /** Ends the stream; an unfinished element is reported as "truncated" and dropped. */
  flush(): void;
}

const DEFAULT_MAX_ELEMENT_BYTES = 16 * 1024 * 1024;
const BEFORE = 0; // before the opening "["
const BETWEEN = 1; // between elements
const ELEMENT = 2; // inside an element
const DONE = 3;

/** The bytes that matter inside an element outside strings: quote and brackets. */
const STRUCTURAL = new Uint8Array(256);
for (const b of [0x22, 0x5b, 0x5d, 0x7b, 0x7d]) STRUCTURAL[b] = 1;

/**
 * Creates a reader that emits each element of a JSON array as soon as its bytes are complete.
 *
 * @example
 * ```ts
 * const stream = createJsonArrayStream({ onElement: (v) => console.log(v) });
 * stream.feed(new TextEncoder().encode('[{"a":1}\n,\r\n{"a"'));
 * stream.feed(new TextEncoder().encode(':2}\n]')); // logs { a: 1 }, then { a: 2 }
 * stream.flush();
 * ```
 */
export function createJsonArrayStream(options: JsonArrayStreamOptions): JsonArrayStream {
  const max = options.maxElementBytes ?? DEFAULT_MAX_ELEMENT_BYTES;
  const warn = (code: JsonArrayWarning["code"], detail: string) =>
    options.onWarning?.({ code, detail });
  let state = BEFORE;
  let depth = 0;
  let inString = false;
  let escaped = false;
  let parts: Uint8Array[] = [];
  let partsSize = 0;
  const decoder = new TextDecoder();

  function emit(bytes: Uint8Array): void {
    const text = decoder.decode(bytes);
    if (options.onText?.(text)) return;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return warn("bad-json", `Cannot parse JSON array element: ${reason}`);
    }
    options.onElement(value);
  }

  /** Where the string `chunk` is inside from `from` ends (after its quote), or chunk.length. */
  function skipString(chunk: Uint8Array, from: number): number {
    let at = from;
    if (escaped) {
      escaped = false;
      at++; // the byte after a backslash that ended the last chunk
    }
    for (;;) {
      const quote = chunk.indexOf(0x22, at);
      const end = quote === -1 ? chunk.length : quote;
      // Backslashes right before the quote (or the chunk's end): an odd run escapes it.
      let run = 0;
      while (end - run - 1 >= at && chunk[end - run - 1] === 0x5c) run++;
      if (quote === -1) {
        escaped = run % 2 === 1;
        return chunk.length;
      }
      if (run % 2 === 0) {
        inString = false;
        return quote + 1;
      }
      at = quote + 1;
    }
  }

  function feed(chunk: Uint8Array): void {
    let start = 0; // where the current element began in this chunk
    for (let i = 0; i < chunk.length && state !== DONE; i++) {
      if (state === ELEMENT && inString) {
        i = skipString(chunk, i) - 1; // the loop's i++ steps past the quote
        continue;
      }
      if (state === ELEMENT) {
        // Indentation, keys' colons, numbers: nothing to do until the next quote or bracket.
        while (i < chunk.length && STRUCTURAL[chunk[i]] === 0) i++;
        if (i === chunk.length) break;
      }
      const b = chunk[i];
      if (state === ELEMENT) {
        if (b === 0x22) inString = true;
        else if (b === 0x7b || b === 0x5b) depth++;
        else if ((b === 0x7d || b === 0x5d) && --depth === 0) {
          state = BETWEEN;
          const tail = chunk.subarray(start, i + 1);
          if (partsSize + tail.length > max) return overflow();
          if (parts.length === 0) emit(tail);
          else {
            parts.push(tail);
            const whole = concat(parts, partsSize + tail.length);
            parts = [];
            partsSize = 0;
            emit(whole);
          }
        }
      } else if (b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09) {
        continue;
      } else if (state === BETWEEN && b === 0x2c) {
        continue;
      } else if (state === BETWEEN && b === 0x5d) {
        state = DONE;
      } else if (b === 0x7b || (state === BETWEEN && b === 0x5b)) {
        // An object may also open the body (a server answered unstreamed): one element.
        state = ELEMENT;
        depth = 1;
        start = i;
      } else if (state === BEFORE && b === 0x5b) {
        state = BETWEEN;
      } else {
        state = DONE;
        warn("not-json-array", `Unexpected byte 0x${b.toString(16)} outside an array element`);
      }
    }
    if (state === ELEMENT) {
      const rest = chunk.subarray(start);
      partsSize += rest.length;
      if (partsSize > max) return overflow();
      parts.push(rest.slice()); // copied: the caller may reuse its buffer
    }
  }

  function overflow(): void {
    state = DONE;
    parts = [];
    partsSize = 0;
    warn("buffer-overflow", `A JSON array element exceeds ${max} bytes; reading stopped`);
  }

  function flush(): void {
    if (state === ELEMENT) warn("truncated", "The JSON array ended inside an element");
    state = DONE;
    parts = [];
    partsSize = 0;
  }

  return { feed, flush };
}
