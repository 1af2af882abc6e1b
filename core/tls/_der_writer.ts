// A minimal DER writer (X.690 §8 and §10): the types an X.509 certificate of Lumen's CA or leaves
// is made of, so that creating them needs no ASN.1 library (the x509 one costs about 11 MB).
// Each encoder returns the element's complete bytes: tag, definite length and contents.

type Bytes = Uint8Array<ArrayBuffer>;

// X.680 §41.4: the characters a PrintableString may hold.
const PRINTABLE_REGEXP = /^[A-Za-z0-9 '()+,\-./:=?]*$/;

/** The DER encoders certificates are built from, named after the ASN.1 types they write. */
export const der = {
  sequence,
  set,
  integer,
  oid,
  bitString,
  namedBits,
  octetString,
  boolean,
  directoryString,
  time,
  explicit,
  implicit,
};

function sequence(...elements: Uint8Array[]): Bytes {
  return element(0x30, concat(elements));
}

/** A SET of one element: Lumen's names hold one attribute per RDN, so nothing needs sorting. */
function set(only: Uint8Array): Bytes {
  return element(0x31, only);
}

/** A non-negative INTEGER from its big-endian magnitude, as hex or bytes. */
function integer(magnitude: string | Uint8Array): Bytes {
  let bytes = typeof magnitude === "string" ? Uint8Array.fromHex(magnitude) : magnitude;
  // X.690 §8.3.2: the shortest two's complement form. Strip leading zeros, then put one back if
  // the high bit is set, else the value would read as negative.
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  bytes = bytes.subarray(start);
  if (bytes.length === 0 || bytes[0] & 0x80) bytes = concat([new Uint8Array(1), bytes]);
  return element(0x02, bytes);
}

/** An OBJECT IDENTIFIER from its dotted-decimal text (X.690 §8.19). */
function oid(dotted: string): Bytes {
  const [first, second, ...rest] = dotted.split(".").map(Number);
  const bytes: number[] = [];
  for (const arc of [40 * first + second, ...rest]) {
    // Base 128, most significant group first; every byte but the last has its high bit set.
    const groups = [arc & 0x7f];
    for (let value = Math.floor(arc / 128); value > 0; value = Math.floor(value / 128)) {
      groups.unshift((value & 0x7f) | 0x80);
    }
    bytes.push(...groups);
  }
  return element(0x06, Uint8Array.from(bytes));
}

/** A BIT STRING of whole bytes: a key or a signature. */
function bitString(bytes: Uint8Array): Bytes {
  return element(0x03, concat([new Uint8Array(1), bytes]));
}

/** A BIT STRING of named bits (KeyUsage): bit 0 is the first byte's high bit. */
function namedBits(...bits: number[]): Bytes {
  // X.690 §11.2.2: DER drops trailing zero bits, so the highest bit set ends the string.
  const last = Math.max(...bits);
  const bytes = new Uint8Array(1 + Math.floor(last / 8) + 1);
  bytes[0] = 7 - (last % 8);
  for (const bit of bits) bytes[1 + Math.floor(bit / 8)] |= 0x80 >> (bit % 8);
  return element(0x03, bytes);
}

function octetString(bytes: Uint8Array): Bytes {
  return element(0x04, bytes);
}

function boolean(value: boolean): Bytes {
  // X.690 §11.1: DER writes TRUE as 0xff.
  return element(0x01, Uint8Array.of(value ? 0xff : 0));
}

/** A name's text: PrintableString when it fits, else UTF8String, as the x509 library chose. */
function directoryString(text: string): Bytes {
  return element(PRINTABLE_REGEXP.test(text) ? 0x13 : 0x0c, new TextEncoder().encode(text));
}

/** A certificate Time: UTCTime for 1950 to 2049, else GeneralizedTime (RFC 5280 §4.1.2.5). */
function time(date: Date): Bytes {
  const year = date.getUTCFullYear();
  if (year < 0 || year > 9999) throw new RangeError(`Cannot write ${year} as a certificate time`);
  // RFC 5280 §4.1.2.5.1-2: UTC, with seconds, without fractions: milliseconds are dropped.
  const digits = date.toISOString().slice(0, 19).replace(/\D/g, "");
  const utc = year >= 1950 && year < 2050;
  return element(utc ? 0x17 : 0x18, new TextEncoder().encode(`${utc ? digits.slice(2) : digits}Z`));
}

/** A context-specific [n] EXPLICIT tag around `inner` (a certificate's version, extensions). */
function explicit(n: number, inner: Uint8Array): Bytes {
  return element(0xa0 | n, inner);
}

/** A context-specific [n] IMPLICIT tag on primitive `contents` (GeneralName, KeyIdentifier). */
function implicit(n: number, contents: Uint8Array): Bytes {
  return element(0x80 | n, contents);
}

/** Tag, length and contents (X.690 §8.1); tag numbers here are all below 31 (one byte). */
function element(tag: number, contents: Uint8Array): Bytes {
  const length = contents.length;
  let header: number[];
  if (length < 0x80) {
    header = [tag, length];
  } else {
    // X.690 §8.1.3.5: long form, the count of length bytes then the length in the fewest bytes.
    const lengthBytes: number[] = [];
    for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) {
      lengthBytes.unshift(rest & 0xff);
    }
    header = [tag, 0x80 | lengthBytes.length, ...lengthBytes];
  }
  return concat([Uint8Array.from(header), contents]);
}

function concat(parts: Uint8Array[]): Bytes {
  const bytes = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    bytes.set(part, offset);
    offset += part.length;
  }
  return bytes;
}
