// Refuses requests a web page could forge: DNS rebinding (foreign Host) and CSRF (foreign Origin).
// It runs before routing, so every path (known, unknown, static) gets the same answer. Nothing in
// the API sets a CORS header: a page on another origin can neither read an answer nor pass a
// preflight (OPTIONS is a non-GET method, refused here or answered 405).
import { ApiError } from "./errors.ts";

/** Names of this machine a browser may put in Host; compared lower-case, so LOCALHOST passes. */
const LOOPBACK_NAMES = ["127.0.0.1", "localhost", "[::1]"];

/** Throws ApiError(403) unless `req` may reach the API listening on `port`. */
export function guardRequest(req: Request, port: number): void {
  // The header, never req.url: Deno.serve makes up `localhost` for a request without a Host.
  const host = req.headers.get("host")?.toLowerCase() ?? "";
  if (!isOwnAuthority(host, port)) {
    throw new ApiError(403, "forbidden_host", "Host must be a loopback name with the API port");
  }
  if (req.method === "GET" || req.method === "HEAD") return;
  // Browsers send Origin with every other method; only the API's own pages (or a CLI client,
  // which sends none) may change state. `Origin: null` (sandboxed frames, file://) is foreign.
  const origin = req.headers.get("origin")?.toLowerCase() ?? null;
  if (origin !== null && !(origin.startsWith("http://") && isOwnAuthority(origin.slice(7), port))) {
    throw new ApiError(403, "forbidden_origin", "Cross-origin requests cannot change state");
  }
  // same-site is still another origin (another port of localhost, say).
  const site = req.headers.get("sec-fetch-site")?.toLowerCase();
  if (site === "cross-site" || site === "same-site") {
    throw new ApiError(403, "forbidden_origin", "Cross-site requests cannot change state");
  }
  // A form, text/plain or typeless body is a "simple" request a page may send anywhere without a
  // preflight; only JSON callers change state.
  const type = req.headers.get("content-type");
  if (type === null ? hasBody(req) : mediaType(type) !== "application/json") {
    throw new ApiError(403, "forbidden_content_type", "State-changing requests take JSON bodies");
  }
}

/** `name:port` for a loopback name; a browser leaves out port 80. */
function isOwnAuthority(authority: string, port: number): boolean {
  return LOOPBACK_NAMES.some((name) =>
    authority === `${name}:${port}` || (port === 80 && authority === name)
  );
}

/**
 * Whether the request declares a body. Deno.serve gives every POST a body stream, even an empty
 * one, so the framing headers are what tell.
 */
function hasBody(req: Request): boolean {
  const length = req.headers.get("content-length");
  return req.headers.has("transfer-encoding") || (length !== null && length.trim() !== "0");
}

function mediaType(type: string): string {
  return type.split(";", 1)[0].trim().toLowerCase();
}
