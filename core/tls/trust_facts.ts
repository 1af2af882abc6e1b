// What `lumen ca trust|untrust|status` needs to know about ca.pem: the names each OS's trust store
// gives a certificate (SHA-1, serial) and what a person checks (SHA-256, expiry). Reads the
// certificate only; the key stays untouched, so these commands never need to read it. The daemon
// imports this module (core/trust), so it reads the DER itself rather than through x509.
import { type CertificateFields, parseCertificate } from "./_certificate.ts";
import { fingerprint } from "./_conventions.ts";
import { fromPem } from "./_pem.ts";

/** The CA certificate's identifying facts, read by readTrustFacts(). */
export interface TrustFacts {
  /** The path read. */
  path: string;
  /** SHA-1 of the DER certificate, uppercase hex without separators (macOS `security -Z`). */
  sha1: string;
  /** SHA-256 in uppercase colon-separated hex, as the daemon prints it. */
  fingerprintSha256: string;
  /** The serial number in hex (Windows `certutil -delstore`). */
  serial: string;
  notAfter: Date;
  subject: string;
}

/** Reads the certificate at `path` (one PEM block); throws an Error naming the file otherwise. */
export async function readTrustFacts(path: string): Promise<TrustFacts> {
  const text = await Deno.readTextFile(path);
  let der: Uint8Array<ArrayBuffer>;
  let certificate: CertificateFields;
  try {
    der = fromPem(text, "CERTIFICATE");
    certificate = parseCertificate(der);
  } catch (error) {
    throw new Error(
      `Cannot parse "${path}" as a PEM certificate (${
        error instanceof Error ? error.message : error
      }); start Lumen once to create its CA there`,
    );
  }
  return {
    path,
    sha1: await fingerprint(der, "SHA-1"),
    fingerprintSha256: await fingerprint(der, "SHA-256", ":"),
    serial: certificate.serial,
    notAfter: certificate.notAfter,
    subject: certificate.subject,
  };
}
