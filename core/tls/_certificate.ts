// A minimal DER reader for X.509 certificates (RFC 5280 §4.1): what loading the CA, `lumen ca`
// and minting leaves need, so that none loads the x509 library. It reads the TBSCertificate up to
// the subject's public key, and of the extensions only the subject key identifier; it checks the
// rest of the structure only as far as lengths and tags go.
import { toHex } from "./_conventions.ts";

/** The fields parseCertificate() reads from a DER certificate. */
export interface CertificateFields {
  /** The serial number in lowercase hex, without DER's sign byte, as x509 and certutil show it. */
  serial: string;
  notAfter: Date;
  /** The subject as x509 formats it: `CN=…, O=…`, RDNs in certificate order, RFC 4514 escapes. */
  subject: string;
  /** The subject Name as DER, which the leaves copy as their issuer so that chains match. */
  subjectDer: Uint8Array<ArrayBuffer>;
  /** The SubjectKeyIdentifier extension's key id; a CA made elsewhere may lack one. */
  subjectKeyId?: Uint8Array<ArrayBuffer>;
  /** The DER SubjectPublicKeyInfo, as crypto.subtle.importKey("spki", …) takes it. */
  spki: Uint8Array<ArrayBuffer>;
}

/** One DER element: its tag byte, its contents, and all of its bytes. */
interface Element {
  tag: number;
  contents: Uint8Array<ArrayBuffer>;
  bytes: Uint8Array<ArrayBuffer>;
}

const SEQUENCE = 0x30;
const SET = 0x31;
const INTEGER = 0x02;
const BIT_STRING = 0x03;
const OCTET_STRING = 0x04;
const OBJECT_IDENTIFIER = 0x06;
const UTC_TIME = 0x17;
const GENERALIZED_TIME = 0x18;
const VERSION = 0xa0; // [0] EXPLICIT
const EXTENSIONS = 0xa3; // [3] EXPLICIT
const SUBJECT_KEY_IDENTIFIER = "2.5.29.14";
const ANY = -1;

// The attribute types x509 shows by short name (RFC 4514 §3 and a few more); others show as OIDs.
const NAMES: Record<string, string> = {
  "2.5.4.3": "CN",
  "2.5.4.7": "L",
  "2.5.4.8": "ST",
  "2.5.4.10": "O",
  "2.5.4.11": "OU",
  "2.5.4.6": "C",
  "0.9.2342.19200300.100.1.25": "DC",
  "1.2.840.113549.1.9.1": "E",
  "2.5.4.42": "G",
  "2.5.4.43": "I",
  "2.5.4.4": "SN",
  "2.5.4.12": "T",
};

// RFC 5280 §4.1.2.5: both forms are in UTC ("Z") with seconds and no fraction.
const UTC_TIME_REGEXP = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/;
const GENERALIZED_TIME_REGEXP = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/;

/** Reads a DER certificate; throws a SyntaxError when it is not one. */
export function parseCertificate(der: Uint8Array<ArrayBuffer>): CertificateFields {
  const [certificate] = readAll(der, [SEQUENCE], "certificate");
  const [tbs] = readAll(certificate.contents, [SEQUENCE, SEQUENCE, BIT_STRING], "certificate");
  const fields = readElements(tbs.contents);
  const [serial, , , validity, subject, spki, ...optional] = fields[0]?.tag === VERSION
    ? fields.slice(1)
    : fields;
  expect(serial, INTEGER, "serial number");
  const times = expect(validity, SEQUENCE, "validity").contents;
  const [, notAfter] = readAll(times, [ANY, ANY], "validity");
  const extensions = optional.find((element) => element.tag === EXTENSIONS);
  return {
    // A leading 0x00 only keeps a high first bit from reading as negative.
    serial: toHex(
      serial.contents[0] === 0 && serial.contents[1] > 0x7f
        ? serial.contents.subarray(1)
        : serial.contents,
    ),
    notAfter: readTime(notAfter),
    subject: formatName(expect(subject, SEQUENCE, "subject")),
    subjectDer: subject.bytes,
    subjectKeyId: extensions && readSubjectKeyId(extensions),
    spki: expect(spki, SEQUENCE, "subject public key info").bytes,
  };
}

/** The public key bits of a DER SubjectPublicKeyInfo, without the BIT STRING's unused-bits byte. */
export function readSubjectPublicKey(spki: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer> {
  const [info] = readAll(spki, [SEQUENCE], "subject public key info");
  const [, key] = readAll(info.contents, [SEQUENCE, BIT_STRING], "subject public key info");
  return key.contents.subarray(1);
}

/** The key id in the extensions [3] (RFC 5280 §4.2.1.2), or undefined without one. */
function readSubjectKeyId(extensions: Element): Uint8Array<ArrayBuffer> | undefined {
  const [list] = readAll(extensions.contents, [SEQUENCE], "extensions");
  for (const extension of readElements(list.contents)) {
    // Extension ::= SEQUENCE { extnID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }
    const [id, ...rest] = readElements(expect(extension, SEQUENCE, "extension").contents);
    const oid = readOid(expect(id, OBJECT_IDENTIFIER, "extension id").contents);
    if (oid !== SUBJECT_KEY_IDENTIFIER) continue;
    const value = expect(rest.at(-1), OCTET_STRING, "extension value");
    const [keyId] = readAll(value.contents, [OCTET_STRING], "subject key identifier");
    return keyId.contents;
  }
  return undefined;
}

/** The elements filling `bytes`, which must have the given tags (or ANY). */
function readAll(
  bytes: Uint8Array<ArrayBuffer>,
  tags: number[],
  what: string,
): Element[] {
  const elements = readElements(bytes);
  const fits = elements.length === tags.length &&
    elements.every((element, i) => tags[i] === ANY || element.tag === tags[i]);
  if (!fits) throw new SyntaxError(`Malformed certificate: unexpected ${what} structure`);
  return elements;
}

/** The elements that fill `bytes` back to back. */
function readElements(bytes: Uint8Array<ArrayBuffer>): Element[] {
  const elements: Element[] = [];
  for (let offset = 0; offset < bytes.length;) {
    const element = readElement(bytes, offset);
    elements.push(element);
    offset += element.bytes.length;
  }
  return elements;
}

/** The element at `offset` (X.690 §8.1): one tag byte, a definite length, the contents. */
function readElement(bytes: Uint8Array<ArrayBuffer>, offset: number): Element {
  const tag = bytes[offset];
  let length = bytes[offset + 1];
  let start = offset + 2;
  // Tag numbers above 30 take more bytes; no field read here has one.
  if ((tag & 0x1f) === 0x1f) throw new SyntaxError(`Malformed DER: long tag at byte ${offset}`);
  if (length > 0x80 && length <= 0x84) {
    const count = length & 0x7f;
    length = 0;
    for (const byte of bytes.subarray(start, start + count)) length = length * 256 + byte;
    start += count;
  } else if (length === undefined || length >= 0x80) {
    // 0x80 is BER's indefinite length, which DER forbids (X.690 §10.1).
    throw new SyntaxError(`Malformed DER: bad length at byte ${offset}`);
  }
  const end = start + length;
  if (end > bytes.length) throw new SyntaxError(`Malformed DER: truncated at byte ${offset}`);
  return { tag, contents: bytes.subarray(start, end), bytes: bytes.subarray(offset, end) };
}

function expect(element: Element | undefined, tag: number, what: string): Element {
  if (element?.tag !== tag) throw new SyntaxError(`Malformed certificate: no ${what}`);
  return element;
}

function readTime(element: Element): Date {
  const text = latin1(element.contents);
  const utc = element.tag === UTC_TIME && UTC_TIME_REGEXP.exec(text);
  const generalized = element.tag === GENERALIZED_TIME && GENERALIZED_TIME_REGEXP.exec(text);
  const parts = utc
    // RFC 5280 §4.1.2.5.1: two-digit years from 50 are 19xx, the others 20xx.
    ? [`${Number(utc[1]) >= 50 ? 19 : 20}${utc[1]}`, ...utc.slice(2)]
    : generalized
    ? generalized.slice(1)
    : [];
  const [year, month, day, hour, minute, second] = parts;
  const iso = `${year}-${month}-${day}T${hour}:${minute}:${second}.000Z`;
  const date = new Date(iso);
  // The round trip refuses what Date would otherwise roll over, such as February 30.
  if (parts.length === 0 || Number.isNaN(date.getTime()) || date.toISOString() !== iso) {
    throw new SyntaxError(`Malformed certificate: bad notAfter time "${text}"`);
  }
  return date;
}

/** `name` as x509 formats a Name: RDNs joined by ", ", the values of one RDN by "+". */
function formatName(name: Element): string {
  return readElements(name.contents).map((rdn) =>
    readElements(expect(rdn, SET, "RDN").contents).map((attribute) => {
      const [type, value] = readAll(
        expect(attribute, SEQUENCE, "attribute").contents,
        [OBJECT_IDENTIFIER, ANY],
        "attribute",
      );
      const oid = readOid(type.contents);
      return `${NAMES[oid] ?? oid}=${formatValue(value)}`;
    }).join("+")
  ).join(", ");
}

/** A DirectoryString as RFC 4514 §2.4 writes it; other values as "#" and their DER in hex. */
function formatValue(value: Element): string {
  let text: string;
  switch (value.tag) {
    case 0x0c: // UTF8String
      text = new TextDecoder().decode(value.contents);
      break;
    case 0x13: // PrintableString
    case 0x16: // IA5String
      text = latin1(value.contents);
      break;
    case 0x1e: // BMPString
      text = new TextDecoder("utf-16be").decode(value.contents);
      break;
    default:
      return `#${toHex(value.bytes)}`;
  }
  return text
    .replace(/[,+"\\<>;]/g, "\\$&")
    .replace(/^[ #]/, "\\$&")
    .replace(/ $/, "\\ ")
    .replace(
      /[\r\n\t]/g,
      (c) => `\\${c.charCodeAt(0).toString(16).padStart(2, "0").toUpperCase()}`,
    );
}

/** Dotted-decimal text of an OBJECT IDENTIFIER's contents (X.690 §8.19). */
function readOid(contents: Uint8Array): string {
  const arcs: number[] = [];
  let arc = 0;
  for (const byte of contents) {
    arc = arc * 128 + (byte & 0x7f);
    if (byte & 0x80) continue;
    arcs.push(arc);
    arc = 0;
  }
  if (arcs.length === 0 || contents[contents.length - 1] & 0x80) {
    throw new SyntaxError("Malformed certificate: bad object identifier");
  }
  // The first subidentifier packs the first two arcs: 40 × first + second, the first at most 2.
  const first = Math.min(Math.floor(arcs[0] / 40), 2);
  return [first, arcs[0] - 40 * first, ...arcs.slice(1)].join(".");
}

function latin1(bytes: Uint8Array): string {
  return String.fromCharCode(...bytes);
}
