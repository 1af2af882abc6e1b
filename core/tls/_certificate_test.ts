import assert from "node:assert/strict";
import { parseCertificate, readSubjectPublicKey } from "./_certificate.ts";
import { EC_KEY, EC_SIGNING, toHex } from "./_conventions.ts";
import { fromPem } from "./_pem.ts";
// reflect-metadata must be evaluated before @peculiar/x509 (its ASN.1 schemas use decorators).
import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import { loadOrCreateCa } from "./ca.ts";

const keys = await crypto.subtle.generateKey(EC_KEY, true, ["sign", "verify"]);

/** A self-signed certificate made by x509, as DER. */
async function certificate(
  name: x509.JsonNameParams | string,
  options: { notAfter?: Date; serialNumber?: string } = {},
): Promise<Uint8Array<ArrayBuffer>> {
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: options.serialNumber ?? "01",
    name: new x509.Name(name),
    notBefore: new Date("1990-01-01T00:00:00Z"),
    notAfter: options.notAfter ?? new Date("2040-01-01T00:00:00Z"),
    keys,
    signingAlgorithm: EC_SIGNING,
  });
  return new Uint8Array(cert.rawData);
}

/** Asserts that parseCertificate() reads `der` as x509 does. */
function assertReadsAsX509(der: Uint8Array<ArrayBuffer>) {
  const expected = new x509.X509Certificate(der);
  const fields = parseCertificate(der);
  assert.equal(fields.subject, expected.subject);
  assert.equal(fields.notAfter.getTime(), expected.notAfter.getTime());
  assert.equal(fields.serial, expected.serialNumber);
  assert.deepEqual(fields.spki, new Uint8Array(expected.publicKey.rawData));
}

Deno.test("parseCertificate() reads the CA loadOrCreateCa() creates as x509 does", async () => {
  const home = await Deno.makeTempDir({ prefix: "lumen-certificate-test-" });
  try {
    const ca = await loadOrCreateCa(home);
    const der = fromPem(ca.certPem, "CERTIFICATE");
    assertReadsAsX509(der);
    assert.match(parseCertificate(der).subject, /^CN=Lumen Local CA \([0-9a-f]{8}\), O=Lumen$/);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("parseCertificate() reads the subject's DER and key id that leaves need, as x509 does", async () => {
  const home = await Deno.makeTempDir({ prefix: "lumen-certificate-test-" });
  try {
    const der = fromPem((await loadOrCreateCa(home)).certPem, "CERTIFICATE");
    const expected = new x509.X509Certificate(der);
    const fields = parseCertificate(der);
    assert.deepEqual(fields.subjectDer, new Uint8Array(expected.subjectName.toArrayBuffer()));
    const keyId = expected.getExtension(x509.SubjectKeyIdentifierExtension)!.keyId;
    assert.equal(toHex(fields.subjectKeyId!), keyId);
    // RFC 5280 §4.2.1.2 method 1 hashes these bits: x509's own key id must come out of them.
    const bits = readSubjectPublicKey(fields.spki);
    assert.equal(toHex(new Uint8Array(await crypto.subtle.digest("SHA-1", bits))), keyId);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
  // Without extensions, or without that one, there is no key id.
  assert.equal(parseCertificate(await certificate("CN=x")).subjectKeyId, undefined);
});

Deno.test("parseCertificate() formats a name of several RDNs as x509 does", async () => {
  const names: (x509.JsonNameParams | string)[] = [
    "CN=Lumen Local CA (0a1b2c3d), O=Lumen",
    "CN=api.openai.com",
    [
      { CN: ["a,b+c"], OU: ["Ops"] }, // one RDN of two values
      { O: [{ utf8String: 'Acme; "Inc" <x> \\ ok' }] },
      { C: ["DE"] },
      { E: ["ops@example.com"] }, // IA5String
      { DC: ["example"] },
      { L: [" Zürich "] }, // UTF8String with edge spaces
      { ST: [{ bmpString: "Bäyern" }] },
      { T: ["line\nbreak #"] },
      { "2.5.4.5": ["#020101"] }, // an INTEGER: shown as its DER in hex
      { "1.3.6.1.4.1.311.60.2.1.3": ["US"] }, // an OID without a short name
    ],
  ];
  for (const name of names) assertReadsAsX509(await certificate(name));
});

Deno.test("parseCertificate() reads UTCTime and GeneralizedTime notAfter as x509 does", async () => {
  // X.509 writes years up to 2049 as UTCTime (two digits, 50-99 being 19xx), later ones as
  // GeneralizedTime (RFC 5280 §4.1.2.5).
  for (const notAfter of ["1999-12-31T23:59:59Z", "2049-12-31T23:59:59Z", "2060-02-29T12:34:56Z"]) {
    const der = await certificate("CN=x", { notAfter: new Date(notAfter) });
    assertReadsAsX509(der);
    assert.equal(parseCertificate(der).notAfter.toISOString(), new Date(notAfter).toISOString());
  }
});

Deno.test("parseCertificate() drops only DER's sign byte from the serial, as x509 does", async () => {
  for (const serialNumber of ["ff01", "7f", "0100"]) {
    assertReadsAsX509(await certificate("CN=x", { serialNumber }));
  }
});

Deno.test("parseCertificate() refuses malformed DER with a SyntaxError", async () => {
  const der = await certificate("CN=x", { notAfter: new Date("2036-01-01T00:00:00Z") });
  const time = new TextEncoder().encode("360101000000Z");
  const at = der.findIndex((_, i) => time.every((byte, j) => der[i + j] === byte));
  const badMonth = der.slice();
  badMonth.set(new TextEncoder().encode("3613"), at);
  const indefinite = der.slice();
  indefinite[1] = 0x80;
  const malformed = {
    empty: new Uint8Array(),
    truncated: der.slice(0, -1),
    "trailing byte": new Uint8Array([...der, 0]),
    "indefinite length": indefinite,
    "month 13": badMonth,
    "not a certificate": new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x01]),
    text: new TextEncoder().encode("garbage"),
  };
  for (const [what, bytes] of Object.entries(malformed)) {
    assert.throws(() => parseCertificate(bytes), SyntaxError, what);
  }
});
