// The API's error type and shape: `{ error: { code, message } }`.

/** An error the API answers with `status` and a JSON body. */
export class ApiError extends Error {
  override name = "ApiError";
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }

  /** The JSON response for this error. */
  toResponse(): Response {
    return json({ error: { code: this.code, message: this.message } }, this.status);
  }
}

/** The 503 `store_unavailable` answer to a lumen.db read or write that failed. */
export function storeUnavailable(action: string, error: unknown): ApiError {
  const why = error instanceof Error ? error.message : String(error);
  return new ApiError(503, "store_unavailable", `Cannot ${action}: ${why}`);
}

/** A JSON response that is never cached by the browser. */
export function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" },
  });
}
