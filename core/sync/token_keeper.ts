// Keeps the team sync tokens: hands out a fresh access token, refreshes once for all callers,
// saves a rotated refresh token before the new access token is used, and turns a refused grant
// into "reconnect needed". Local recording never depends on any of this.
import * as oauth from "oauth4webapi";
import { clientAuth, describe, requestOptions } from "./discovery.ts";
import { deleteSyncRecord, readSyncRecord, type SyncRecord, writeSyncRecord } from "./tokens.ts";

/** Refresh this long before expiry (or a fifth of the token's life, when that is shorter). */
const REFRESH_AHEAD_MS = 60_000;
/** After a refresh failed for a passing reason (network, 5xx), try again this much later. */
const RETRY_MS = 30_000;

/** What the keeper needs from the daemon. */
export interface TokenKeeperOptions {
  home: string;
  now(): number;
  /** A failure worth showing (no secret in it). */
  onError(message: string): void;
}

/** The saved connection and its tokens; one per daemon. */
export class TokenKeeper {
  #options: TokenKeeperOptions;
  #record: SyncRecord | null = null;
  #refreshing: Promise<void> | null = null;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(options: TokenKeeperOptions) {
    this.#options = options;
  }

  /** The connection as saved (tokens included: never hand it to the API). */
  get record(): Readonly<SyncRecord> | null {
    return this.#record;
  }

  /** Reads sync.json; an unusable file is reported and left alone (not overwritten). */
  load(): void {
    try {
      this.#record = readSyncRecord(this.#options.home);
    } catch (error) {
      this.#options.onError(describe(error));
    }
    this.#schedule();
  }

  /** The connected server, or null when not connected (or when a reconnect is needed). */
  server(): string | null {
    return this.#record?.state === "connected" ? this.#record.server : null;
  }

  /** Saves a new connection (after sign-in) and keeps its tokens fresh from now on. */
  async replace(record: SyncRecord): Promise<void> {
    await writeSyncRecord(this.#options.home, record);
    this.#record = record;
    this.#schedule();
  }

  /** A usable access token, refreshed first when about to expire; null when there is none. */
  async accessToken(): Promise<string | null> {
    const record = this.#record;
    if (!record || record.state !== "connected" || !record.access_token) return null;
    if (this.#expiring(record)) {
      await this.#refresh().catch(() => {
        // Reported by #refresh; a token that has not expired yet may still be used below.
      });
    }
    const now = this.#record;
    if (!now || now.state !== "connected" || !now.access_token) return null;
    return now.expires_at !== null && now.expires_at <= this.#options.now()
      ? null
      : now.access_token;
  }

  /** The server refused `token`: refresh once, unless someone already replaced it. */
  async rejected(token: string): Promise<void> {
    if (!this.#record || this.#record.access_token !== token) return;
    await this.#refresh().catch(() => {
      // Reported by #refresh.
    });
  }

  /** Revokes the tokens at the server (RFC 7009), then deletes sync.json: the problem, or null. */
  async revokeAndForget(): Promise<string | null> {
    this.close();
    await this.#refreshing?.catch(() => {});
    const record = this.#record;
    let problem: string | null = null;
    if (record?.as.revocation_endpoint) {
      // The refresh token first: revoking it ends the grant, and its access tokens with it.
      for (const token of [record.refresh_token, record.access_token]) {
        if (!token) continue;
        try {
          const response = await oauth.revocationRequest(
            record.as,
            record.client,
            clientAuth(record.client),
            token,
            requestOptions(record.as.revocation_endpoint),
          );
          await oauth.processRevocationResponse(response);
        } catch (error) {
          problem ??= `Disconnected here, but the server did not confirm revoking access: ${
            describe(error)
          }`;
        }
      }
    }
    await deleteSyncRecord(this.#options.home);
    this.#record = null;
    return problem;
  }

  /** Stops the refresh timer. */
  close(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #expiring(record: SyncRecord): boolean {
    if (record.expires_at === null) return false;
    const ahead = Math.min(REFRESH_AHEAD_MS, (record.expires_at - record.obtained_at) / 5);
    return this.#options.now() >= record.expires_at - ahead;
  }

  /** One refresh for every caller at a time. */
  #refresh(): Promise<void> {
    this.#refreshing ??= this.#refreshOnce().then(() => {
      this.#refreshing = null;
      this.#schedule();
    }, (error) => {
      this.#refreshing = null;
      this.#schedule(RETRY_MS);
      throw error;
    });
    return this.#refreshing;
  }

  async #refreshOnce(): Promise<void> {
    const record = this.#record;
    if (!record || record.state !== "connected") return;
    if (!record.refresh_token) {
      return await this.#needReconnect(record, "the server gave no way to renew access");
    }
    let tokens: oauth.TokenEndpointResponse;
    try {
      const response = await oauth.refreshTokenGrantRequest(
        record.as,
        record.client,
        clientAuth(record.client),
        record.refresh_token,
        requestOptions(record.as.token_endpoint!),
      );
      tokens = await oauth.processRefreshTokenResponse(record.as, record.client, response);
    } catch (error) {
      if (this.#record !== record) return; // disconnected or signed in afresh meanwhile
      if (error instanceof oauth.ResponseBodyError && error.error === "invalid_grant") {
        return await this.#needReconnect(record, describe(error));
      }
      this.#options.onError(`Cannot renew team sync access: ${describe(error)}`);
      throw error;
    }
    if (this.#record !== record) return;
    const now = this.#options.now();
    const next: SyncRecord = {
      ...record,
      access_token: tokens.access_token,
      // A rotated refresh token replaces the old one, which the server will refuse from now on.
      refresh_token: tokens.refresh_token ?? record.refresh_token,
      expires_at: tokens.expires_in ? now + tokens.expires_in * 1000 : null,
      obtained_at: now,
    };
    // Saved before the new access token is used: a crash right after must not leave only the
    // spent refresh token on disk. The new tokens are kept in memory even if saving failed.
    this.#record = next;
    await writeSyncRecord(this.#options.home, next).catch((error) => {
      this.#options.onError(`Cannot save the renewed team sync tokens: ${describe(error)}`);
    });
  }

  async #needReconnect(record: SyncRecord, why: string): Promise<void> {
    // The tokens are dead: drop them, keep who and where, so Connect starts from there.
    const next: SyncRecord = {
      ...record,
      state: "reconnect_needed",
      access_token: null,
      refresh_token: null,
    };
    // On disk before the status says so, so whoever sees "reconnect needed" finds the dead tokens
    // gone from sync.json too. Kept in memory even if saving failed.
    await writeSyncRecord(this.#options.home, next).catch((error) => {
      this.#options.onError(`Cannot save ${describe(error)}`);
    });
    if (this.#record !== record) return; // disconnected or signed in afresh meanwhile
    this.#record = next;
    this.#options.onError(`The server refused the saved sign-in (${why}); reconnect to resume`);
  }

  /** Refreshes ahead of expiry (or `retryMs` from now), so a revoked grant shows while idle. */
  #schedule(retryMs?: number): void {
    this.close();
    const record = this.#record;
    if (!record || record.state !== "connected" || record.expires_at === null) return;
    const ahead = Math.min(REFRESH_AHEAD_MS, (record.expires_at - record.obtained_at) / 5);
    const wait = retryMs ?? Math.max(0, record.expires_at - ahead - this.#options.now());
    const timer = setTimeout(() => {
      this.#timer = undefined;
      this.#refresh().catch(() => {
        // Reported by #refreshOnce; the next attempt is already scheduled.
      });
    }, wait);
    Deno.unrefTimer(timer);
    this.#timer = timer;
  }
}
