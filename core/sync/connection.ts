// The team sync connection: connect in the browser (authorization code + PKCE S256 + state, the
// code arriving at the API's loopback callback), status, disconnect (RFC 7009). Tokens are kept
// and refreshed by TokenKeeper; this file owns the pending authorizations.
import * as oauth from "oauth4webapi";
import type { SyncStatus } from "../api/types.ts";
import type { QueueStatus, SyncAuth } from "./auth.ts";
import {
  clientAuth,
  describe,
  discoverAuthorizationServer,
  registerClient,
  requestOptions,
  resolveServer,
} from "./discovery.ts";
import { TokenKeeper } from "./token_keeper.ts";
import type { SyncRecord } from "./tokens.ts";

/** How long the browser has to finish signing in. */
const PENDING_TTL_MS = 10 * 60_000;
/** At most this many sign-ins under way (each Connect click starts one). */
const MAX_PENDING = 8;
/** Scopes asked for when the server lists them: an account name and a refresh token. */
const WANTED_SCOPES = ["openid", "email", "profile", "offline_access"];

/** What the connection needs from the daemon. */
export interface SyncConnectionOptions {
  /** LUMEN_HOME, where sync.json lives. */
  home: string;
  /** The API's port now (the redirect URI names it). */
  apiPort(): number;
  /** Expands a bare UUID into the server URL (`{uuid}` is replaced). */
  serverTemplate: string;
  /** A pre-registered client id; dynamic registration is skipped when set. */
  clientId?: string;
  /** A scope to ask for instead of the ones picked from the server's metadata. */
  scope?: string;
  /** The delivery side's figures for the status. */
  queueStatus(): QueueStatus;
  /** A new connection is stored: deliver what waits (and the toggles) now, not in 30 s. */
  onConnected?(): void;
  /** The connection was dropped by the user: what waits for its server must not reach another. */
  onDisconnected?(): void;
  now(): number;
  log(line: string): void;
}

/** The outcome of a connect or callback: the answer, or why not ("input": the caller's fault). */
export type SyncResult<T> = { ok: true; value: T } | {
  ok: false;
  kind: "input" | "server";
  message: string;
};

interface Pending {
  server: string;
  as: oauth.AuthorizationServer;
  client: oauth.Client;
  redirectUri: string;
  verifier: string;
  expiresAt: number;
}

/** Connect, callback, disconnect and status; also the `SyncAuth` the sender uses. */
export class SyncConnection implements SyncAuth {
  #options: SyncConnectionOptions;
  #keeper: TokenKeeper;
  #pending = new Map<string, Pending>();
  #error: { at: number; message: string } | null = null;

  constructor(options: SyncConnectionOptions) {
    this.#options = options;
    this.#keeper = new TokenKeeper({
      home: options.home,
      now: options.now,
      onError: (message) => this.#fail(message),
    });
  }

  /** Loads sync.json and starts keeping its tokens fresh. */
  start(): void {
    this.#keeper.load();
  }

  /** Stops the refresh timer. */
  close(): void {
    this.#keeper.close();
  }

  server(): string | null {
    return this.#keeper.server();
  }

  accessToken(): Promise<string | null> {
    return this.#keeper.accessToken();
  }

  rejected(token: string): Promise<void> {
    return this.#keeper.rejected(token);
  }

  /** The status `GET /api/sync` answers (no token, ever). */
  status(): SyncStatus {
    this.#dropExpired();
    const record = this.#keeper.record;
    const queue = this.#options.queueStatus();
    // Delivery failures belong to a connection: once disconnected, they are history.
    const deliveryError = record ? queue.last_error : null;
    const errors = [this.#error, deliveryError].filter((e) => e !== null);
    // The newest failure, except that a refused sign-in explains everything after it.
    const lastError = record?.state === "reconnect_needed" && this.#error
      ? this.#error
      : errors.sort((a, b) => b.at - a.at)[0] ?? null;
    const state = this.#pending.size > 0 ? "connecting" : record?.state ?? "disconnected";
    const pendingServer = [...this.#pending.values()].at(-1)?.server ?? null;
    return {
      state,
      server: state === "connecting" ? pendingServer : record?.server ?? null,
      account: record?.account ?? null,
      last_sync_at: queue.last_sync_at,
      queue_depth: queue.depth,
      last_error: lastError,
    };
  }

  /** Starts signing in to `input` (a URL or a UUID): the URL to open in the browser. */
  async connect(input: string): Promise<SyncResult<{ authorize_url: string }>> {
    let server: URL;
    try {
      server = resolveServer(input, this.#options.serverTemplate);
    } catch (error) {
      return { ok: false, kind: "input", message: describe(error) };
    }
    try {
      const as = await discoverAuthorizationServer(server);
      if (!as.authorization_endpoint || !as.token_endpoint) {
        throw new Error(`${as.issuer} has no authorization or token endpoint`);
      }
      const redirectUri = `http://127.0.0.1:${this.#options.apiPort()}/api/sync/callback`;
      const client = await this.#clientFor(as, redirectUri);
      const verifier = oauth.generateRandomCodeVerifier();
      const state = oauth.generateRandomState();
      const url = new URL(as.authorization_endpoint);
      const scope = this.#options.scope ?? pickScope(as);
      url.searchParams.set("response_type", "code");
      url.searchParams.set("client_id", client.client_id);
      url.searchParams.set("redirect_uri", redirectUri);
      url.searchParams.set("code_challenge", await oauth.calculatePKCECodeChallenge(verifier));
      url.searchParams.set("code_challenge_method", "S256");
      url.searchParams.set("state", state);
      if (scope) url.searchParams.set("scope", scope);
      // OpenID Connect grants offline_access only with an explicit consent prompt.
      if (scope.split(" ").includes("offline_access")) url.searchParams.set("prompt", "consent");
      this.#dropExpired();
      if (this.#pending.size >= MAX_PENDING) {
        this.#pending.delete(this.#pending.keys().next().value!);
      }
      const expiresAt = this.#options.now() + PENDING_TTL_MS;
      this.#pending.set(state, {
        server: server.href,
        as,
        client,
        redirectUri,
        verifier,
        expiresAt,
      });
      return { ok: true, value: { authorize_url: url.href } };
    } catch (error) {
      return {
        ok: false,
        kind: "server",
        message: this.#fail(`Cannot connect: ${describe(error)}`),
      };
    }
  }

  /** Finishes signing in with the callback's query; each `state` works once. */
  async callback(
    params: URLSearchParams,
  ): Promise<SyncResult<{ server: string; account: string | null }>> {
    this.#dropExpired();
    const state = params.get("state") ?? "";
    const pending = this.#pending.get(state);
    if (!pending) {
      return {
        ok: false,
        kind: "input",
        message: "This sign-in link was already used or has expired; connect again from Lumen",
      };
    }
    this.#pending.delete(state);
    const { as, client } = pending;
    try {
      // Checks state, the error parameter and `iss` when sent (RFC 9207).
      const checked = oauth.validateAuthResponse(as, client, params, state);
      const response = await oauth.authorizationCodeGrantRequest(
        as,
        client,
        clientAuth(client),
        checked,
        pending.redirectUri,
        pending.verifier,
        requestOptions(as.token_endpoint!),
      );
      const tokens = await oauth.processAuthorizationCodeResponse(as, client, response);
      const account = await accountOf(as, client, tokens);
      const now = this.#options.now();
      const record: SyncRecord = {
        version: 1,
        server: pending.server,
        as,
        client,
        redirect_uri: pending.redirectUri,
        state: "connected",
        access_token: tokens.access_token,
        refresh_token: tokens.refresh_token ?? null,
        expires_at: tokens.expires_in ? now + tokens.expires_in * 1000 : null,
        obtained_at: now,
        account,
      };
      await this.#keeper.replace(record);
      this.#error = null;
      this.#options.log(`Team sync connected to ${pending.server}`);
      this.#options.onConnected?.();
      return { ok: true, value: { server: pending.server, account } };
    } catch (error) {
      return {
        ok: false,
        kind: "server",
        message: this.#fail(`Cannot connect: ${describe(error)}`),
      };
    }
  }

  /** Revokes the grant at the server (RFC 7009, when it offers revocation) and forgets it. */
  async disconnect(): Promise<SyncStatus> {
    this.#pending.clear();
    const problem = await this.#keeper.revokeAndForget();
    this.#error = problem ? { at: this.#options.now(), message: problem } : null;
    this.#options.onDisconnected?.();
    return this.status();
  }

  async #clientFor(as: oauth.AuthorizationServer, redirectUri: string): Promise<oauth.Client> {
    if (this.#options.clientId) {
      return { client_id: this.#options.clientId, token_endpoint_auth_method: "none" };
    }
    const saved = this.#keeper.record;
    // Reconnecting to the same server from the same port: the registration still fits.
    if (saved && saved.as.issuer === as.issuer && saved.redirect_uri === redirectUri) {
      return saved.client;
    }
    return await registerClient(as, redirectUri);
  }

  #dropExpired(): void {
    const now = this.#options.now();
    for (const [state, pending] of this.#pending) {
      if (pending.expiresAt <= now) this.#pending.delete(state);
    }
  }

  #fail(message: string): string {
    this.#error = { at: this.#options.now(), message };
    this.#options.log(`Team sync: ${message}`);
    return message;
  }
}

function pickScope(as: oauth.AuthorizationServer): string {
  const supported = as.scopes_supported;
  return supported ? WANTED_SCOPES.filter((scope) => supported.includes(scope)).join(" ") : "";
}

/** Who signed in: the ID token's claims, else the userinfo endpoint's; null when neither tells. */
async function accountOf(
  as: oauth.AuthorizationServer,
  client: oauth.Client,
  tokens: oauth.TokenEndpointResponse,
): Promise<string | null> {
  const claims = oauth.getValidatedIdTokenClaims(tokens);
  const named = (c: Record<string, unknown>) =>
    [c.email, c.preferred_username, c.name].find((v) => typeof v === "string" && v) as
      | string
      | undefined;
  if (claims && named(claims)) return named(claims)!;
  if (claims && as.userinfo_endpoint) {
    try {
      const response = await oauth.userInfoRequest(
        as,
        client,
        tokens.access_token,
        requestOptions(as.userinfo_endpoint),
      );
      const info = await oauth.processUserInfoResponse(as, client, claims.sub, response);
      if (named(info)) return named(info)!;
    } catch {
      // The account name is a nicety: the subject below still identifies the user.
    }
  }
  return claims?.sub ?? null;
}
