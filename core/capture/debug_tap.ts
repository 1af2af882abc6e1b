// The debug capture's tap: while the capture is armed, records each exchange with credentials
// (headers, query parameters, JSON members) redacted before anything is kept, so no secret is ever
// held in a capture.
import type { Tap, TapFactory, TapRequest } from "../proxy/tap.ts";
import { uuidv7 } from "../uuid.ts";
import type {
  CapturedBody,
  CaptureTicket,
  DebugCapture,
  DebugCaptureRecord,
} from "./debug_capture.ts";
import { createDecompressor } from "./decompress.ts";
import { redactHeaders, redactJsonText, redactQuery } from "./redact.ts";

/** What the debug tap needs besides the capture. */
export interface DebugTapOptions {
  now(): number;
  /** Called when finishing a capture failed after the response ended. */
  onError(error: unknown): void;
}

/** Creates a TapFactory that answers null unless `capture` is armed. */
export function createDebugTapFactory(capture: DebugCapture, options: DebugTapOptions): TapFactory {
  return (request) => {
    const ticket = capture.begin();
    if (!ticket) return null;
    const record = describeRequest(request, capture.limits.maxBodyBytes);
    return createDebugTap(capture, ticket, record, options);
  };
}

/**
 * The record's request half, redacted and truncated. Its own copies only: nothing holds on to
 * `request`, whose headers still carry the credentials.
 */
function describeRequest(request: TapRequest, maxBytes: number): DebugCaptureRecord {
  return {
    id: uuidv7(request.startedAt),
    ts: request.startedAt,
    duration_ms: null,
    mode: request.mode,
    host: request.host,
    method: request.method,
    path: request.path,
    query: redactQuery(request.query),
    status: null,
    aborted: false,
    request: {
      headers: redactHeaders(request.headers),
      ...capturedBody(request.body.subarray(0, maxBytes), request.body.length),
    },
    response: null,
  };
}

function createDebugTap(
  capture: DebugCapture,
  ticket: CaptureTicket,
  record: DebugCaptureRecord,
  options: DebugTapOptions,
): Tap {
  const max = capture.limits.maxBodyBytes;
  let headers: Record<string, string> | null = null;
  let encoding: string | undefined;
  let chunks: Uint8Array[] = [];
  let kept = 0;
  let received = 0;

  async function finish(aborted: boolean): Promise<void> {
    record.duration_ms = options.now() - record.ts;
    record.aborted = aborted;
    if (headers) {
      const raw = joinChunks(chunks, kept);
      chunks = [];
      record.response = { headers, ...await responseBody(raw, received, encoding, max) };
    }
    capture.add(ticket, record);
  }

  return {
    onResponse(status, responseHeaders) {
      record.status = status;
      headers = redactHeaders(responseHeaders);
      encoding = responseHeaders["content-encoding"];
    },
    onChunk(chunk) {
      received += chunk.length;
      // A disarm mid-response frees what was kept; a chunk past the cap is only counted.
      if (!capture.accepts(ticket)) return void (chunks = []);
      if (kept >= max) return;
      const part = chunk.slice(0, max - kept); // a copy: the proxy may reuse its buffer
      chunks.push(part);
      kept += part.length;
    },
    onEnd({ aborted }) {
      if (!capture.accepts(ticket)) return;
      finish(aborted).catch(options.onError);
    },
  };
}

/** The response body for display: decompressed when its content-encoding can be decoded. */
async function responseBody(
  raw: Uint8Array,
  received: number,
  encoding: string | undefined,
  max: number,
): Promise<CapturedBody & { body_form: "identity" | "decompressed" | "compressed" }> {
  const coding = encoding?.trim().toLowerCase() ?? "";
  if (coding === "" || coding === "identity") {
    return { ...capturedBody(raw, received), body_form: "identity" };
  }
  const out: Uint8Array[] = [];
  let size = 0;
  // Some slack past the cap, so that the cap, not the budget, decides where the text is cut.
  const decoder = createDecompressor(encoding, (chunk) => {
    if (size < max) out.push(chunk.slice(0, max - size));
    size += chunk.length;
  }, max + 64 * 1024);
  if (decoder) {
    decoder.write(raw);
    // A stream that ended early, or whose kept bytes were cut, still shows what decoded.
    await decoder.end();
    if (size > 0) {
      const truncated = size > max || received > raw.length;
      const text = capturedBody(joinChunks(out, Math.min(size, max)), received, truncated);
      return { ...text, body_form: "decompressed" };
    }
  }
  return { ...capturedBody(raw, received), body_form: "compressed" };
}

/**
 * `bytes` (the first bytes of a `total`-byte body) as text with credential members redacted
 * (`"api_key": "…"`), or as base64 when they are not UTF-8.
 */
function capturedBody(
  bytes: Uint8Array,
  total: number,
  truncated = total > bytes.length,
): CapturedBody {
  const text = utf8(bytes, truncated);
  return text === null
    ? { body: base64(bytes), body_encoding: "base64", body_bytes: total, truncated }
    : { body: redactJsonText(text), body_encoding: "utf-8", body_bytes: total, truncated };
}

const strict = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Strict UTF-8; a cut body may end inside a character, so up to 3 trailing bytes may go. */
function utf8(bytes: Uint8Array, cut: boolean): string | null {
  for (let drop = 0; drop <= (cut ? 3 : 0) && drop <= bytes.length; drop++) {
    try {
      return strict.decode(bytes.subarray(0, bytes.length - drop));
    } catch {
      // Not UTF-8 at this length: try one byte shorter, then fall back to base64.
    }
  }
  return null;
}

function base64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

function joinChunks(chunks: Uint8Array[], size: number): Uint8Array {
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}
