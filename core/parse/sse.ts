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
  /**
   * Called instead of throwing. "buffer-overflow" comes once per stream: a longer line is skipped
   * and an event with more data is dropped, and decoding goes on with the next line or event.
   */
  onWarning?(warning: SseWarning): void;
  /** Longest line or event data held, in UTF-16 code units (about bytes). Default 16 MiB. */
  maxBufferBytes?: number;
}

/** The feed/flush pair returned by {@linkcode createSseDecoder}. */
export interface SseDecoder {
  feed(chunk: Uint8Array): void;
  /** Ends the stream: decodes held-back bytes and dispatches a last event lacking a blank line. */
  flush(): void;
}

// Large enough for the biggest real events (base64 images in OpenAI Responses partial_image events
// run to a few MiB), small enough that one stream cannot hold more than a few tens of MiB.
const DEFAULT_MAX_BUFFER = 16 * 1024 * 1024;
const LF = 10;
const CR = 13;

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
  // stream:true keeps a UTF-8 sequence split across chunks intact. The optional leading BOM is
  // stripped here, once: Deno 2.9's streaming decoder would strip a U+FEFF at the start of every
  // decode() call's output, losing data characters that happen to open a chunk.
  let decoder = new TextDecoder("utf-8", { ignoreBOM: true });
  let atStreamStart = true;
  // The unterminated tail of the previous chunk(s). Kept as parts so that a long line arriving in
  // many small chunks is joined once, not re-concatenated and re-scanned per chunk (O(n²)).
  let pending: string[] = [];
  let pendingLength = 0;
  // A chunk ending in "\r" already ended its line; a "\n" opening the next one completes the CRLF.
  let skipLeadingLf = false;
  // Inside a line longer than `max`: its bytes are dropped undecoded, up to its line end.
  let skippingLine = false;
  let eventType: string | undefined;
  let data: string | undefined;
  let dataLength = 0;
  // The event lost a line or outgrew `max`: it is dropped at its blank line, not dispatched cut.
  let eventBroken = false;
  let warned = false;

  function overflow(what: string): void {
    if (warned) return; // once per stream: a hostile upstream cannot flood the log
    warned = true;
    onWarning?.({
      code: "buffer-overflow",
      detail: `${what} exceeds ${max} characters; it is skipped`,
    });
  }

  /** Drops a line longer than `max`; a comment is harmless, any field line breaks its event. */
  function skipLine(start: string): void {
    if (start.charCodeAt(0) !== 58) breakEvent();
    overflow("An SSE line");
  }

  function breakEvent(): void {
    eventBroken = true;
    data = undefined;
    dataLength = 0;
  }

  function dispatch(): void {
    // Spec: an empty data buffer resets the event type and dispatches nothing.
    if (data !== undefined && !eventBroken) onEvent({ event: eventType, data });
    eventType = undefined;
    data = undefined;
    dataLength = 0;
    eventBroken = false;
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
      if (eventBroken) return;
      dataLength += value.length + 1;
      if (dataLength > max) {
        breakEvent();
        return overflow("An SSE event's data");
      }
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
    for (;;) {
      if (nextLf !== -1 && nextLf < start) nextLf = text.indexOf("\n", start);
      if (nextCr !== -1 && nextCr < start) nextCr = text.indexOf("\r", start);
      let end: number;
      if (nextCr === -1) end = nextLf;
      else if (nextLf === -1) end = nextCr;
      else end = nextCr < nextLf ? nextCr : nextLf;
      if (end === -1) break;
      const lineStart = start;
      start = end + 1;
      if (end === nextCr) {
        if (start === length) skipLeadingLf = true;
        else if (text.charCodeAt(start) === LF) start++;
      }
      if (pendingLength + (end - lineStart) > max) {
        // Judged on the whole line, so the outcome does not depend on where chunks were cut.
        skipLine(pendingLength > 0 ? pending[0] : text.slice(lineStart, lineStart + 1));
        pending = [];
        pendingLength = 0;
        continue;
      }
      let line = text.slice(lineStart, end);
      if (pendingLength > 0) {
        pending.push(line);
        line = pending.join("");
        pending = [];
        pendingLength = 0;
      }
      processLine(line);
    }
    if (start >= length) return;
    pendingLength += length - start;
    if (pendingLength > max) {
      // Not held any longer: feed() drops the rest of this line as it arrives.
      skipLine(pending.length > 0 ? pending[0] : text.slice(start, start + 1));
      pending = [];
      pendingLength = 0;
      skippingLine = true;
      atStreamStart = false;
      return;
    }
    pending.push(text.slice(start));
  }

  function feed(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    if (skippingLine) {
      // CR and LF are never part of a multi-byte sequence, so they are found in the raw bytes.
      const lf = chunk.indexOf(LF);
      const cr = chunk.indexOf(CR);
      const end = cr === -1 ? lf : lf === -1 ? cr : Math.min(cr, lf);
      if (end === -1) return;
      skippingLine = false;
      // What the old decoder holds (a cut character) belonged to the skipped line. The stream's
      // start, and with it the BOM, lies behind.
      decoder = new TextDecoder("utf-8", { ignoreBOM: true });
      let start = end + 1;
      if (chunk[end] === CR) {
        if (start === chunk.length) skipLeadingLf = true;
        else if (chunk[start] === LF) start++;
      }
      chunk = chunk.subarray(start);
      if (chunk.length === 0) return;
    }
    let text = decoder.decode(chunk, { stream: true });
    if (atStreamStart && text.length > 0) {
      atStreamStart = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    processText(text);
  }

  function flush(): void {
    const rest = skippingLine ? "" : decoder.decode();
    if (rest.length > 0) processText(rest);
    skippingLine = false;
    if (pendingLength > 0) {
      const line = pending.join("");
      pending = [];
      pendingLength = 0;
      processLine(line);
    }
    // Deliberately lenient: the spec discards an event lacking its final blank line, but servers
    // and proxies that close right after the last `data:` line would otherwise lose usage.
    dispatch();
  }

  return { feed, flush };
}
