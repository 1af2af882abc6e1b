// The certificate extensions (RFC 5280 §4.2) the CA and its leaves carry, as DER Extension
// elements, byte for byte as the x509 library wrote them before Lumen built certificates itself.
import { isIP } from "node:net";
import { readSubjectPublicKey } from "./_certificate.ts";
import { der } from "./_der_writer.ts";

/** KeyUsage bit numbers (RFC 5280 §4.2.1.3). */
export const KEY_USAGE = { digitalSignature: 0, keyCertSign: 5, cRLSign: 6 } as const;

/** Builders of the extensions Lumen uses, each with the criticality Lumen gives it. */
export const extensions = {
  basicConstraints,
  keyUsage,
  serverAuth,
  subjectKeyIdentifier,
  authorityKeyIdentifier,
  subjectAltName,
};

/** The key identifier of `spki`: SHA-1 of its public key bits (RFC 5280 §4.2.1.2, method 1). */
export async function keyIdentifier(spki: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-1", readSubjectPublicKey(spki)));
}

/** Critical, as RFC 5280 §4.2.1.9 requires of a CA; `pathLength` only for a CA. */
function basicConstraints(options: { ca: boolean; pathLength?: number }): Uint8Array {
  // cA's DEFAULT FALSE is left out, as DER requires (X.690 §11.5).
  const fields = options.ca ? [der.boolean(true)] : [];
  if (options.pathLength !== undefined) fields.push(der.integer(Uint8Array.of(options.pathLength)));
  return extension("2.5.29.19", true, der.sequence(...fields));
}

/** Critical, as RFC 5280 §4.2.1.3 recommends; `bits` from KEY_USAGE. */
function keyUsage(...bits: number[]): Uint8Array {
  return extension("2.5.29.15", true, der.namedBits(...bits));
}

/** ExtendedKeyUsage with serverAuth only: a leaf serves TLS and nothing else. */
function serverAuth(): Uint8Array {
  return extension("2.5.29.37", false, der.sequence(der.oid("1.3.6.1.5.5.7.3.1")));
}

function subjectKeyIdentifier(keyId: Uint8Array): Uint8Array {
  return extension("2.5.29.14", false, der.octetString(keyId));
}

/** The issuer's key id alone, as keyIdentifier [0] (RFC 5280 §4.2.1.1). */
function authorityKeyIdentifier(keyId: Uint8Array): Uint8Array {
  return extension("2.5.29.35", false, der.sequence(der.implicit(0, keyId)));
}

/** A dNSName [2] for a host name, an iPAddress [7] of 4 or 16 bytes for an IP literal. */
function subjectAltName(host: string): Uint8Array {
  const name = isIP(host)
    ? der.implicit(7, ipAddressBytes(host))
    : der.implicit(2, new TextEncoder().encode(host));
  return extension("2.5.29.17", false, der.sequence(name));
}

function extension(oid: string, critical: boolean, value: Uint8Array): Uint8Array {
  // critical's DEFAULT FALSE is left out, as DER requires.
  const flag = critical ? [der.boolean(true)] : [];
  return der.sequence(der.oid(oid), ...flag, der.octetString(value));
}

/** The network-order bytes of an IP literal that node:net's isIP() accepts. */
function ipAddressBytes(ip: string): Uint8Array {
  if (isIP(ip) === 4) return Uint8Array.from(ip.split("."), Number);
  // A zone ("fe80::1%eth0") only means something on this host; an iPAddress has none. The URL
  // parser writes the rest in hex groups only, an embedded IPv4 ("::ffff:1.2.3.4") included.
  const text = new URL(`http://[${ip.split("%")[0]}]/`).hostname.slice(1, -1);
  const [head, tail = ""] = text.split("::");
  const [left, right] = [head, tail].map((part) =>
    part ? part.split(":").map((group) => parseInt(group, 16)) : []
  );
  // "::" stands for as many zero groups as the address lacks (RFC 4291 §2.2).
  const groups = [...left, ...new Array(8 - left.length - right.length).fill(0), ...right];
  const bytes = new Uint8Array(16);
  const view = new DataView(bytes.buffer);
  groups.forEach((group, i) => view.setUint16(2 * i, group));
  return bytes;
}
