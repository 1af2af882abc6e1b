// What the fake upstream answers: which fixture a request gets, and the error bodies and headers
// each provider sends. Delivery (chunking, compression, stalls) lives in _fake_delivery.ts.
import type { Provider, Usage } from "../core/types.ts";

/** A recorded response body and its `<case>.case.json`. */
export interface Fixture {
  body: Uint8Array;
  meta: FixtureMeta;
}

/** A fixture's `<case>.case.json`, as tests/fixtures/README.md defines it. */
export interface FixtureMeta {
  /** Upstream path the case is requested at, e.g. `/v1/chat/completions`. */
  path: string;
  /** Query without `?`. */
  query: string;
  content_type: string;
  /** The JSON request body that produces this response. */
  request: Record<string, unknown>;
  /** What a parser must report for the body. */
  usage: Usage;
  /** The assistant text a client must see. */
  text: string;
}

/** Where the shared fixtures live. */
export const FIXTURES_DIR = new URL("./fixtures/", import.meta.url);

// `<provider>/<case>`; also keeps a header-supplied case name from escaping the fixtures folder.
const CASE_NAME_REGEXP = /^(openai|anthropic|google)\/[a-z0-9_-]+$/;
const GEMINI_REGEXP =
  /^\/v1(?:beta|alpha)?\/models\/[^/:]+:(generateContent|streamGenerateContent)$/;

/** Reads `<dir>/<provider>/<case>.sse` (or `.json`) and its case.json; throws NotFound if absent. */
export async function readFixture(caseName: string, dir: URL = FIXTURES_DIR): Promise<Fixture> {
  if (!CASE_NAME_REGEXP.test(caseName)) {
    throw new TypeError(`Cannot load fixture "${caseName}": expected <provider>/<case>`);
  }
  const meta: FixtureMeta = JSON.parse(
    await Deno.readTextFile(new URL(`${caseName}.case.json`, dir)),
  );
  for (const ext of ["sse", "json"]) {
    try {
      const body = await Deno.readFile(new URL(`${caseName}.${ext}`, dir));
      // A hand-made case.json may leave the content type out; the extension says which it is.
      meta.content_type ??= ext === "sse" ? "text/event-stream; charset=utf-8" : "application/json";
      return { body, meta };
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
  }
  throw new Deno.errors.NotFound(`Cannot load fixture "${caseName}": no .sse or .json body`);
}

/** The provider whose error format a path answers with. */
export function providerForPath(path: string): Provider {
  if (path.startsWith("/v1/messages")) return "anthropic";
  if (/^\/v1(beta|alpha)?\/models\//.test(path)) return "google";
  return "openai";
}

/** Picks the fixture a real API would answer with, from the route and request body; null = 404. */
export function selectCase(request: {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
}): string | null {
  const { method, path, query, body } = request;
  if (method !== "POST") return null;
  const json = typeof body === "object" && body !== null ? body as Record<string, unknown> : {};
  const stream = json.stream === true;
  switch (path) {
    case "/v1/chat/completions": {
      const options = json.stream_options as { include_usage?: unknown } | undefined;
      if (!stream) return "openai/chat";
      return options?.include_usage === true ? "openai/chat_stream_usage" : "openai/chat_stream";
    }
    case "/v1/responses":
      return stream ? "openai/responses_stream" : "openai/responses";
    case "/v1/embeddings":
      return "openai/embeddings";
    case "/api/v1/chat/completions":
      return "openai/compatible_cost";
    case "/v1/messages":
      return stream ? "anthropic/messages_stream" : "anthropic/messages";
  }
  const gemini = GEMINI_REGEXP.exec(path);
  if (gemini?.[1] === "generateContent") return "google/generate";
  if (gemini) return query.get("alt") === "sse" ? "google/stream_sse" : "google/stream_array";
  return null;
}

/** True when `name` has the `<provider>/<case>` shape. */
export function isCaseName(name: string): boolean {
  return CASE_NAME_REGEXP.test(name);
}

const OPENAI_ERRORS: Record<number, [type: string, code: string | null, message: string]> = {
  400: ["invalid_request_error", null, "Invalid request."],
  401: ["invalid_request_error", "invalid_api_key", "Incorrect API key provided."],
  403: ["invalid_request_error", "unsupported_country_region_territory", "Forbidden."],
  404: ["invalid_request_error", "unknown_url", "Unknown request URL."],
  429: ["requests", "rate_limit_exceeded", "Rate limit reached. Please try again in 1s."],
  500: ["server_error", null, "The server had an error while processing your request."],
  503: ["server_error", null, "The server is overloaded or not ready yet."],
};
const ANTHROPIC_ERRORS: Record<number, string> = {
  400: "invalid_request_error",
  401: "authentication_error",
  402: "billing_error",
  403: "permission_error",
  404: "not_found_error",
  413: "request_too_large",
  429: "rate_limit_error",
  500: "api_error",
  504: "timeout_error",
  529: "overloaded_error",
};
const GOOGLE_STATUS: Record<number, string> = {
  400: "INVALID_ARGUMENT",
  401: "UNAUTHENTICATED",
  403: "PERMISSION_DENIED",
  404: "NOT_FOUND",
  429: "RESOURCE_EXHAUSTED",
  500: "INTERNAL",
  503: "UNAVAILABLE",
  504: "DEADLINE_EXCEEDED",
};

/** An error response body in `provider`'s exact format, with the headers that go with it. */
export function errorResponse(
  provider: Provider,
  status: number,
  options: { requestId: string; detail?: string },
) {
  const { requestId, detail = "" } = options;
  const retryable = status === 429 || status >= 500;
  const headers: Record<string, string> = retryable ? { "retry-after": "1" } : {};
  let body: string;
  if (provider === "anthropic") {
    const type = ANTHROPIC_ERRORS[status] ??
      (status >= 500 ? "api_error" : "invalid_request_error");
    const message = detail || (status === 529 ? "Overloaded" : `Error ${status}`);
    // Compact, one line, as the Messages API sends it.
    body = JSON.stringify({ type: "error", error: { type, message }, request_id: requestId });
    headers["content-type"] = "application/json";
    headers["x-should-retry"] = String(retryable);
  } else if (provider === "google") {
    const error: Record<string, unknown> = {
      code: status,
      message: detail || `Error ${status}`,
      status: GOOGLE_STATUS[status] ?? (status >= 500 ? "INTERNAL" : "FAILED_PRECONDITION"),
    };
    if (status === 429) {
      error.details = [{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: "1s" }];
    }
    body = JSON.stringify({ error }, null, 2) + "\n";
    headers["content-type"] = "application/json; charset=UTF-8";
  } else {
    const [type, code, message] = OPENAI_ERRORS[status] ??
      [status >= 500 ? "server_error" : "invalid_request_error", null, `Error ${status}`];
    // OpenAI pretty-prints errors with a 4-space indent.
    body =
      JSON.stringify({ error: { message: detail || message, type, param: null, code } }, null, 4) +
      "\n";
    headers["content-type"] = "application/json; charset=utf-8";
  }
  return { body: new TextEncoder().encode(body), headers };
}

/** Response headers a real API sends beside the body (ids, timing, rate limits). */
export function providerHeaders(provider: Provider, options: { path: string; elapsedMs: number }) {
  const { path, elapsedMs } = options;
  const hex = crypto.randomUUID().replaceAll("-", "");
  if (provider === "anthropic") {
    return {
      "request-id": `req_011C${hex.slice(0, 20)}`,
      "anthropic-ratelimit-requests-limit": "4000",
      "anthropic-ratelimit-requests-remaining": "3999",
      "anthropic-ratelimit-requests-reset": new Date(Date.now() + 1000).toISOString(),
      "anthropic-organization-id": "00000000-0000-4000-8000-000000000000",
    };
  }
  if (provider === "google") {
    return {
      "server": "scaffolding on HTTPServer2",
      "server-timing": `gfet4t7; dur=${elapsedMs}`,
      "vary": "Origin, X-Origin, Referer",
      "x-content-type-options": "nosniff",
    };
  }
  const headers: Record<string, string> = {
    "x-request-id": `req_${hex}`,
    "openai-processing-ms": String(elapsedMs),
    "openai-version": "2020-10-01",
    "x-ratelimit-limit-requests": "10000",
    "x-ratelimit-remaining-requests": "9999",
    "x-ratelimit-reset-requests": "6ms",
  };
  // OpenRouter names each generation; its chat route lives under /api/v1.
  if (path.startsWith("/api/v1/")) headers["x-generation-id"] = `gen-${hex.slice(0, 24)}`;
  return headers;
}
