// Test support: a real OAuth 2 / OpenID Connect authorization server (npm:oidc-provider) on
// loopback with dynamic registration, revocation and its development login/consent pages, plus a
// stand-in team sync server whose RFC 9728 metadata names it.
import http from "node:http";
import type { AddressInfo } from "node:net";
import Provider from "oidc-provider";

/** A running authorization server and the resource server that points at it. */
export interface OidcStack {
  /** The authorization server's issuer, `http://127.0.0.1:<port>`. */
  issuer: string;
  /** The team sync server's origin (RFC 9728 metadata under `/.well-known/…`). */
  resourceOrigin: string;
  /** The provider itself, to look up and revoke grants. */
  provider: Provider;
  /** Every request the authorization server received, as `METHOD /path`. */
  requests: string[];
  close(): Promise<void>;
}

/** Options of startOidcStack(). */
export interface OidcStackOptions {
  /** Access token lifetime in seconds (default 3600). */
  accessTokenTtl?: number;
}

/** Starts both servers on loopback ports; `close()` stops them. */
export async function startOidcStack(options: OidcStackOptions = {}): Promise<OidcStack> {
  const requests: string[] = [];
  let callback: http.RequestListener | null = null;
  const server = http.createServer((req, res) => {
    requests.push(`${req.method} ${new URL(req.url ?? "/", "http://x").pathname}`);
    if (callback) callback(req, res);
    else res.writeHead(503).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const provider = new Provider(issuer, {
    clients: [],
    features: {
      devInteractions: { enabled: true },
      registration: { enabled: true },
      revocation: { enabled: true },
      userinfo: { enabled: true },
      // Opaque access tokens for the one resource: no RFC 8707 audiences to configure.
      resourceIndicators: { enabled: false },
    },
    scopes: ["openid", "email", "offline_access"],
    claims: { openid: ["sub"], email: ["email", "email_verified"] },
    findAccount: (_ctx: unknown, id: string) => ({
      accountId: id,
      claims: () => ({ sub: id, email: `${id}@example.test`, email_verified: true }),
    }),
    ttl: {
      AccessToken: options.accessTokenTtl ?? 3600,
      RefreshToken: 24 * 3600,
      Grant: 24 * 3600,
      Session: 3600,
      Interaction: 600,
      AuthorizationCode: 60,
      IdToken: 3600,
    },
    cookies: { keys: ["lumen-test-cookie-key"] },
    // deno-lint-ignore no-explicit-any
  } as any);
  callback = provider.callback() as http.RequestListener;

  const resource = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    const url = new URL(req.url);
    const prefix = "/.well-known/oauth-protected-resource";
    if (url.pathname.startsWith(prefix)) {
      const path = url.pathname.slice(prefix.length);
      return Response.json({
        resource: `${url.origin}${path}`,
        authorization_servers: [issuer],
      });
    }
    // The sync API itself (the delivery tests have their own ingest server): accepted when
    // a bearer token comes with it, so deliveries succeed and leave no error in the status.
    if (url.pathname.includes("/lumen/v1/")) {
      const bearer = req.headers.get("authorization")?.startsWith("Bearer ");
      return new Response(null, { status: bearer ? 204 : 401 });
    }
    return new Response("not found", { status: 404 });
  });

  return {
    issuer,
    resourceOrigin: `http://127.0.0.1:${resource.addr.port}`,
    provider,
    requests,
    async close() {
      await resource.shutdown();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
