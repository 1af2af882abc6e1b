// The key and serial conventions the CA and its leaves share.

/**
 * ECDSA P-256 for the CA and the leaves: WebCrypto signs with it in under a millisecond, every
 * TLS client Lumen fronts (Node, Python, Go, curl, browsers, rustls) accepts it, and an RSA 2048
 * key pair would cost tens of milliseconds to generate for no compatibility gain.
 */
export const EC_KEY: EcKeyImportParams = { name: "ECDSA", namedCurve: "P-256" };

/** ECDSA with SHA-256: the P-256 pairing every verifier accepts, rustls/webpki (Deno's TLS) too. */
export const EC_SIGNING: EcdsaParams = { name: "ECDSA", hash: "SHA-256" };

/** One day in milliseconds. */
export const DAY_MS = 86_400_000;

/** A random positive 16-byte serial number, as hex (RFC 5280 §4.1.2.2 allows up to 20 bytes). */
export function randomSerial(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  // Clear the sign bit and set the next one so the DER INTEGER is exactly 16 bytes and positive.
  bytes[0] = (bytes[0] & 0x7f) | 0x40;
  return toHex(bytes);
}

/** Lowercase hex of `bytes`, with `separator` between bytes. */
export function toHex(bytes: Uint8Array, separator = ""): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(separator);
}

/** The `algorithm` digest of a DER certificate in uppercase hex, as openssl and the OSes show it. */
export async function fingerprint(
  der: Uint8Array<ArrayBuffer>,
  algorithm: "SHA-1" | "SHA-256",
  separator = "",
): Promise<string> {
  return toHex(new Uint8Array(await crypto.subtle.digest(algorithm, der)), separator).toUpperCase();
}
