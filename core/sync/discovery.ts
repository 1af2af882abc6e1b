// Finds a team sync server's authorization server and registers Lumen with it: the server URL from
// what the user typed, RFC 9728 protected-resource metadata (else RFC 8414 on the server itself),
// and RFC 7591 dynamic client registration. The protocol is oauth4webapi's; this only chooses.
import * as oauth from "oauth4webapi";

/**
 * Where a bare DataGrout server UUID points. A guess to confirm with DataGrout; override it with
 * `LUMEN_DATAGROUT_URL_TEMPLATE`.
 */
export const DEFAULT_SERVER_TEMPLATE = "https://app.datagrout.ai/servers/{uuid}";

const UUID_REGEXP = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);

/**
 * The server's base URL for `input`: an http(s) URL, or a bare UUID put into `template`; throws
 * TypeError naming the problem. Plain http is accepted for loopback servers only.
 */
export function resolveServer(input: string, template: string): URL {
  const text = input.trim();
  if (UUID_REGEXP.test(text)) return resolveServer(template.replaceAll("{uuid}", text), template);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new TypeError("Server must be a URL (https://…) or a DataGrout server UUID");
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && isLoopback(url))) {
    throw new TypeError("Server URL must use https (plain http only on this machine)");
  }
  if (url.username || url.password) throw new TypeError("Server URL must not hold credentials");
  url.hash = "";
  url.search = "";
  // No trailing slash: `{server}/lumen/v1/…` is built by appending.
  if (url.pathname.endsWith("/")) url.pathname = url.pathname.replace(/\/+$/, "");
  return url;
}

/** Whether `url` is on this machine, where plain http carries no one else's traffic. */
export function isLoopback(url: URL): boolean {
  return LOOPBACK_HOSTS.has(url.hostname);
}

/** oauth4webapi's request options for `url`: plain http allowed on loopback only. */
export function requestOptions(url: URL | string): { [oauth.allowInsecureRequests]?: boolean } {
  return isLoopback(new URL(url)) ? { [oauth.allowInsecureRequests]: true } : {};
}

/**
 * The authorization server's metadata for `server`: the issuer its RFC 9728 document names, else
 * the server itself as issuer (RFC 8414, then OpenID Connect discovery).
 */
export async function discoverAuthorizationServer(server: URL): Promise<oauth.AuthorizationServer> {
  const issuer = await protectedResourceIssuer(server) ?? server;
  const options = requestOptions(issuer);
  let firstError: unknown = null;
  for (const algorithm of ["oauth2", "oidc"] as const) {
    try {
      const response = await oauth.discoveryRequest(issuer, { ...options, algorithm });
      return await oauth.processDiscoveryResponse(issuer, response);
    } catch (error) {
      firstError ??= error;
    }
  }
  throw new Error(
    `No OAuth authorization server found for ${server.href}: ${describe(firstError)}`,
  );
}

/** The first authorization server named by `server`'s RFC 9728 metadata, or null when it has none. */
async function protectedResourceIssuer(server: URL): Promise<URL | null> {
  // RFC 9728 §3.1 puts the well-known segment before the resource's path; DESIGN.md's
  // `{server}/.well-known/…` (after it) is tried too, which is the same URL for a path-less server.
  const appended = new URL(`${server.href}/.well-known/oauth-protected-resource`);
  const attempts: (() => Promise<Response>)[] = [
    () => oauth.resourceDiscoveryRequest(server, requestOptions(server)),
    () => fetch(appended, { headers: { accept: "application/json" }, redirect: "manual" }),
  ];
  for (const attempt of attempts) {
    let response: Response;
    try {
      response = await attempt();
    } catch {
      return null; // unreachable: RFC 8414 discovery below reports it
    }
    if (response.status !== 200) {
      await response.body?.cancel();
      continue;
    }
    try {
      const metadata = await oauth.processResourceDiscoveryResponse(server, response);
      const issuer = metadata.authorization_servers?.[0];
      return issuer ? new URL(issuer) : null;
    } catch (error) {
      throw new Error(`Unusable protected resource metadata at ${server.href}: ${describe(error)}`);
    }
  }
  return null;
}

/** A client registered for `redirectUri` (RFC 7591), public unless the server demands a secret. */
export async function registerClient(
  as: oauth.AuthorizationServer,
  redirectUri: string,
): Promise<oauth.Client> {
  if (!as.registration_endpoint) {
    throw new Error(
      `${as.issuer} offers no dynamic client registration; set LUMEN_SYNC_CLIENT_ID to a client ` +
        `registered for ${redirectUri}`,
    );
  }
  const methods = as.token_endpoint_auth_methods_supported;
  const authMethod = !methods || methods.includes("none") ? "none" : methods[0];
  const response = await oauth.dynamicClientRegistrationRequest(as, {
    client_name: "Lumen",
    redirect_uris: [redirectUri],
    grant_types: ["authorization_code", "refresh_token"],
    response_types: ["code"],
    token_endpoint_auth_method: authMethod,
    // RFC 8252: a native app receiving the code on a loopback redirect.
    application_type: "native",
  }, requestOptions(as.registration_endpoint));
  return await oauth.processDynamicClientRegistrationResponse(response);
}

/** The client authentication `client` registered for (a public client sends none). */
export function clientAuth(client: oauth.Client): oauth.ClientAuth {
  const secret = typeof client.client_secret === "string" ? client.client_secret : null;
  if (!secret) return oauth.None();
  return client.token_endpoint_auth_method === "client_secret_post"
    ? oauth.ClientSecretPost(secret)
    : oauth.ClientSecretBasic(secret);
}

/** A short, secret-free description of an OAuth failure. */
export function describe(error: unknown): string {
  if (error instanceof oauth.ResponseBodyError) {
    return `${error.error}${error.error_description ? ` (${error.error_description})` : ""}`;
  }
  if (error instanceof oauth.AuthorizationResponseError) {
    return `${error.error}${error.error_description ? ` (${error.error_description})` : ""}`;
  }
  return error instanceof Error ? error.message : String(error);
}
