import assert from "node:assert/strict";
import { der } from "./_der_writer.ts";

/** `bytes` as spaced lowercase hex, so that a failure shows where the encodings part. */
function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(" ");
}

function ascii(text: string): string {
  return hex(new TextEncoder().encode(text));
}

Deno.test("der.integer() writes the shortest non-negative two's complement form", () => {
  const cases: [string | Uint8Array, string][] = [
    ["00", "02 01 00"],
    ["7f", "02 01 7f"],
    ["80", "02 02 00 80"], // a high bit needs a 0x00 first, else the value reads as negative
    ["0080", "02 02 00 80"],
    ["00007f", "02 01 7f"], // leading zeros go
    ["000080ff", "02 03 00 80 ff"],
    [new Uint8Array(32), "02 01 00"], // a P1363 half that is all zeros
    ["02", "02 01 02"],
  ];
  for (const [magnitude, expected] of cases) assert.equal(hex(der.integer(magnitude)), expected);
});

Deno.test("der.sequence() and der.octetString() write long-form lengths from 128 bytes", () => {
  // X.690 §8.1.3: short form up to 127, then 0x80 | the count of length bytes, big-endian.
  const cases: [number, string][] = [
    [0, "04 00"],
    [127, "04 7f"],
    [128, "04 81 80"],
    [255, "04 81 ff"],
    [256, "04 82 01 00"],
    [65_535, "04 82 ff ff"],
    [65_536, "04 83 01 00 00"],
  ];
  for (const [length, header] of cases) {
    const element = der.octetString(new Uint8Array(length).fill(0xab));
    const headerLength = header.split(" ").length;
    assert.equal(hex(element.subarray(0, headerLength)), header);
    assert.equal(element.length, headerLength + length);
  }
  const inner = der.octetString(new Uint8Array(200));
  assert.equal(hex(der.sequence(inner, inner).subarray(0, 4)), "30 82 01 96");
  assert.equal(hex(der.sequence()), "30 00");
});

Deno.test("der.oid() writes arcs in base 128 with the first two packed", () => {
  const cases: [string, string][] = [
    ["1.2.840.10045.4.3.2", "06 08 2a 86 48 ce 3d 04 03 02"], // ecdsa-with-SHA256
    ["2.5.29.19", "06 03 55 1d 13"], // basicConstraints
    ["1.3.6.1.5.5.7.3.1", "06 08 2b 06 01 05 05 07 03 01"], // serverAuth
    ["2.5.4.3", "06 03 55 04 03"], // commonName
    ["2.999.3", "06 03 88 37 03"], // X.690 §8.19.5's example: the first subidentifier is 1079
    ["1.2.16384", "06 04 2a 81 80 00"],
  ];
  for (const [dotted, expected] of cases) assert.equal(hex(der.oid(dotted)), expected);
});

Deno.test("der.time() writes UTCTime for 1950 to 2049 and GeneralizedTime otherwise", () => {
  const cases: [string, string][] = [
    ["1949-12-31T23:59:59Z", `18 0f ${ascii("19491231235959Z")}`],
    ["1950-01-01T00:00:00Z", `17 0d ${ascii("500101000000Z")}`],
    ["2026-03-04T05:06:07.890Z", `17 0d ${ascii("260304050607Z")}`], // milliseconds dropped
    ["2049-12-31T23:59:59.999Z", `17 0d ${ascii("491231235959Z")}`],
    ["2050-01-01T00:00:00Z", `18 0f ${ascii("20500101000000Z")}`],
    ["9999-12-31T23:59:59Z", `18 0f ${ascii("99991231235959Z")}`],
  ];
  for (const [iso, expected] of cases) assert.equal(hex(der.time(new Date(iso))), expected, iso);
  assert.throws(() => der.time(new Date("+010000-01-01T00:00:00Z")), RangeError);
});

Deno.test("der.namedBits() drops trailing zero bits as DER requires", () => {
  assert.equal(hex(der.namedBits(5, 6)), "03 02 01 06"); // keyCertSign, cRLSign
  assert.equal(hex(der.namedBits(0)), "03 02 07 80"); // digitalSignature
  assert.equal(hex(der.namedBits(7)), "03 02 00 01");
  assert.equal(hex(der.namedBits(8, 0)), "03 03 07 80 80"); // decipherOnly spills into a second byte
});

Deno.test("der writes the other types with their universal and context-specific tags", () => {
  assert.equal(hex(der.bitString(Uint8Array.of(1, 2))), "03 03 00 01 02");
  assert.equal(hex(der.boolean(true)), "01 01 ff");
  assert.equal(hex(der.boolean(false)), "01 01 00");
  assert.equal(hex(der.set(der.boolean(true))), "31 03 01 01 ff");
  assert.equal(hex(der.explicit(0, der.integer("02"))), "a0 03 02 01 02");
  assert.equal(hex(der.explicit(3, der.sequence())), "a3 02 30 00");
  assert.equal(hex(der.implicit(2, new TextEncoder().encode("a.b"))), `82 03 ${ascii("a.b")}`);
  assert.equal(hex(der.implicit(7, Uint8Array.of(127, 0, 0, 1))), "87 04 7f 00 00 01");
});

Deno.test("der.directoryString() writes PrintableString when it can, else UTF8String", () => {
  for (const text of ["api.openai.com", "Lumen Local CA (0a1b2c3d)", "::1", "a'()+,-./:=? Z"]) {
    assert.equal(
      hex(der.directoryString(text)),
      `13 ${hex(Uint8Array.of(text.length))} ${ascii(text)}`,
    );
  }
  assert.equal(hex(der.directoryString("fe80::1%eth0")), `0c 0c ${ascii("fe80::1%eth0")}`);
  assert.equal(hex(der.directoryString("Zürich")), `0c 07 ${ascii("Zürich")}`);
  assert.equal(hex(der.directoryString("a_b")), `0c 03 ${ascii("a_b")}`);
});
