// Incremental Server-Sent Events decoder (WHATWG HTML §9.2.6 "Interpreting an event stream").
// Pure: no Deno.*, no streams, no clocks. Fed raw bytes in arbitrary chunks.

/** One dispatched SSE event: its `event:` field (undefined if absent) and joined `data:` lines. */
export interface SseEvent {
  event: string | undefined;
  data: string;
}

/** A problem the decoder reports instead of throwing. */
export interface SseWarning {
  code: "buffer-overflow";
  detail: string;
}

/** Callbacks and limits for {@linkcode createSseDecoder}. */
export interface SseDecoderOptions {
  onEvent(event: SseEvent): void;
  /** Called instead of throwing; after "buffer-overflow" the decoder ignores all further input. */
  onWarning?(warning: SseWarning): void;
  /** Longest line or event held, in UTF-16 code units (about bytes). Default 1 MiB. */
  maxBufferBytes?: number;
}

/** The feed/flush pair returned by {@linkcode createSseDecoder}. */
export interface SseDecoder {
  feed(chunk: Uint8Array): void;
  /** Ends the stream: decodes held-back bytes and dispatches a last event lacking a blank line. */
  flush(): void;
}

const DEFAULT_MAX_BUFFER = 1024 * 1024;
const LF = 10;

/**
 * Creates an incremental SSE decoder that turns byte chunks into events.
 *
 * @example
 * ```ts
 * const events: SseEvent[] = [];
 * const decoder = createSseDecoder({ onEvent: (e) => events.push(e) });
 * decoder.feed(new TextEncoder().encode("event: ping\ndata: {}\n\n"));
 * decoder.flush(); // events: [{ event: "ping", data: "{}" }]
 * ```
 */
export function createSseDecoder(options: SseDecoderOptions): SseDecoder {
  const { onEvent, onWarning } = options;
  const max = options.maxBufferBytes ?? DEFAULT_MAX_BUFFER;
  // stream:true keeps a UTF-8 sequence split across chunks intact; the default ignoreBOM=false
  // strips the optional leading BOM as the spec requires.
  const decoder = new TextDecoder();
  // The unterminated tail of the previous chunk(s). Kept as parts so that a long line arriving in
  // many small chunks is joined once, not re-concatenated and re-scanned per chunk (O(n²)).
  let pending: string[] = [];
  let pendingLength = 0;
  // A chunk ending in "\r" already ended its line; a "\n" opening the next one completes the CRLF.
  let skipLeadingLf = false;
  let eventType: string | undefined;
  let data: string | undefined;
  let dataLength = 0;
  let stopped = false;

  function overflow(what: string): void {
    stopped = true;
    pending = [];
    data = undefined;
    onWarning?.({
      code: "buffer-overflow",
      detail: `${what} exceeds ${max} bytes; SSE parsing stopped`,
    });
  }

  function dispatch(): void {
    // Spec: an empty data buffer resets the event type and dispatches nothing.
    if (data !== undefined) onEvent({ event: eventType, data });
    eventType = undefined;
    data = undefined;
    dataLength = 0;
  }

  function processLine(line: string): void {
    if (line.length === 0) return dispatch();
    const first = line.charCodeAt(0);
    if (first === 58) return; // comment, e.g. OpenRouter's ": OPENROUTER PROCESSING" keep-alive
    // The two fields that matter are matched without searching for the colon or slicing the
    // field name: they make up nearly every line of a stream.
    let field: string;
    let colon: number;
    if (first === 100 && line.startsWith("data:")) {
      field = "data";
      colon = 4;
    } else if (first === 101 && line.startsWith("event:")) {
      field = "event";
      colon = 5;
    } else {
      colon = line.indexOf(":");
      field = colon < 0 ? line : line.slice(0, colon);
    }
    let value = "";
    if (colon >= 0) {
      // Spec: strip exactly one space after the colon, and only one.
      value = line.slice(line.charCodeAt(colon + 1) === 32 ? colon + 2 : colon + 1);
    }
    if (field === "data") {
      dataLength += value.length + 1;
      if (dataLength > max) return overflow("An SSE event");
      data = data === undefined ? value : data + "\n" + value;
    } else if (field === "event") {
      eventType = value;
    }
    // "id" and "retry" matter only to reconnecting clients; unknown fields are ignored per spec.
  }

  function processText(text: string): void {
    const length = text.length;
    let start = 0;
    if (skipLeadingLf) {
      skipLeadingLf = false;
      if (length > 0 && text.charCodeAt(0) === LF) start = 1;
    }
    // Two indexOf cursors instead of a per-character loop: most streams never contain "\r", so its
    // search runs once per chunk and the "\n" search runs in native code.
    let nextLf = text.indexOf("\n", start);
    let nextCr = text.indexOf("\r", start);
    while (!stopped) {
      if (nextLf !== -1 && nextLf < start) nextLf = text.indexOf("\n", start);
      if (nextCr !== -1 && nextCr < start) nextCr = text.indexOf("\r", start);
      let end: number;
      if (nextCr === -1) end = nextLf;
      else if (nextLf === -1) end = nextCr;
      else end = nextCr < nextLf ? nextCr : nextLf;
      if (end === -1) break;
      let line = text.slice(start, end);
      if (pendingLength > 0) {
        pending.push(line);
        line = pending.join("");
        pending = [];
        pendingLength = 0;
      }
      start = end + 1;
      if (end === nextCr) {
        if (start === length) skipLeadingLf = true;
        else if (text.charCodeAt(start) === LF) start++;
      }
      processLine(line);
    }
    if (stopped || start >= length) return;
    pendingLength += length - start;
    if (pendingLength > max) return overflow("An SSE line");
    pending.push(text.slice(start));
  }

  function feed(chunk: Uint8Array): void {
    if (stopped || chunk.length === 0) return;
    processText(decoder.decode(chunk, { stream: true }));
  }

  function flush(): void {
    if (stopped) return;
    const rest = decoder.decode();
    if (rest.length > 0) processText(rest);
    if (stopped) return;
    if (pendingLength > 0) {
      const line = pending.join("");
      pending = [];
      pendingLength = 0;
      processLine(line);
    }
    // Deliberately lenient: the spec discards an event lacking its final blank line, but servers
    // and proxies that close right after the last `data:` line would otherwise lose usage.
    if (!stopped) dispatch();
  }

  return { feed, flush };
}
