// Test-only PKI: a throwaway CA plus one loopback leaf, so fake upstreams can speak real TLS.
// reflect-metadata must load before @peculiar/x509, which reads decorator metadata at import.
import "reflect-metadata";
import * as x509 from "@peculiar/x509";

/** PEM material of the test CA and its loopback server certificate. */
export interface TestPki {
  caPem: string;
  certPem: string;
  keyPem: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const EC_P256 = { name: "ECDSA", namedCurve: "P-256" } as const;
const SIGNING = { name: "ECDSA", hash: "SHA-256" } as const;

let cached: Promise<TestPki> | undefined;

/** Returns a CA and a leaf for `localhost` and `127.0.0.1`, minted once per process. */
export function createTestPki(): Promise<TestPki> {
  cached ??= mintPki();
  return cached;
}

async function mintPki(): Promise<TestPki> {
  x509.cryptoProvider.set(crypto);
  // Backdated so a machine whose clock is slightly behind still accepts the chain.
  const notBefore = new Date(Date.now() - 2 * DAY_MS);
  const notAfter = new Date(Date.now() + 30 * DAY_MS);

  const caKeys = await crypto.subtle.generateKey(EC_P256, true, ["sign", "verify"]);
  const caCert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: "CN=Lumen Test CA",
    notBefore,
    notAfter,
    keys: caKeys,
    signingAlgorithm: SIGNING,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });

  const leafKeys = await crypto.subtle.generateKey(EC_P256, true, ["sign", "verify"]);
  const leafCert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: "CN=localhost",
    issuer: caCert.subject,
    notBefore,
    notAfter,
    publicKey: leafKeys.publicKey,
    signingKey: caKeys.privateKey,
    signingAlgorithm: SIGNING,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([
        { type: "dns", value: "localhost" },
        { type: "ip", value: "127.0.0.1" },
      ]),
      await x509.AuthorityKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });

  const pkcs8 = await crypto.subtle.exportKey("pkcs8", leafKeys.privateKey);
  return {
    caPem: caCert.toString("pem"),
    certPem: leafCert.toString("pem"),
    keyPem: x509.PemConverter.encode(pkcs8, "PRIVATE KEY"),
  };
}

function randomSerial(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[0] &= 0x7f; // a positive INTEGER, as RFC 5280 §4.1.2.2 requires
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
