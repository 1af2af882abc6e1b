// PEM text (RFC 7468) without the x509 library, written the way openssl writes it.

// Any block counts, so a second one of another type or a broken one is refused, not skipped.
const BLOCK_REGEXP = /-----BEGIN ([^\n]*?)-----([\s\S]*?)-----END ([^\n]*?)-----/g;
const LINE_CHARS = 64;

/** PEM text of `der`: base64 in 64-character lines, ending in a newline as openssl writes it. */
export function toPem(der: BufferSource, type: string): string {
  const bytes = ArrayBuffer.isView(der)
    ? new Uint8Array(der.buffer, der.byteOffset, der.byteLength)
    : new Uint8Array(der);
  const base64 = bytes.toBase64();
  const lines = [`-----BEGIN ${type}-----`];
  for (let i = 0; i < base64.length; i += LINE_CHARS) lines.push(base64.slice(i, i + LINE_CHARS));
  lines.push(`-----END ${type}-----`, "");
  return lines.join("\n");
}

/** The DER of the PEM `type` block in `text`; a SyntaxError unless it is the one block there. */
export function fromPem(text: string, type: string): Uint8Array<ArrayBuffer> {
  const blocks = [...text.matchAll(BLOCK_REGEXP)];
  const [block] = blocks;
  const body = blocks.length === 1 && block[1] === type && block[3] === type ? block[2] : undefined;
  // fromBase64 skips the line breaks and refuses headers (RFC 1421 "Proc-Type: …") as non-base64.
  const der = body === undefined ? undefined : decodeBase64(body);
  if (!der?.length) throw new SyntaxError(`expected one PEM ${type} block`);
  return der;
}

function decodeBase64(text: string): Uint8Array<ArrayBuffer> | undefined {
  try {
    return Uint8Array.fromBase64(text);
  } catch {
    // Not base64: the caller reports the block as missing, as for any other malformed PEM.
    return undefined;
  }
}
