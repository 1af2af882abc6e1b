// Incremental decoder for the Connect streaming envelope (connectrpc.com/docs/protocol): each
// message is [1 byte flags][4 byte big-endian length][payload]; flag 0x01 marks a gzip-compressed
// payload and 0x02 the end-stream message, whose payload is JSON. Pure apart from node:zlib's
// synchronous gunzip, which is computation, not I/O. Never throws on upstream bytes.

import { gunzipSync } from "node:zlib";
import { concat } from "./json_body.ts";

/** A problem the decoder reports instead of throwing. */
export interface ConnectWarning {
  code: "frame-too-large" | "bad-frame" | "bad-compression" | "trailing-data";
  detail: string;
}

/** Callbacks and limits for {@linkcode createConnectDecoder}. */
export interface ConnectDecoderOptions {
  /** A message's payload, inflated if it was compressed; valid only during the call. */
  onMessage(payload: Uint8Array): void;
  /** The end-stream message's payload (JSON text); valid only during the call. */
  onEndStream(payload: Uint8Array): void;
  /** Called instead of throwing; after "frame-too-large" or "bad-frame" decoding stops. */
  onWarning?(warning: ConnectWarning): void;
  /** Largest frame accepted, before and after inflation. Default 16 MiB. */
  maxFrameBytes?: number;
}

/** What {@linkcode ConnectDecoder.flush} reports about the stream as a whole. */
export interface ConnectSummary {
  /** True when the body ended inside a frame. */
  truncated: boolean;
  /** Bytes never decoded: everything after decoding stopped, undecodable and unfinished frames. */
  skippedBytes: number;
}

/** The feed/flush pair returned by {@linkcode createConnectDecoder}. */
export interface ConnectDecoder {
  feed(chunk: Uint8Array): void;
  flush(): ConnectSummary;
}

const HEADER_BYTES = 5;
const COMPRESSED = 0x01;
const END_STREAM = 0x02;
const DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;

/**
 * Creates a decoder that turns Connect stream bytes, split anywhere, into messages.
 *
 * @example
 * ```ts
 * const decoder = createConnectDecoder({
 *   onMessage: (payload) => console.log(payload.length),
 *   onEndStream: (json) => console.log(new TextDecoder().decode(json)),
 * });
 * decoder.feed(Uint8Array.of(0, 0, 0, 0, 1, 0x08, 2, 0, 0, 0, 2, 0x7b, 0x7d)); // logs 1, then {}
 * decoder.flush(); // { truncated: false, skippedBytes: 0 }
 * ```
 */
export function createConnectDecoder(options: ConnectDecoderOptions): ConnectDecoder {
  const max = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  const warn = (code: ConnectWarning["code"], detail: string) =>
    options.onWarning?.({ code, detail });
  const header = new Uint8Array(HEADER_BYTES);
  let headerLength = 0;
  let flags = 0;
  let frameLength = 0;
  let parts: Uint8Array[] = [];
  let partsLength = 0;
  let stopped = false;
  let ended = false;
  let trailing = false;
  let skipped = 0;

  function stop(code: ConnectWarning["code"], detail: string, rest: number): void {
    stopped = true;
    skipped += headerLength + rest;
    warn(code, `${detail}; Connect decoding stopped`);
  }

  function deliver(payload: Uint8Array): void {
    if (flags & COMPRESSED) {
      try {
        payload = gunzipSync(payload, { maxOutputLength: max });
      } catch (error) {
        // Corrupt gzip, or output past the bound: this frame is lost, the envelope is intact.
        skipped += payload.length;
        const reason = error instanceof Error ? error.message : String(error);
        warn("bad-compression", `Skipped a compressed Connect frame: ${reason}`);
        return;
      }
    }
    if (flags & END_STREAM) {
      ended = true;
      options.onEndStream(payload);
    } else {
      options.onMessage(payload);
    }
  }

  function feed(chunk: Uint8Array): void {
    if (stopped) {
      skipped += chunk.length;
      return;
    }
    let i = 0;
    while (i < chunk.length) {
      if (ended) {
        if (!trailing) warn("trailing-data", "Ignored bytes after the end-stream frame");
        trailing = true;
        return;
      }
      if (headerLength < HEADER_BYTES) {
        // Token deltas are frames of a few bytes: a header wholly in this chunk is read in place.
        let head = chunk;
        let at = i;
        if (headerLength === 0 && chunk.length - i >= HEADER_BYTES) {
          headerLength = HEADER_BYTES;
          i += HEADER_BYTES;
        } else {
          const take = Math.min(HEADER_BYTES - headerLength, chunk.length - i);
          header.set(chunk.subarray(i, i + take), headerLength);
          headerLength += take;
          i += take;
          if (headerLength < HEADER_BYTES) return;
          head = header;
          at = 0;
        }
        flags = head[at];
        frameLength = head[at + 1] * 2 ** 24 +
          (head[at + 2] << 16 | head[at + 3] << 8 | head[at + 4]);
        // Only bits 0 and 1 are defined; gRPC-web's 0x80 trailer flag means this is not Connect.
        if (flags & ~(COMPRESSED | END_STREAM)) {
          return stop(
            "bad-frame",
            `Unknown Connect frame flags 0x${flags.toString(16)}`,
            chunk.length - i,
          );
        }
        if (frameLength > max) {
          return stop(
            "frame-too-large",
            `A Connect frame declares ${frameLength} bytes, over ${max}`,
            chunk.length - i,
          );
        }
      }
      const take = Math.min(frameLength - partsLength, chunk.length - i);
      if (take === frameLength) {
        // The whole payload is in this chunk: hand out a view, no copy.
        deliver(chunk.subarray(i, i + take));
      } else {
        // Copied because a caller may reuse its buffer once feed() returns.
        parts.push(chunk.slice(i, i + take));
        partsLength += take;
        if (partsLength < frameLength) return;
        deliver(parts.length === 1 ? parts[0] : concat(parts, partsLength));
      }
      i += take;
      headerLength = 0;
      parts = [];
      partsLength = 0;
    }
  }

  function flush(): ConnectSummary {
    const truncated = !stopped && headerLength > 0;
    if (truncated) skipped += partsLength;
    headerLength = 0;
    parts = [];
    partsLength = 0;
    return { truncated, skippedBytes: skipped };
  }

  return { feed, flush };
}
