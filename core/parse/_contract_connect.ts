// Test support (not imported by the daemon): encoders for protobuf fields and Connect envelopes,
// the inverse of protobuf.ts and connect.ts, for building Cursor streams in tests and fixtures.

import { gzipSync } from "node:zlib";
import { concat } from "./json_body.ts";

const encoder = new TextEncoder();

/** Encodes a varint field. */
export function protoVarint(field: number, value: number): Uint8Array {
  return Uint8Array.from([...varint(field * 8), ...varint(value)]);
}

/** Encodes a length-delimited field (an embedded message, bytes or a string). */
export function protoBytes(field: number, value: Uint8Array | string): Uint8Array {
  const bytes = typeof value === "string" ? encoder.encode(value) : value;
  return join([Uint8Array.from([...varint(field * 8 + 2), ...varint(bytes.length)]), bytes]);
}

/** Wraps a payload in a Connect envelope; `gzip` compresses it, `end` marks end-stream. */
export function connectFrame(
  payload: Uint8Array | string,
  options: { gzip?: boolean; end?: boolean } = {},
): Uint8Array {
  let bytes = typeof payload === "string" ? encoder.encode(payload) : payload;
  if (options.gzip) bytes = new Uint8Array(gzipSync(bytes));
  const header = new Uint8Array(5);
  header[0] = (options.gzip ? 1 : 0) | (options.end ? 2 : 0);
  new DataView(header.buffer).setUint32(1, bytes.length);
  return join([header, bytes]);
}

/** A whole Connect stream: each message framed, then the end-stream frame `end`. */
export function connectStream(
  messages: (Uint8Array | string)[],
  end = "{}",
  options: { gzip?: boolean } = {},
): Uint8Array {
  const frames = messages.map((m) => connectFrame(m, options));
  return join([...frames, connectFrame(end, { ...options, end: true })]);
}

/** Joins byte arrays. */
export function join(parts: Uint8Array[]): Uint8Array {
  return concat(parts, parts.reduce((n, p) => n + p.length, 0));
}

function varint(value: number): number[] {
  const bytes: number[] = [];
  while (value >= 0x80) {
    bytes.push((value % 0x80) | 0x80);
    value = Math.floor(value / 0x80);
  }
  bytes.push(value);
  return bytes;
}
