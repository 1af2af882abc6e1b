// The seam between the OAuth side of team sync (connect, tokens, refresh) and the sender that
// delivers the queue: the sender asks for a token and reports a refused one; nothing else.

/** What the sender needs from the OAuth side. */
export interface SyncAuth {
  /** The connected server's base URL (where `/lumen/v1/…` lives), or null when not connected. */
  server(): string | null;
  /**
   * A valid access token, refreshed first when it is about to expire (one refresh at a time for
   * every caller); null when not connected or when the grant needs the user to reconnect.
   */
  accessToken(): Promise<string | null>;
  /**
   * The server answered 401 to `token`: refresh once (if nobody did meanwhile); when refreshing
   * fails for good (revoked grant), the auth goes to "reconnect needed" and accessToken() gives null.
   */
  rejected(token: string): Promise<void>;
}

/** What the sender reports for `GET /api/sync`. */
export interface QueueStatus {
  /** Items waiting (events and laps not yet delivered). */
  depth: number;
  /** Epoch ms of the last delivery the server accepted; null before the first. */
  last_sync_at: number | null;
  /** The last delivery failure (cleared by the next success), without secrets or content. */
  last_error: { at: number; message: string } | null;
}
