// Builds and signs X.509 v3 certificates (RFC 5280 §4.1) with WebCrypto and _der_writer.ts, so
// that creating the CA and minting leaves load no x509 library (it costs the daemon about 11 MB).
import { EC_SIGNING } from "./_conventions.ts";
import { der } from "./_der_writer.ts";

/** What a certificate says, as DER where it is copied from elsewhere. */
export interface CertificateTemplate {
  /** The serial number in hex, as randomSerial() makes it. */
  serial: string;
  /** The issuer's Name, byte for byte its certificate's subject so that chains match. */
  issuer: Uint8Array;
  subject: Uint8Array;
  notBefore: Date;
  notAfter: Date;
  /** The subject's SubjectPublicKeyInfo, as crypto.subtle.exportKey("spki", …) returns it. */
  spki: Uint8Array;
  /** Extension elements, as _extensions.ts builds them. */
  extensions: Uint8Array[];
}

const V3 = "02";
// RFC 5758 §3.2: ecdsa-with-SHA256, whose AlgorithmIdentifier has no parameters at all.
const ECDSA_WITH_SHA256 = der.sequence(der.oid("1.2.840.10045.4.3.2"));

/** The DER certificate of `template`, signed with the issuer's ECDSA P-256 `signingKey`. */
export async function buildCertificate(
  template: CertificateTemplate,
  signingKey: CryptoKey,
): Promise<Uint8Array<ArrayBuffer>> {
  const tbs = der.sequence(
    der.explicit(0, der.integer(V3)),
    der.integer(template.serial),
    ECDSA_WITH_SHA256,
    template.issuer,
    der.sequence(der.time(template.notBefore), der.time(template.notAfter)),
    template.subject,
    template.spki,
    der.explicit(3, der.sequence(...template.extensions)),
  );
  const signature = new Uint8Array(await crypto.subtle.sign(EC_SIGNING, signingKey, tbs));
  return der.sequence(tbs, ECDSA_WITH_SHA256, der.bitString(signatureToDer(signature)));
}

/** A Name of a common name and, optionally, an organization, one attribute per RDN. */
export function distinguishedName(commonName: string, organization?: string): Uint8Array {
  const rdns = [der.set(der.sequence(der.oid("2.5.4.3"), der.directoryString(commonName)))];
  if (organization !== undefined) {
    rdns.push(der.set(der.sequence(der.oid("2.5.4.10"), der.directoryString(organization))));
  }
  return der.sequence(...rdns);
}

/**
 * The X.509 form of a WebCrypto ECDSA signature: WebCrypto returns r and s as fixed-size halves
 * (IEEE P1363), certificates hold `SEQUENCE { INTEGER r, INTEGER s }` (RFC 3279 §2.2.3).
 */
export function signatureToDer(p1363: Uint8Array): Uint8Array<ArrayBuffer> {
  const half = p1363.length / 2;
  // der.integer() drops the zeros a short r or s is padded with and adds one before a high bit.
  return der.sequence(der.integer(p1363.subarray(0, half)), der.integer(p1363.subarray(half)));
}
