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
 * Returns the last length-delimited value of `field` among decoded fields (protobuf's "last one
 * wins" for a singular field), or null when there is none.
 */
export function lastProtoBytes(fields: ProtoField[], field: number): Uint8Array | null {
  let found: Uint8Array | null = null;
  for (const f of fields) if (f.field === field && f.value instanceof Uint8Array) found = f.value;
  return found;
}

// Reads a base-128 varint at cursor.at and advances it; null when truncated or over 10 bytes.
function readVarint(bytes: Uint8Array, cursor: { at: number }): number | null {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < MAX_VARINT_BYTES; i++) {
    if (cursor.at >= bytes.length) return null;
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
