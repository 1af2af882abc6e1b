// `/api/sync…`: team sync status, connect, the OAuth callback page, disconnect. The service
// (core/sync/, injected by main.ts) holds the tokens; nothing here ever sees or answers one.
import type { SyncStatus } from "./types.ts";
import { ApiError } from "./errors.ts";

/** A connect or callback outcome; "input" failures are the caller's (400), "server" ones 502. */
export type SyncOutcome<T> = { ok: true; value: T } | {
  ok: false;
  kind: "input" | "server";
  message: string;
};

/** Team sync as the API sees it. */
export interface SyncService {
  status(): SyncStatus;
  /** Starts signing in to a server URL or UUID: the authorization URL for the browser. */
  connect(server: string): Promise<SyncOutcome<{ authorize_url: string }>>;
  /** Finishes signing in with the callback's query parameters (single use). */
  callback(
    params: URLSearchParams,
  ): Promise<SyncOutcome<{ server: string; account: string | null }>>;
  /** Revokes and forgets the connection; the status after. */
  disconnect(): Promise<SyncStatus>;
}

const MAX_SERVER_LENGTH = 2048;

/** `POST /api/sync/connect {server}` → `{ authorize_url }`. */
export async function connectSync(
  service: SyncService,
  body: Record<string, unknown> | null,
): Promise<{ authorize_url: string }> {
  const server = body?.server;
  if (typeof server !== "string" || !server.trim() || server.length > MAX_SERVER_LENGTH) {
    throw new ApiError(
      400,
      "bad_request",
      "server must be a server URL or a DataGrout server UUID",
    );
  }
  const result = await service.connect(server);
  if (result.ok) return result.value;
  throw result.kind === "input"
    ? new ApiError(400, "bad_request", result.message)
    : new ApiError(502, "sync_server_error", result.message);
}

/** `GET /api/sync/callback?code&state[&iss]`: a small page saying how signing in went. */
export async function syncCallback(service: SyncService, url: URL): Promise<Response> {
  const result = await service.callback(url.searchParams);
  if (result.ok) {
    const who = result.value.account ? ` as ${result.value.account}` : "";
    return page(
      200,
      "Connected",
      `Connected to ${result.value.server}${who}. You can close this tab.`,
    );
  }
  return page(
    result.kind === "input" ? 400 : 502,
    "Not connected",
    result.message,
  );
}

function page(status: number, title: string, message: string): Response {
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Lumen · ${escape(title)}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem}
.bad{color:#b42318}</style></head>
<body><h1>Lumen team sync: ${escape(title)}</h1>
<p${status === 200 ? "" : ' class="bad" role="alert"'} data-testid="sync-callback">${
    escape(message)
  }</p>
<p><a href="/dashboard/settings#sync">Back to Lumen's settings</a></p></body></html>
`;
  return new Response(html, {
    status,
    headers: {
      "content-type": "text/html; charset=utf-8",
      "cache-control": "no-store",
      // The page only shows text: no script, no frames, no outside resources, no referrer (the
      // URL held the authorization code).
      "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'",
      "referrer-policy": "no-referrer",
      "x-frame-options": "DENY",
    },
  });
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
