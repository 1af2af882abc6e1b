import assert from "node:assert/strict";
import { protoBytes, protoVarint } from "./_contract_connect.ts";
import { findProtoBytes, readProtoFields } from "./protobuf.ts";

Deno.test("readProtoFields() reads varint, fixed64, length-delimited and fixed32 fields", () => {
  const bytes = Uint8Array.of(
    0x08,
    0x96,
    0x01, // field 1 varint 150
    0x11,
    1,
    0,
    0,
    0,
    1,
    0,
    0,
    0, // field 2 fixed64 2^32 + 1
    0x1a,
    0x02,
    0x68,
    0x69, // field 3 "hi"
    0x25,
    0xff,
    0xff,
    0xff,
    0xff, // field 4 fixed32 2^32 - 1
  );
  const fields = readProtoFields(bytes)!;
  assert.deepEqual(fields.map((f) => [f.field, f.wireType]), [[1, 0], [2, 1], [3, 2], [4, 5]]);
  assert.equal(fields[0].value, 150);
  assert.equal(fields[1].value, 2 ** 32 + 1);
  assert.deepEqual(fields[2].value, Uint8Array.of(0x68, 0x69));
  assert.equal(fields[3].value, 2 ** 32 - 1);
});

Deno.test("readProtoFields() reads large varints and high field numbers", () => {
  const fields = readProtoFields(protoVarint(536_870_911, 786_003_000_123))!;
  assert.deepEqual(fields, [{ field: 536_870_911, wireType: 0, value: 786_003_000_123 }]);
  // A negative int32 is a 10-byte varint: read, not rejected.
  const negative = Uint8Array.of(0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01);
  assert.equal(readProtoFields(negative)?.length, 1);
});

Deno.test("readProtoFields() returns null for malformed messages", () => {
  const malformed = [
    Uint8Array.of(0x08), // varint missing
    Uint8Array.of(0x08, 0x80), // varint cut
    Uint8Array.of(0x12, 0x05, 0x61), // length past the end
    Uint8Array.of(0x0b), // group start (wire type 3)
    Uint8Array.of(0x0e, 0x00), // wire type 6
    Uint8Array.of(0x02, 0x00), // field number 0
    Uint8Array.of(0x09, 1, 2, 3), // fixed64 cut
    Uint8Array.of(0x08, ...new Array(11).fill(0xff)), // varint over 10 bytes
  ];
  for (const bytes of malformed) {
    assert.equal(readProtoFields(bytes), null, bytes.join(","));
    assert.equal(findProtoBytes(bytes, [1]), undefined, bytes.join(","));
  }
  assert.deepEqual(readProtoFields(new Uint8Array()), []);
  assert.equal(findProtoBytes(new Uint8Array(), [1]), null);
});

Deno.test("findProtoBytes() returns the last occurrence of a message field, past other types", () => {
  const bytes = Uint8Array.from([
    ...protoBytes(1, "a"),
    ...protoVarint(1, 5),
    ...protoBytes(1, "b"),
    ...protoBytes(3, "c"),
  ]);
  assert.deepEqual(findProtoBytes(bytes, [1]), new TextEncoder().encode("b"));
  assert.deepEqual(findProtoBytes(bytes, [3]), new TextEncoder().encode("c"));
  assert.equal(findProtoBytes(bytes, [2]), null);
  // fixed64 and fixed32 fields are stepped over.
  const fixed = Uint8Array.of(
    0x09,
    1,
    2,
    3,
    4,
    5,
    6,
    7,
    8,
    0x15,
    1,
    2,
    3,
    4,
    ...protoBytes(1, "d"),
  );
  assert.deepEqual(findProtoBytes(fixed, [1]), new TextEncoder().encode("d"));
});

Deno.test("findProtoBytes() follows a path of nested messages, the last occurrence at each level", () => {
  const inner = (text: string) => protoBytes(2, text);
  const bytes = Uint8Array.from([
    ...protoBytes(1, Uint8Array.from(inner("x"))),
    ...protoBytes(1, Uint8Array.from([...inner("y"), ...protoVarint(3, 7)])),
  ]);
  assert.deepEqual(findProtoBytes(bytes, [1, 2]), new TextEncoder().encode("y"));
  assert.equal(findProtoBytes(bytes, [1, 4]), null);
  // A nested value that is not a message is absent, not a malformed outer message.
  const notMessage = Uint8Array.from(protoBytes(1, Uint8Array.of(0x0b)));
  assert.equal(findProtoBytes(notMessage, [1, 2]), null);
  // A field inside the nested value never leaks out of its bounds into the bytes after it.
  const empty = Uint8Array.from([...protoBytes(1, new Uint8Array()), ...protoBytes(2, "z")]);
  assert.equal(findProtoBytes(empty, [1, 2]), null);
});
