// `/api/ca` (what the proxy-mode CA is, and whether the system trusts it) and `/api/ca.pem` (its
// certificate, to trust it).
import { ApiError } from "./errors.ts";
import type { CaStatus } from "./types.ts";

/** The CA as the API shows it; the private key never comes near the API. */
export interface CaInfo {
  certPem: string;
  certPath: string;
  fingerprintSha256: string;
  notAfter: Date;
  subject: string;
}

/** The system trust store's verdict on the CA, as a check found it. */
export interface TrustVerdict {
  trusted: boolean | null;
  /** Null before the first check finished. */
  checkedAt: number | null;
  error: string | null;
}

/**
 * Whether the system trusts the CA: a TLS handshake through the proxy, run in a child process
 * (core/trust), so its last verdict is kept and a fresh one runs only on request.
 */
export interface CaTrustService {
  /** The last finished check's verdict. */
  latest(): TrustVerdict;
  /** Runs a fresh check (concurrent callers share one) and resolves with its verdict. */
  check(): Promise<TrustVerdict>;
}

/** `GET /api/ca`; `?check=1` runs a fresh trust check first (read-only, so fine for a GET). */
export async function describeCa(ca: CaInfo, trust: CaTrustService, url: URL): Promise<CaStatus> {
  const check = url.searchParams.get("check");
  if (check !== null && check !== "1") {
    throw new ApiError(400, "bad_request", "check must be 1 (run a fresh trust check) or absent");
  }
  const verdict = check === "1" ? await trust.check() : trust.latest();
  return {
    subject: ca.subject,
    fingerprint_sha256: ca.fingerprintSha256,
    not_after: ca.notAfter.getTime(),
    cert_path: ca.certPath,
    trusted: verdict.trusted,
    checked_at: verdict.checkedAt,
    trust_error: verdict.error,
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
