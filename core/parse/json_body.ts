// Collects a non-streamed JSON response body (bounded) and parses it once at the end.

/** A problem the reader reports instead of throwing. */
export interface JsonBodyWarning {
  code: "body-too-large" | "bad-json";
  detail: string;
}

/** Callbacks and limits for {@linkcode createJsonBodyReader}. */
export interface JsonBodyOptions {
  onWarning?(warning: JsonBodyWarning): void;
  /** Largest body kept, in bytes. Default 16 MiB; past it the body is dropped, not parsed. */
  maxBytes?: number;
}

/** The parsed body, or the text of a body that did not parse ("" when it was too large). */
export type JsonBodyResult = { ok: true; value: unknown } | { ok: false; text: string };

/** The feed/finish pair returned by {@linkcode createJsonBodyReader}. */
export interface JsonBodyReader {
  feed(chunk: Uint8Array): void;
  finish(): JsonBodyResult;
}

const DEFAULT_MAX_BYTES = 16 * 1024 * 1024;

/**
 * Creates a reader that buffers a JSON body and parses it when the body ends.
 *
 * @example
 * ```ts
 * const reader = createJsonBodyReader();
 * reader.feed(new TextEncoder().encode('{"usage":'));
 * reader.feed(new TextEncoder().encode('{"prompt_tokens":3}}'));
 * reader.finish(); // { ok: true, value: { usage: { prompt_tokens: 3 } } }
 * ```
 */
export function createJsonBodyReader(options: JsonBodyOptions = {}): JsonBodyReader {
  const max = options.maxBytes ?? DEFAULT_MAX_BYTES;
  let chunks: Uint8Array[] = [];
  let size = 0;
  let overflowed = false;

  function feed(chunk: Uint8Array): void {
    if (overflowed || chunk.length === 0) return;
    size += chunk.length;
    if (size > max) {
      overflowed = true;
      chunks = [];
      options.onWarning?.({
        code: "body-too-large",
        detail: `JSON body exceeds ${max} bytes; it is not parsed`,
      });
      return;
    }
    // Copied because a caller may reuse its buffer once feed() returns.
    chunks.push(chunk.slice());
  }

  function finish(): JsonBodyResult {
    if (overflowed) return { ok: false, text: "" };
    const bytes = chunks.length === 1 ? chunks[0] : concat(chunks, size);
    chunks = [];
    const text = new TextDecoder().decode(bytes);
    try {
      return { ok: true, value: JSON.parse(text) };
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      options.onWarning?.({ code: "bad-json", detail: `Cannot parse JSON body: ${reason}` });
      return { ok: false, text };
    }
  }

  return { feed, finish };
}

/** Joins byte chunks into one array of `size` bytes. */
export function concat(chunks: Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}
