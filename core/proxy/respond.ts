// Lumen's own answers on the proxy port, in the API's error shape `{ error: { code, message } }`.
import type { ServerResponse } from "node:http";

/** Sends a JSON error unless the response has started, in which case the connection is reset. */
export function sendJsonError(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  extra: Record<string, unknown> = {},
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = JSON.stringify({ error: { code, message, ...extra } });
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": String(new TextEncoder().encode(body).length),
    "x-lumen-error": code,
  });
  res.end(body);
}
