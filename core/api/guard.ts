// Refuses requests a web page could forge: DNS rebinding (foreign Host) and CSRF (foreign Origin).
import { ApiError } from "./errors.ts";

const LOOPBACK_NAMES = ["127.0.0.1", "localhost", "[::1]"];

/** Throws ApiError(403) unless `req` may reach the API listening on `port`. */
export function guardRequest(req: Request, port: number): void {
  const host = req.headers.get("host")?.toLowerCase() ?? "";
  if (!LOOPBACK_NAMES.some((name) => host === `${name}:${port}`)) {
    throw new ApiError(403, "forbidden_host", "Host must be a loopback name with the API port");
  }
  if (req.method === "GET" || req.method === "HEAD") return;
  const origin = req.headers.get("origin");
  if (origin !== null && !LOOPBACK_NAMES.some((name) => origin === `http://${name}:${port}`)) {
    throw new ApiError(403, "forbidden_origin", "Cross-origin requests cannot change state");
  }
  if (req.headers.get("sec-fetch-site") === "cross-site") {
    throw new ApiError(403, "forbidden_origin", "Cross-site requests cannot change state");
  }
  const type = req.headers.get("content-type");
  // A form or text/plain body is a "simple" cross-site request; only JSON callers change state.
  if (type !== null && !/^application\/json\b/i.test(type)) {
    throw new ApiError(403, "forbidden_content_type", "State-changing requests take JSON bodies");
  }
}
