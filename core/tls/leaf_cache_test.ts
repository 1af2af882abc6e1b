import assert from "node:assert/strict";
import { X509Certificate as NodeX509 } from "node:crypto";
import type { AddressInfo } from "node:net";
import tls from "node:tls";
import { loadOrCreateCa } from "./ca.ts";
import { createLeafCache } from "./leaf_cache.ts";
// reflect-metadata must be evaluated before @peculiar/x509 (its ASN.1 schemas use decorators).
import "reflect-metadata";
import * as x509 from "@peculiar/x509";

const DAY_MS = 86_400_000;
// The CA lives in memory once loaded, so its directory can go straight away.
const home = await Deno.makeTempDir({ prefix: "lumen-leaf-test-" });
const ca = await loadOrCreateCa(home);
await Deno.remove(home, { recursive: true });
const caCertificate = new x509.X509Certificate(ca.certPem);

Deno.test("LeafCache.get() mints a leaf for the host, signed by the CA", async () => {
  const leaf = await createLeafCache(ca).get("api.openai.com");
  const cert = new x509.X509Certificate(leaf.certPem);

  assert.equal(cert.subject, "CN=api.openai.com");
  assert.equal(cert.issuer, ca.subject);
  const san = cert.getExtension(x509.SubjectAlternativeNameExtension)!;
  assert.deepEqual(san.names.toJSON(), [{ type: "dns", value: "api.openai.com" }]);
  const eku = cert.getExtension(x509.ExtendedKeyUsageExtension)!;
  assert.deepEqual([...eku.usages], [x509.ExtendedKeyUsage.serverAuth]);
  const usage = cert.getExtension(x509.KeyUsagesExtension)!;
  assert.deepEqual([usage.usages, usage.critical], [x509.KeyUsageFlags.digitalSignature, true]);
  assert.equal(cert.getExtension(x509.BasicConstraintsExtension)!.ca, false);
  const caKeyId = caCertificate.getExtension(x509.SubjectKeyIdentifierExtension)!.keyId;
  assert.equal(cert.getExtension(x509.AuthorityKeyIdentifierExtension)!.keyId, caKeyId);
  assert.ok(cert.notBefore.getTime() < Date.now());
  assert.ok(cert.notAfter.getTime() - cert.notBefore.getTime() <= 199 * DAY_MS);
  assert.equal(leaf.notAfter.getTime(), cert.notAfter.getTime());
  assert.equal(
    await cert.verify({ publicKey: caCertificate.publicKey, signatureOnly: true }),
    true,
  );

  const nodeLeaf = new NodeX509(leaf.certPem);
  const nodeCa = new NodeX509(ca.certPem);
  assert.equal(nodeLeaf.checkIssued(nodeCa), true);
  assert.equal(nodeLeaf.verify(nodeCa.publicKey), true);
  assert.equal(nodeLeaf.checkHost("api.openai.com"), "api.openai.com");
});

Deno.test("LeafCache.get() puts an IP address SAN on a leaf for an IP literal", async () => {
  const cache = createLeafCache(ca);
  for (const host of ["127.0.0.1", "::1"]) {
    const { certPem } = await cache.get(host);
    const san = new x509.X509Certificate(certPem).getExtension(
      x509.SubjectAlternativeNameExtension,
    )!;
    assert.deepEqual(san.names.toJSON(), [{ type: "ip", value: host }]);
    assert.equal(new NodeX509(certPem).checkIP(host), host);
  }
});

Deno.test("LeafCache.get() mints DNS, IPv4 and IPv6 leaves that node:crypto and openssl accept", async () => {
  const cache = createLeafCache(ca);
  const nodeCa = new NodeX509(ca.certPem);
  const sans: Record<string, string> = {
    "api.openai.com": "DNS:api.openai.com",
    "127.0.0.1": "IP Address:127.0.0.1",
    "::1": "IP Address:::1",
    "2001:db8::8a2e:370:7334": "IP Address:2001:db8::8a2e:370:7334",
    "::ffff:192.0.2.1": "IP Address:::ffff:192.0.2.1",
    "fe80::1%eth0": "IP Address:fe80::1", // a zone names an interface of this host only
  };
  await using dir = await tempDir();
  const files = [`${dir.path}/ca.pem`];
  await Deno.writeTextFile(files[0], ca.certPem);
  for (const [host, san] of Object.entries(sans)) {
    const leaf = await cache.get(host);
    const cert = new NodeX509(leaf.certPem);
    assert.equal(cert.subject, `CN=${host}`);
    assert.equal(cert.issuer, nodeCa.subject);
    assert.equal(cert.subjectAltName, san);
    assert.equal(cert.ca, false);
    // Deno lists the KeyUsage bits here (Node lists the ExtendedKeyUsage OIDs).
    assert.deepEqual(cert.keyUsage, ["DigitalSignature"]);
    assert.ok(cert.validFromDate.getTime() < Date.now() - DAY_MS);
    assert.equal(cert.validToDate.getTime(), leaf.notAfter.getTime());
    assert.equal(cert.verify(nodeCa.publicKey), true);
    assert.equal(cert.checkIssued(nodeCa), true);
    files.push(`${dir.path}/leaf-${files.length}.pem`);
    await Deno.writeTextFile(files.at(-1)!, leaf.certPem);
  }
  const out = await new Deno.Command("openssl", {
    args: ["verify", "-x509_strict", "-CAfile", files[0], ...files],
    stdin: "null",
  }).output();
  const lines = new TextDecoder().decode(out.stdout).trim().split("\n");
  assert.deepEqual(lines, files.map((file) => `${file}: OK`), new TextDecoder().decode(out.stderr));
});

Deno.test("LeafCache.get() shares one key pair across hosts and keys hosts case-insensitively", async () => {
  const cache = createLeafCache(ca);
  const a = await cache.get("API.OpenAI.com");
  const b = await cache.get("api.anthropic.com");
  assert.equal(await cache.get("api.openai.com"), a);
  assert.equal(a.keyPem, b.keyPem);
  assert.notEqual(a.certPem, b.certPem);
  assert.equal(cache.mints, 2);
});

Deno.test("LeafCache.get() rejects what is not a host name or IP address", async () => {
  const cache = createLeafCache(ca);
  for (
    const host of ["", "a".repeat(254), "exa mple.com", "evil.com/x", "a..b", ".com", "*.x.com"]
  ) {
    await assert.rejects(cache.get(host), TypeError, JSON.stringify(host));
  }
  assert.equal(cache.size, 0);
});

Deno.test("LeafCache.get() mints once for concurrent calls for the same host", async () => {
  const cache = createLeafCache(ca);
  const leaves = await Promise.all(Array.from({ length: 20 }, () => cache.get("api.openai.com")));
  assert.equal(cache.mints, 1);
  assert.ok(leaves.every((leaf) => leaf === leaves[0]));
});

Deno.test("LeafCache.get() evicts the least recently used host past max", async () => {
  const cache = createLeafCache(ca, { max: 3 });
  for (const host of ["a.test", "b.test", "c.test", "a.test", "d.test"]) await cache.get(host);
  assert.equal(cache.size, 3);
  assert.equal(cache.mints, 4);
  await cache.get("a.test");
  assert.equal(cache.mints, 4);
  await cache.get("b.test");
  assert.equal(cache.mints, 5);
  assert.equal(cache.size, 3);
});

Deno.test("LeafCache.get() mints again within a day of the leaf's expiry", async () => {
  let clock = Date.now();
  const cache = createLeafCache(ca, { now: () => clock });
  const first = await cache.get("api.openai.com");
  clock = first.notAfter.getTime() - DAY_MS - 60_000;
  assert.equal(await cache.get("api.openai.com"), first);
  clock += 120_000;
  const second = await cache.get("api.openai.com");
  assert.notEqual(second, first);
  assert.ok(second.notAfter > first.notAfter);
  assert.equal(cache.mints, 2);
});

Deno.test("LeafCache.get() tries again after a failed mint", async () => {
  let broken = true;
  const cache = createLeafCache(ca, {
    now: () => {
      if (broken) throw new Error("clock unavailable");
      return Date.now();
    },
  });
  await assert.rejects(cache.get("api.openai.com"), /clock unavailable/);
  assert.equal(cache.size, 0);
  broken = false;
  await cache.get("api.openai.com");
  assert.deepEqual([cache.size, cache.mints], [1, 1]);
});

Deno.test("LeafCache leaves pass a strict TLS handshake that trusts only the CA", async () => {
  const cache = createLeafCache(ca);
  const fallback = await cache.get("localhost");
  const server = tls.createServer({
    cert: fallback.certPem,
    key: fallback.keyPem,
    SNICallback: (name, done) => cache.get(name).then((leaf) => done(null, leaf.context), done),
  }, (socket) => socket.end());
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  try {
    for (const servername of ["api.openai.com", "example.org"]) {
      const peer = await handshake({ host: "127.0.0.1", port, servername, ca: [ca.certPem] });
      assert.equal(peer.subject.CN, servername);
      assert.equal(peer.subjectaltname, `DNS:${servername}`);
    }
    await assert.rejects(handshake({ host: "127.0.0.1", port, servername: "api.openai.com" }), {
      code: "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
    });
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});

async function tempDir() {
  const path = await Deno.makeTempDir({ prefix: "lumen-leaf-test-" });
  return { path, [Symbol.asyncDispose]: () => Deno.remove(path, { recursive: true }) };
}

/** Connects with default verification and resolves the peer certificate once authorized. */
function handshake(options: tls.ConnectionOptions): Promise<tls.PeerCertificate> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect(options, () => {
      const peer = socket.getPeerCertificate();
      const authorized = socket.authorized;
      socket.destroy();
      if (authorized) resolve(peer);
      else reject(new Error(`Not authorized: ${socket.authorizationError}`));
    });
    socket.once("error", (error) => {
      socket.destroy();
      reject(error);
    });
  });
}
