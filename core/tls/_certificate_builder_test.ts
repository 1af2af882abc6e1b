import assert from "node:assert/strict";
import { createPublicKey, verify, X509Certificate as NodeX509 } from "node:crypto";
import { isIP } from "node:net";
// reflect-metadata must be evaluated before @peculiar/x509 (its ASN.1 schemas use decorators).
import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import { parseCertificate } from "./_certificate.ts";
import { buildCertificate, distinguishedName, signatureToDer } from "./_certificate_builder.ts";
import { DAY_MS, EC_KEY, EC_SIGNING, randomSerial } from "./_conventions.ts";
import { extensions, KEY_USAGE } from "./_extensions.ts";
import { fromPem } from "./_pem.ts";
import { type CertificateAuthority, loadOrCreateCa } from "./ca.ts";
import { createLeafCache } from "./leaf_cache.ts";

const home = await Deno.makeTempDir({ prefix: "lumen-builder-test-" });
const ca = await loadOrCreateCa(home);
await Deno.remove(home, { recursive: true });
const caCertificate = new x509.X509Certificate(ca.certPem);
const keys = await crypto.subtle.generateKey(EC_KEY, true, ["sign", "verify"]);
const spki = new Uint8Array(await crypto.subtle.exportKey("spki", keys.publicKey));

/**
 * The certificate @peculiar/x509 writes for `der`'s serial, validity, key and signature with the
 * names and extensions Lumen asked it for before it built certificates itself.
 */
async function rewriteWithX509(
  der: Uint8Array<ArrayBuffer>,
  fields: Pick<x509.X509CertificateCreateWithSignatureParams, "subject" | "issuer" | "extensions">,
): Promise<Uint8Array> {
  const cert = new x509.X509Certificate(der);
  // ECDSA signatures are randomized: x509 re-encodes this one rather than signing again.
  const signature = new x509.AsnEcSignatureFormatter().toWebSignature(EC_KEY, cert.signature)!;
  const rewritten = await x509.X509CertificateGenerator.create({
    ...fields,
    serialNumber: cert.serialNumber,
    notBefore: cert.notBefore,
    notAfter: cert.notAfter,
    publicKey: cert.publicKey,
    signature,
    signingAlgorithm: EC_SIGNING,
  });
  return new Uint8Array(rewritten.rawData);
}

/** The extensions every leaf carried, from leaf_cache.ts as it was with x509. */
async function x509LeafExtensions(issuer: x509.X509Certificate, host: string) {
  const caKeyId = issuer.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId;
  return [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
    caKeyId
      ? new x509.AuthorityKeyIdentifierExtension(caKeyId)
      : await x509.AuthorityKeyIdentifierExtension.create(issuer.publicKey),
    new x509.SubjectAlternativeNameExtension([{ type: isIP(host) ? "ip" : "dns", value: host }]),
  ];
}

Deno.test("buildCertificate() writes the CA certificate x509 wrote, byte for byte", async () => {
  const der = fromPem(ca.certPem, "CERTIFICATE");
  const name = ca.subject; // "CN=Lumen Local CA (<id>), O=Lumen", as createCa() gave it to x509
  const expected = await rewriteWithX509(der, {
    subject: name,
    issuer: name,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(caCertificate.publicKey),
    ],
  });
  assert.deepEqual(der, expected);
});

Deno.test("buildCertificate() writes the leaves x509 wrote, byte for byte", async () => {
  const cache = createLeafCache(ca);
  const hosts = ["api.openai.com", "127.0.0.1", "::1", "2001:db8::8a2e:370:7334", "fe80::1%eth0"];
  for (const host of hosts) {
    const der = fromPem((await cache.get(host)).certPem, "CERTIFICATE");
    const expected = await rewriteWithX509(der, {
      subject: [{ CN: [host] }],
      issuer: caCertificate.subjectName,
      extensions: await x509LeafExtensions(caCertificate, host),
    });
    assert.deepEqual(der, expected, host);
    const leaf = new x509.X509Certificate(der);
    assert.equal(leaf.notAfter.getTime() - leaf.notBefore.getTime(), 199 * DAY_MS);
  }
});

Deno.test("buildCertificate() names a CA without a key id by its key's SHA-1, as x509 did", async () => {
  // A CA made elsewhere: a UTF8String name, no SubjectKeyIdentifier.
  const other = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: "01",
    name: new x509.Name([{ CN: [{ utf8String: "Other CA" }] }, { O: ["Elsewhere"] }]),
    notBefore: new Date(Date.now() - DAY_MS),
    notAfter: new Date(Date.now() + 365 * DAY_MS),
    keys,
    signingAlgorithm: EC_SIGNING,
    extensions: [new x509.BasicConstraintsExtension(true, 0, true)],
  });
  const fields = parseCertificate(new Uint8Array(other.rawData));
  assert.equal(fields.subjectKeyId, undefined);
  const otherCa: CertificateAuthority = {
    certPem: other.toString("pem"),
    certPath: "",
    keyPath: "",
    fingerprintSha256: "",
    notAfter: fields.notAfter,
    subject: fields.subject,
    certificate: fields,
    privateKey: keys.privateKey,
  };
  const der = fromPem((await createLeafCache(otherCa).get("example.org")).certPem, "CERTIFICATE");
  const expected = await rewriteWithX509(der, {
    subject: [{ CN: ["example.org"] }],
    issuer: other.subjectName,
    extensions: await x509LeafExtensions(other, "example.org"),
  });
  assert.deepEqual(der, expected);
  assert.equal(new NodeX509(der).verify(new NodeX509(otherCa.certPem).publicKey), true);
});

Deno.test("signatureToDer() writes r and s as minimal positive INTEGERs", () => {
  const cases: [Uint8Array, Uint8Array, string][] = [
    [
      half([0x80], 1),
      half([0x7f], 2),
      `30 45 02 21 00 80 ${"01 ".repeat(31)}02 20 7f ${"02 ".repeat(31)}`,
    ],
    [
      half([0, 0, 0x7f], 3),
      half([0xff], 4),
      `30 43 02 1e 7f ${"03 ".repeat(29)}02 21 00 ff ${"04 ".repeat(31)}`,
    ],
    [half([0, 0x80], 5), half([], 0), `30 25 02 20 00 80 ${"05 ".repeat(30)}02 01 00`],
    [half([], 0).with(31, 1), half([0x01], 6), `30 25 02 01 01 02 20 01 ${"06 ".repeat(31)}`],
  ];
  for (const [r, s, expected] of cases) {
    const p1363 = new Uint8Array([...r, ...s]);
    const der = signatureToDer(p1363);
    assert.equal(
      Array.from(der, (b) => b.toString(16).padStart(2, "0")).join(" "),
      expected.trim(),
    );
    // x509 converted WebCrypto's signatures the same way.
    const x509Der = new x509.AsnEcSignatureFormatter().toAsnSignature(EC_SIGNING, p1363);
    if (r.some((b) => b) && s.some((b) => b)) assert.deepEqual(der, new Uint8Array(x509Der!));
  }
});

Deno.test("signatureToDer() signatures verify with node:crypto, high bits and leading zeros too", async () => {
  const key = createPublicKey({ key: Buffer.from(spki), format: "der", type: "spki" });
  const seen = { highBit: false, leadingZero: false };
  // Each half has its high bit set half of the time and a leading zero byte 1 time in 256.
  for (let i = 0; i < 20_000 && !(seen.highBit && seen.leadingZero); i++) {
    const data = crypto.getRandomValues(new Uint8Array(32));
    const p1363 = new Uint8Array(await crypto.subtle.sign(EC_SIGNING, keys.privateKey, data));
    seen.highBit ||= p1363[0] >= 0x80 || p1363[32] >= 0x80;
    seen.leadingZero ||= p1363[0] === 0 || p1363[32] === 0;
    assert.ok(verify("sha256", data, { key, dsaEncoding: "der" }, signatureToDer(p1363)));
  }
  assert.deepEqual(seen, { highBit: true, leadingZero: true });
});

Deno.test("buildCertificate() writes times on both sides of 2050 that node:crypto reads back", async () => {
  const bounds = [
    ["1949-12-31T23:59:59Z", "1950-01-01T00:00:00Z"],
    ["2049-12-31T23:59:59Z", "2050-01-01T00:00:00Z"],
    ["2026-01-01T00:00:00Z", "2060-02-29T12:34:56Z"],
  ];
  for (const [notBefore, notAfter] of bounds) {
    const der = await selfSigned({ notBefore: new Date(notBefore), notAfter: new Date(notAfter) });
    const cert = new NodeX509(der);
    assert.equal(cert.validFromDate.toISOString(), new Date(notBefore).toISOString());
    assert.equal(cert.validToDate.toISOString(), new Date(notAfter).toISOString());
    assert.equal(parseCertificate(der).notAfter.toISOString(), new Date(notAfter).toISOString());
    assert.equal(cert.verify(cert.publicKey), true);
  }
});

Deno.test("buildCertificate() writes long-form lengths that node:crypto and openssl read", async () => {
  // A 300-character name pushes the Name, the TBSCertificate and the certificate past 255 bytes.
  const host = `${"a".repeat(63)}.${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(63)}.example`;
  const der = await selfSigned({ subject: distinguishedName(host, "Lumen") });
  const cert = new NodeX509(der);
  assert.equal(cert.subject, `CN=${host}\nO=Lumen`);
  assert.equal(cert.verify(cert.publicKey), true);
  const out = await new Deno.Command("openssl", {
    args: ["x509", "-inform", "DER", "-noout", "-subject"],
    stdin: "piped",
    stdout: "piped",
  }).spawn();
  const writer = out.stdin.getWriter();
  await writer.write(der);
  await writer.close();
  const { code, stdout } = await out.output();
  assert.equal(code, 0);
  assert.equal(new TextDecoder().decode(stdout), `subject=CN = ${host}, O = Lumen\n`);
});

/** A 32-byte P1363 half: `first`, then `fill` to the end. */
function half(first: number[], fill: number): Uint8Array {
  const bytes = new Uint8Array(32).fill(fill);
  bytes.set(first);
  return bytes;
}

/** A self-signed certificate from the test's key pair, the CA's extensions and `overrides`. */
function selfSigned(
  overrides: { notBefore?: Date; notAfter?: Date; subject?: Uint8Array },
): Promise<Uint8Array<ArrayBuffer>> {
  const name = overrides.subject ?? distinguishedName("Builder Test CA");
  return buildCertificate({
    serial: randomSerial(),
    issuer: name,
    subject: name,
    notBefore: overrides.notBefore ?? new Date(Date.now() - DAY_MS),
    notAfter: overrides.notAfter ?? new Date(Date.now() + DAY_MS),
    spki,
    extensions: [
      extensions.basicConstraints({ ca: true, pathLength: 0 }),
      extensions.keyUsage(KEY_USAGE.keyCertSign, KEY_USAGE.cRLSign),
    ],
  }, keys.privateKey);
}
