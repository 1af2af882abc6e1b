// Minimal protobuf wire-format reader (protobuf.dev/programming-guides/encoding): splits one
// message into its fields without a schema. Pure and allocation-light: length-delimited values are
// views into the input, never copies. Malformed input yields null, never an exception.

/** One field of a protobuf message as it sits on the wire. */
export interface ProtoField {
  /** The field number from the tag. */
  field: number;
  /** 0 varint, 1 fixed64, 2 length-delimited, 5 fixed32. */
  wireType: 0 | 1 | 2 | 5;
  /** A varint or fixed value as a number (exact up to 2^53), or the bytes of a delimited one. */
  value: number | Uint8Array;
}

const MAX_VARINT_BYTES = 10;

/**
 * Returns the fields of one encoded message in wire order, or null when the bytes are not a
 * well-formed message (truncated value, bad wire type, field number 0, overlong varint).
 *
 * @example
 * ```ts
 * readProtoFields(Uint8Array.of(0x08, 0x96, 0x01, 0x12, 0x01, 0x61));
 * // [{ field: 1, wireType: 0, value: 150 }, { field: 2, wireType: 2, value: Uint8Array [0x61] }]
 * ```
 */
export function readProtoFields(bytes: Uint8Array): ProtoField[] | null {
  const fields: ProtoField[] = [];
  const cursor = { at: 0 };
  while (cursor.at < bytes.length) {
    const tag = readVarint(bytes, cursor);
    if (tag === null) return null;
    const field = Math.floor(tag / 8);
    const wireType = tag % 8;
    if (field === 0) return null;
    let value: number | Uint8Array;
    switch (wireType) {
      case 0: {
        const varint = readVarint(bytes, cursor);
        if (varint === null) return null;
        value = varint;
        break;
      }
      case 1:
        if (cursor.at + 8 > bytes.length) return null;
        value = readFixed32(bytes, cursor.at) + readFixed32(bytes, cursor.at + 4) * 2 ** 32;
        cursor.at += 8;
        break;
      case 2: {
        const length = readVarint(bytes, cursor);
        if (length === null || length > bytes.length - cursor.at) return null;
        value = bytes.subarray(cursor.at, cursor.at + length);
        cursor.at += length;
        break;
      }
      case 5:
        if (cursor.at + 4 > bytes.length) return null;
        value = readFixed32(bytes, cursor.at);
        cursor.at += 4;
        break;
      default:
        // Groups (3, 4) are proto2-only and deprecated; 6 and 7 do not exist.
        return null;
    }
    fields.push({ field, wireType: wireType as ProtoField["wireType"], value });
  }
  return fields;
}

/**
 * Follows `path`, field numbers of nested messages, from one encoded message: returns the last
 * length-delimited value of the last field (protobuf's "last one wins" at every level), null when
 * a field on the path is absent or a nested value is not a message, or undefined when `bytes`
 * itself is not a well-formed message. Unlike readProtoFields() it builds nothing on the way:
 * most messages of a stream are skipped, and this is their whole cost.
 *
 * @example
 * ```ts
 * findProtoBytes(Uint8Array.of(0x0a, 0x01, 0x61, 0x10, 0x01, 0x0a, 0x01, 0x62), [1]); // [0x62]
 * findProtoBytes(Uint8Array.of(0x0a, 0x03, 0x12, 0x01, 0x63), [1, 2]); // [0x63]
 * ```
 */
export function findProtoBytes(bytes: Uint8Array, path: number[]): Uint8Array | null | undefined {
  const range = { from: 0, to: bytes.length };
  for (let level = 0; level < path.length; level++) {
    const found = lastField(bytes, path[level], range);
    if (found !== true) return level === 0 && found === undefined ? undefined : null;
  }
  return bytes.subarray(range.from, range.to);
}

// Narrows `range` to the last length-delimited value of `field` within it: true when found, false
// when absent, undefined when the range is not a well-formed message.
function lastField(
  bytes: Uint8Array,
  field: number,
  range: { from: number; to: number },
): boolean | undefined {
  const cursor = { at: range.from };
  const end = range.to;
  let from = -1;
  let to = -1;
  while (cursor.at < end) {
    const tag = readVarint(bytes, cursor, end);
    if (tag === null || tag < 8) return undefined; // truncated, or field number 0
    switch (tag % 8) {
      case 0:
        if (readVarint(bytes, cursor, end) === null) return undefined;
        break;
      case 1:
      case 5:
        cursor.at += tag % 8 === 1 ? 8 : 4;
        if (cursor.at > end) return undefined;
        break;
      case 2: {
        const length = readVarint(bytes, cursor, end);
        if (length === null || length > end - cursor.at) return undefined;
        if (Math.floor(tag / 8) === field) {
          from = cursor.at;
          to = cursor.at + length;
        }
        cursor.at += length;
        break;
      }
      default:
        return undefined;
    }
  }
  if (from < 0) return false;
  range.from = from;
  range.to = to;
  return true;
}

// Reads a base-128 varint at cursor.at, before `end`, and advances it; null when truncated or over
// 10 bytes.
function readVarint(
  bytes: Uint8Array,
  cursor: { at: number },
  end = bytes.length,
): number | null {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < MAX_VARINT_BYTES; i++) {
    if (cursor.at >= end) return null;
    const b = bytes[cursor.at++];
    value += (b & 0x7f) * scale;
    if (b < 0x80) return value;
    scale *= 128;
  }
  return null;
}

function readFixed32(bytes: Uint8Array, at: number): number {
  return (bytes[at] | bytes[at + 1] << 8 | bytes[at + 2] << 16 | bytes[at + 3] << 24) >>> 0;
}
