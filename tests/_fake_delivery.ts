// How the fake upstream cuts, compresses and writes a body, so tests can replay the same bytes as
// one write, one write per event, or many small random writes.
import type { ServerResponse } from "node:http";
import zlib from "node:zlib";
import { createRandom } from "../core/parse/_contract.ts";

/** A content coding the fake upstream can apply. */
export type Encoding = "gzip" | "br" | "deflate";

/** How one response is written, from the request's `x-fake-*` headers. */
export interface Delivery {
  chunking: "whole" | "events" | "bytes" | null;
  seed: number;
  delayMs: number;
  stallAfter: number;
  /** Write this many chunks, then drop the connection (0: before the response head). */
  resetAfter: number;
  /** One pause after the first chunk. */
  gapMs: number;
  encoding: Encoding | null;
}

/** A response to write: status and head, with the body already cut into events. */
export interface Reply {
  status: number;
  headers: Record<string, string>;
  events: Uint8Array[];
  /** SSE or a streamed JSON array: written one event per write unless told otherwise. */
  streamed: boolean;
}

const LF = 0x0a;
const CR = 0x0d;

/** Splits a body where a streaming server would flush: after each SSE event or JSON array element. */
export function splitEvents(body: Uint8Array, contentType: string): Uint8Array[] {
  if (contentType.includes("text/event-stream")) return splitSse(body);
  const first = body.findIndex((b) => b !== 0x20 && b !== LF && b !== CR && b !== 0x09);
  return body[first] === 0x5b /* [ */ ? splitJsonArray(body) : [body];
}

/** Splits a body into random pieces of 1–32 bytes, the same pieces for the same seed. */
export function splitRandom(body: Uint8Array, seed: number): Uint8Array[] {
  const random = createRandom(seed);
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < body.length;) {
    const size = 1 + Math.floor(random() * 32);
    chunks.push(body.subarray(i, i + size));
    i += size;
  }
  return chunks;
}

/** True when an `accept-encoding` header value allows `coding` (RFC 9110 §12.5.3). */
export function acceptsEncoding(acceptEncoding: string | undefined, coding: Encoding): boolean {
  let star = false;
  for (const item of (acceptEncoding ?? "").split(",")) {
    const [name, ...params] = item.trim().toLowerCase().split(";");
    const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
    const allowed = q === undefined || Number(q.slice(2)) > 0;
    if (name === coding) return allowed;
    if (name === "*") star = allowed;
  }
  return star;
}

/**
 * Compresses `chunks` as one stream, flushing after each chunk like a streaming server does, so
 * every output chunk carries exactly its input chunk; the stream trailer joins the last one.
 */
export async function compressChunks(
  chunks: Uint8Array[],
  coding: Encoding,
): Promise<Uint8Array[]> {
  const stream = coding === "gzip"
    ? zlib.createGzip()
    : coding === "br"
    ? zlib.createBrotliCompress()
    : zlib.createDeflate();
  const flushKind = coding === "br"
    ? zlib.constants.BROTLI_OPERATION_FLUSH
    : zlib.constants.Z_SYNC_FLUSH;
  let pending: Uint8Array[] = [];
  stream.on("data", (data: Uint8Array) => pending.push(new Uint8Array(data)));
  const ended = new Promise<void>((resolve, reject) => {
    stream.once("end", resolve);
    stream.once("error", reject);
  });
  const out: Uint8Array[] = [];
  for (const chunk of chunks) {
    stream.write(chunk);
    await new Promise<void>((resolve) => stream.flush(flushKind, () => resolve()));
    out.push(concatBytes(pending));
    pending = [];
  }
  stream.end();
  await ended;
  const trailer = concatBytes(pending);
  if (out.length === 0) out.push(trailer);
  else out[out.length - 1] = concatBytes([out[out.length - 1], trailer]);
  return out;
}

/**
 * Writes `reply` to `res` as the request's `x-fake-*` headers ask, pushing each body write onto
 * `sent`. Once `signal` aborts it stops writing and leaves the response unended.
 */
export async function deliver(res: ServerResponse, reply: Reply, request: {
  headers: Record<string, string>;
  signal: AbortSignal;
  sent: Uint8Array[];
}): Promise<void> {
  const { headers, signal, sent } = request;
  const head = { ...reply.headers };
  const delivery = parseDelivery(headers);
  const chunking = delivery.chunking ?? (reply.streamed ? "events" : "whole");
  let chunks = chunking === "events"
    ? reply.events
    : chunking === "bytes"
    ? splitRandom(concatBytes(reply.events), delivery.seed)
    : [concatBytes(reply.events)];
  // Like a real server, compress only what the client said it can decode.
  if (delivery.encoding && acceptsEncoding(headers["accept-encoding"], delivery.encoding)) {
    chunks = await compressChunks(chunks, delivery.encoding);
    head["content-encoding"] = delivery.encoding;
    head["vary"] = "Accept-Encoding";
  }
  if (signal.aborted) return;
  if (delivery.resetAfter === 0) return void res.socket?.destroy();
  if (
    chunking === "whole" && delivery.stallAfter === Infinity && delivery.resetAfter === Infinity
  ) {
    // One write with a content-length, as non-streamed API answers arrive.
    const whole = concatBytes(chunks);
    sent.push(whole);
    head["content-length"] = String(whole.length);
    res.writeHead(reply.status, head).end(whole);
    return;
  }
  // Without a content-length Node sends chunked; the head goes out now, before any delay or stall.
  res.writeHead(reply.status, head).flushHeaders();
  const reset = delivery.resetAfter < chunks.length;
  const finished = await writeChunks(reset ? chunks.slice(0, delivery.resetAfter) : chunks, {
    delayMs: delivery.delayMs,
    gapMs: delivery.gapMs,
    stallAfter: delivery.stallAfter,
    signal,
    write: (chunk) =>
      new Promise((resolve) => {
        sent.push(chunk);
        // Resolves on an error too: a dead socket also closes the response, which cuts the loop.
        res.write(chunk, () => resolve());
      }),
  });
  // A cut response must stay cut: ending it would send the last chunk and look complete.
  if (finished && reset) res.socket?.destroy();
  else if (finished) res.end();
}

/**
 * Writes `chunks` in order, each only after the previous one was flushed so each is its own write,
 * pausing `delayMs` between them and `gapMs` more after the first. With a finite `stallAfter` it
 * writes that many chunks and then holds until `signal` aborts. Resolves true once every chunk is
 * written, false when cut short.
 */
export async function writeChunks(chunks: Uint8Array[], options: {
  delayMs: number;
  gapMs?: number;
  stallAfter: number;
  /** Aborted when the client goes away or the server closes. */
  signal: AbortSignal;
  write(chunk: Uint8Array): Promise<void>;
}): Promise<boolean> {
  const { delayMs, gapMs = 0, stallAfter, signal, write } = options;
  const count = Math.min(stallAfter, chunks.length);
  for (let i = 0; i < count; i++) {
    if (i > 0 && delayMs > 0) await pause(delayMs, signal);
    if (i === 1 && gapMs > 0) await pause(gapMs, signal);
    if (signal.aborted) return false;
    await write(chunks[i]);
  }
  if (stallAfter !== Infinity) await pause(null, signal);
  return !signal.aborted;
}

/** Waits `ms` (or forever when null), but ends at once when `signal` aborts so no timer outlives it. */
function pause(ms: number | null, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = ms === null ? undefined : setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
  });
}

/** Joins byte chunks into one array. */
export function concatBytes(chunks: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

/** One chunk per event: each ends after the blank line that terminates it (CRLF, LF or CR). */
function splitSse(body: Uint8Array): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  let start = 0;
  let lineStart = 0;
  for (let i = 0; i < body.length;) {
    if (body[i] !== LF && body[i] !== CR) {
      i++;
      continue;
    }
    const end = body[i] === CR && body[i + 1] === LF ? i + 2 : i + 1;
    // A blank line closes the event; leading blank lines ride along with the next event.
    if (i === lineStart && lineStart > start) {
      chunks.push(body.subarray(start, end));
      start = end;
    }
    lineStart = end;
    i = end;
  }
  if (start < body.length) chunks.push(body.subarray(start, body.length));
  return chunks;
}

/** One chunk per top-level element of a streamed JSON array, separators leading the next one. */
function splitJsonArray(body: Uint8Array): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  let depth = 0;
  let inString = false;
  let escaped = false;
  let start = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (c === 0x5c /* \ */) escaped = true;
      else if (c === 0x22 /* " */) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      depth++;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      depth--;
      if (depth === 1) {
        chunks.push(body.subarray(start, i + 1));
        start = i + 1;
      }
    }
  }
  if (start < body.length) chunks.push(body.subarray(start, body.length));
  return chunks;
}

const CHUNKINGS = ["whole", "events", "bytes"];
const ENCODINGS = ["gzip", "br", "deflate"];

/** Says what is wrong with the request's `x-fake-*` headers, or null when they are usable. */
export function deliveryProblem(headers: Record<string, string>): string | null {
  const count = (name: string, min: number, max = Number.MAX_SAFE_INTEGER) => {
    const value = headers[name];
    if (value === undefined) return null;
    const n = Number(value);
    return Number.isSafeInteger(n) && n >= min && n <= max ? null : `${name} must be ${min}–${max}`;
  };
  const chunking = headers["x-fake-chunking"];
  const encoding = headers["x-fake-encoding"];
  if (chunking !== undefined && !CHUNKINGS.includes(chunking)) {
    return `x-fake-chunking must be one of ${CHUNKINGS.join(", ")}`;
  }
  if (encoding !== undefined && !ENCODINGS.includes(encoding)) {
    return `x-fake-encoding must be one of ${ENCODINGS.join(", ")}`;
  }
  // These statuses forbid a body, and every answer here has one.
  if (["204", "205", "304"].includes(headers["x-fake-status"])) {
    return "x-fake-status cannot be a status without a body";
  }
  return count("x-fake-status", 200, 599) ?? count("x-fake-seed", 0) ??
    count("x-fake-delay-ms", 0) ?? count("x-fake-stall", 0) ?? count("x-fake-reset", 0) ??
    count("x-fake-gap-ms", 0);
}

/** Reads the delivery headers; invalid values (already answered with a 400) fall back to defaults. */
export function parseDelivery(headers: Record<string, string>): Delivery {
  const valid = deliveryProblem(headers) === null;
  const number = (name: string, fallback: number) =>
    valid && headers[name] !== undefined ? Number(headers[name]) : fallback;
  return {
    chunking: valid ? (headers["x-fake-chunking"] as Delivery["chunking"]) ?? null : null,
    seed: number("x-fake-seed", 1),
    delayMs: number("x-fake-delay-ms", 0),
    stallAfter: number("x-fake-stall", Infinity),
    resetAfter: number("x-fake-reset", Infinity),
    gapMs: number("x-fake-gap-ms", 0),
    encoding: valid ? (headers["x-fake-encoding"] as Encoding | undefined) ?? null : null,
  };
}
