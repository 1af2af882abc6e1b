// `/api/ca` (what the proxy-mode CA is) and `/api/ca.pem` (its certificate, to trust it).
import type { CaStatus } from "./types.ts";

/** The CA as the API shows it; the private key never comes near the API. */
export interface CaInfo {
  certPem: string;
  certPath: string;
  fingerprintSha256: string;
  notAfter: Date;
  subject: string;
}

/** `GET /api/ca`. */
export function describeCa(ca: CaInfo): CaStatus {
  return {
    subject: ca.subject,
    fingerprint_sha256: ca.fingerprintSha256,
    not_after: ca.notAfter.getTime(),
    cert_path: ca.certPath,
    // Whether the system trusts it is checked by a TLS handshake (issue 7); until then, unknown.
    trusted: null,
  };
}

/** `GET /api/ca.pem`: the certificate as a download. */
export function downloadCa(ca: CaInfo): Response {
  return new Response(ca.certPem, {
    headers: {
      "content-type": "application/x-pem-file",
      "content-disposition": 'attachment; filename="lumen-ca.pem"',
      "cache-control": "no-store",
    },
  });
}
