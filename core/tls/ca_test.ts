import assert from "node:assert/strict";
import { X509Certificate as NodeX509 } from "node:crypto";
import { CaError, loadOrCreateCa } from "./ca.ts";
// reflect-metadata must be evaluated before @peculiar/x509 (its ASN.1 schemas use decorators).
import "reflect-metadata";
import * as x509 from "@peculiar/x509";

async function tempHome() {
  const path = await Deno.makeTempDir({ prefix: "lumen-ca-test-" });
  return { path, [Symbol.asyncDispose]: () => Deno.remove(path, { recursive: true }) };
}

Deno.test("loadOrCreateCa() creates a CA certificate file without the key and a 0600 key file", async () => {
  await using home = await tempHome();
  const ca = await loadOrCreateCa(home.path);

  const certText = await Deno.readTextFile(ca.certPath);
  assert.equal(certText, ca.certPem);
  assert.deepEqual(certText.match(/-----BEGIN [A-Z ]+-----/g), ["-----BEGIN CERTIFICATE-----"]);
  assert.match(await Deno.readTextFile(ca.keyPath), /^-----BEGIN PRIVATE KEY-----\n/);
  if (Deno.build.os !== "windows") assert.equal(Deno.statSync(ca.keyPath).mode! & 0o777, 0o600);
  const names = [...Deno.readDirSync(home.path)].map((entry) => entry.name).sort();
  assert.deepEqual(names, ["ca-key.pem", "ca.pem"]);

  const cert = new x509.X509Certificate(certText);
  assert.match(ca.subject, /^CN=Lumen Local CA \([0-9a-f]{8}\), O=Lumen$/);
  assert.equal(cert.subject, ca.subject);
  assert.equal(await cert.isSelfSigned(), true);
  const constraints = cert.getExtension(x509.BasicConstraintsExtension)!;
  assert.deepEqual([constraints.ca, constraints.pathLength, constraints.critical], [true, 0, true]);
  const usage = cert.getExtension(x509.KeyUsagesExtension)!;
  assert.equal(usage.usages, x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign);
  assert.equal(usage.critical, true);
  assert.ok(cert.getExtension(x509.SubjectKeyIdentifierExtension));
  assert.ok(cert.notBefore.getTime() < Date.now() - 23 * 3600_000);
  assert.ok(cert.notAfter.getTime() > Date.now() + 9 * 365 * 86_400_000);
  assert.equal(ca.notAfter.getTime(), cert.notAfter.getTime());
  assert.match(ca.fingerprintSha256, /^[0-9A-F]{2}(?::[0-9A-F]{2}){31}$/);
});

Deno.test("loadOrCreateCa() creates a self-signed CA that node:crypto reads as one", async () => {
  await using home = await tempHome();
  const ca = await loadOrCreateCa(home.path);
  const cert = new NodeX509(ca.certPem);
  assert.equal(cert.subject, ca.subject.replace(", ", "\n"));
  assert.equal(cert.issuer, cert.subject);
  assert.equal(cert.ca, true);
  // Deno lists the KeyUsage bits here (Node lists the ExtendedKeyUsage OIDs).
  assert.deepEqual(cert.keyUsage, ["KeyCertSign", "CRLSign"]);
  assert.equal(cert.subjectAltName, undefined);
  assert.ok(cert.validFromDate.getTime() < Date.now() - 23 * 3600_000);
  assert.equal(cert.validToDate.getTime(), ca.notAfter.getTime());
  assert.equal(cert.verify(cert.publicKey), true);
  assert.equal(cert.checkIssued(cert), true);
  assert.equal(cert.fingerprint256, ca.fingerprintSha256);
});

Deno.test("loadOrCreateCa() reuses the CA on later starts", async () => {
  await using home = await tempHome();
  const first = await loadOrCreateCa(home.path);
  const key = await Deno.readTextFile(first.keyPath);
  const second = await loadOrCreateCa(home.path);
  assert.equal(second.fingerprintSha256, first.fingerprintSha256);
  assert.equal(await Deno.readTextFile(second.keyPath), key);
  assert.equal(second.certPem, first.certPem);
});

Deno.test("loadOrCreateCa() creates a different CA for each home", async () => {
  await using a = await tempHome();
  await using b = await tempHome();
  const [caA, caB] = [await loadOrCreateCa(a.path), await loadOrCreateCa(b.path)];
  assert.notEqual(caA.fingerprintSha256, caB.fingerprintSha256);
  assert.notEqual(caA.subject, caB.subject);
});

Deno.test("loadOrCreateCa() creates one CA when called concurrently", async () => {
  await using home = await tempHome();
  const cas = await Promise.all(Array.from({ length: 5 }, () => loadOrCreateCa(home.path)));
  const fingerprints = new Set(cas.map((ca) => ca.fingerprintSha256));
  assert.equal(fingerprints.size, 1);
  assert.equal((await loadOrCreateCa(home.path)).fingerprintSha256, cas[0].fingerprintSha256);
});

Deno.test("loadOrCreateCa() waits while another process holds the lock", async () => {
  await using home = await tempHome();
  await Deno.writeFile(`${home.path}/ca.lock`, new Uint8Array());
  const released = new Promise((resolve) =>
    setTimeout(() => resolve(Deno.remove(`${home.path}/ca.lock`)), 150)
  );
  const ca = await loadOrCreateCa(home.path);
  await released;
  assert.equal((await loadOrCreateCa(home.path)).fingerprintSha256, ca.fingerprintSha256);
});

Deno.test({
  name: "loadOrCreateCa() refuses a key file other users can read",
  ignore: Deno.build.os === "windows",
  fn: async () => {
    await using home = await tempHome();
    const ca = await loadOrCreateCa(home.path);
    await Deno.chmod(ca.keyPath, 0o640);
    await assert.rejects(loadOrCreateCa(home.path), (error: Error) => {
      assert.ok(error instanceof CaError);
      assert.match(error.message, /chmod 600/);
      assert.ok(error.message.includes(ca.keyPath));
      return true;
    });
  },
});

for (const missing of ["ca.pem", "ca-key.pem"]) {
  Deno.test(`loadOrCreateCa() refuses to start when only ${missing} is missing`, async () => {
    await using home = await tempHome();
    await loadOrCreateCa(home.path);
    await Deno.remove(`${home.path}/${missing}`);
    await assert.rejects(loadOrCreateCa(home.path), (error: Error) => {
      assert.ok(error instanceof CaError);
      assert.ok(error.message.includes(`${home.path}/${missing}" does not`), error.message);
      assert.match(error.message, /remove both ca\.pem and ca-key\.pem/);
      return true;
    });
    const left = [...Deno.readDirSync(home.path)].map((entry) => entry.name);
    assert.deepEqual(left, [missing === "ca.pem" ? "ca-key.pem" : "ca.pem"]);
  });
}

Deno.test("loadOrCreateCa() refuses a key that belongs to another CA", async () => {
  await using a = await tempHome();
  await using b = await tempHome();
  const caA = await loadOrCreateCa(a.path);
  const caB = await loadOrCreateCa(b.path);
  await Deno.writeTextFile(caA.keyPath, await Deno.readTextFile(caB.keyPath));
  await assert.rejects(loadOrCreateCa(a.path), CaError, `"${caA.keyPath}": it is not the key of`);
  assert.equal(await Deno.readTextFile(caA.certPath), caA.certPem);
});

for (
  const [file, what, text] of [
    ["ca.pem", "no PEM block", "garbage"],
    // DER for SEQUENCE { INTEGER 1 }: well-formed, but not a certificate.
    [
      "ca.pem",
      "DER that is not a certificate",
      "-----BEGIN CERTIFICATE-----\nMAMCAQE=\n-----END CERTIFICATE-----\n",
    ],
    [
      "ca-key.pem",
      "a key that is not one",
      "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
    ],
  ]
) {
  Deno.test(`loadOrCreateCa() refuses a ${file} with ${what} and keeps it`, async () => {
    await using home = await tempHome();
    await loadOrCreateCa(home.path);
    await Deno.writeTextFile(`${home.path}/${file}`, text);
    await assert.rejects(loadOrCreateCa(home.path), (error: Error) => {
      assert.ok(error instanceof CaError);
      assert.ok(error.message.includes(`${home.path}/${file}`), error.message);
      assert.match(error.message, /remove both/);
      return true;
    });
    assert.equal(await Deno.readTextFile(`${home.path}/${file}`), text);
  });
}
