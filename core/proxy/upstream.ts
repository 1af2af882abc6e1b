// One shared, pooled client for provider APIs.
//
// node:https rather than fetch: Deno's fetch decompresses bodies while keeping `content-encoding`
// and adds default headers (accept, accept-language, user-agent), so the client would not get the
// provider's bytes. node:https passes both directions through untouched and, unlike fetch, never
// honours HTTP(S)_PROXY, so the daemon cannot loop into itself through an inherited proxy variable.
import http from "node:http";
import https from "node:https";
import tls from "node:tls";

/** A request to a provider host (the real host; overrides are applied here). */
export interface UpstreamRequest {
  host: string;
  method: string;
  pathWithQuery: string;
  /** End-to-end request headers (no Host, no hop-by-hop). */
  headers: Record<string, string | string[]>;
  body: Uint8Array;
}

/** The upstream could not be reached or refused the TLS handshake. */
export class UpstreamError extends Error {
  override name = "UpstreamError";
}

/** Started upstream request: its response, and a way to tear it down. */
export interface UpstreamCall {
  response: Promise<http.IncomingMessage>;
  abort(): void;
}

/** Client used by the relay. */
export interface UpstreamClient {
  request(request: UpstreamRequest): UpstreamCall;
  /** Where `host` is really reached, for messages: `https://api.openai.com`. */
  originOf(host: string): string;
  close(): void;
}

/** Options for createUpstreamClient(). */
export interface UpstreamClientOptions {
  overrides: Map<string, URL>;
  extraCaCerts: string[];
  /** Time allowed to connect (TCP and TLS); default 10 s. */
  connectTimeoutMs?: number;
}

/** Creates the keep-alive pooled upstream client that honours overrides and extra CAs. */
export function createUpstreamClient(options: UpstreamClientOptions): UpstreamClient {
  const connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
  // `ca` replaces the default trust store, so the system roots go in first.
  const ca = [...tls.rootCertificates, ...options.extraCaCerts];
  const httpsAgent = new https.Agent({ keepAlive: true, ca, maxSockets: 256 });
  const httpAgent = new http.Agent({ keepAlive: true, maxSockets: 256 });

  function targetOf(host: string): URL {
    return options.overrides.get(host) ?? new URL(`https://${host}`);
  }

  function request(upstream: UpstreamRequest): UpstreamCall {
    const target = targetOf(upstream.host);
    const secure = target.protocol === "https:";
    const headers: Record<string, string | string[]> = { ...upstream.headers, host: target.host };
    if (upstream.body.length > 0 || !["GET", "HEAD"].includes(upstream.method)) {
      headers["content-length"] = String(upstream.body.length);
    }
    const req = (secure ? https : http).request({
      agent: secure ? httpsAgent : httpAgent,
      hostname: target.hostname.replace(/^\[|\]$/g, ""),
      port: target.port || (secure ? 443 : 80),
      servername: isIp(target.hostname) ? undefined : target.hostname,
      method: upstream.method,
      path: upstream.pathWithQuery,
      headers,
    });
    const response = new Promise<http.IncomingMessage>((resolve, reject) => {
      const fail = (why: string) => {
        reject(new UpstreamError(`Cannot reach ${upstream.host} at ${target.origin}: ${why}`));
      };
      const timer = setTimeout(() => {
        fail(`no connection within ${connectTimeoutMs / 1000} s`);
        req.destroy();
      }, connectTimeoutMs);
      req.once("socket", (socket) => {
        // Small request writes must not wait for an ACK (Nagle + delayed ACK costs ~40 ms).
        socket.setNoDelay(true);
        if (!socket.connecting) return clearTimeout(timer);
        socket.once(secure ? "secureConnect" : "connect", () => clearTimeout(timer));
      });
      req.once("response", (res) => {
        clearTimeout(timer);
        resolve(res);
      });
      req.once("error", (error) => {
        clearTimeout(timer);
        fail(error.message);
      });
      req.once("close", () => clearTimeout(timer));
    });
    req.end(upstream.body);
    return { response, abort: () => req.destroy() };
  }

  return {
    request,
    originOf: (host) => targetOf(host).origin,
    close() {
      httpsAgent.destroy();
      httpAgent.destroy();
    },
  };
}

function isIp(hostname: string): boolean {
  return /^[\d.]+$/.test(hostname) || hostname.includes(":") || hostname.startsWith("[");
}
