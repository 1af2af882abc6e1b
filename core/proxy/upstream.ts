// One shared, pooled client for provider APIs.
//
// node:https rather than fetch: Deno's fetch decompresses bodies while keeping `content-encoding`
// and adds default headers (accept, accept-language, user-agent), so the client would not get the
// provider's bytes. node:https passes both directions through untouched and, unlike fetch, never
// honours HTTP(S)_PROXY, so the daemon cannot loop into itself through an inherited proxy variable.
import { Buffer } from "node:buffer";
import http from "node:http";
import https from "node:https";
import type { Duplex, Readable } from "node:stream";
import { TlsAgent } from "./tls_socket.ts";

/** A request to a provider host (the real host; overrides are applied here). */
export interface UpstreamRequest {
  host: string;
  /** Where `host` is served when no override applies; default `https://<host>`. */
  origin?: URL;
  method: string;
  pathWithQuery: string;
  /** End-to-end request headers (no Host, no hop-by-hop). */
  headers: Record<string, string | string[]>;
  /** The whole body, or the client's request to stream it from (its content-length kept). */
  body: Uint8Array | Readable;
}

/** Why an upstream request failed before a response: what the client is told, and with which status. */
export class UpstreamError extends Error {
  override name = "UpstreamError";
  constructor(
    message: string,
    /** `upstream_unreachable`, `upstream_certificate_invalid` or `proxy_loop`. */
    readonly code: string = "upstream_unreachable",
    readonly status: number = 502,
  ) {
    super(message);
  }
}

/** Started upstream request: its response, and a way to tear it down. */
export interface UpstreamCall {
  response: Promise<http.IncomingMessage>;
  abort(): void;
}

/** How an upgrade request ended: switched (socket set) or refused with a whole response. */
export interface UpgradeResult {
  status: number;
  statusMessage: string;
  rawHeaders: string[];
  /** The switched connection, or null when the upstream answered without switching. */
  socket: Duplex | null;
  /** Bytes the upstream sent after its 101 head. */
  head: Uint8Array;
  /** The refusal's body (capped), empty when switched. */
  body: Uint8Array;
}

/** A started upgrade request. */
export interface UpgradeCall {
  result: Promise<UpgradeResult>;
  abort(): void;
}

/** What the upstream answered: a response, or the switched socket of an accepted upgrade. */
interface Answer {
  res: http.IncomingMessage;
  upgraded?: { socket: Duplex; head: Uint8Array };
}

/** A refused upgrade's body is relayed whole, up to this size. */
const MAX_REFUSAL_BYTES = 1024 * 1024;

/** Client used by the relay. */
export interface UpstreamClient {
  request(request: UpstreamRequest): UpstreamCall;
  /** Sends an upgrade request (WebSocket handshake) and hands back the switched connection. */
  upgrade(request: UpstreamRequest): UpgradeCall;
  close(): void;
}

/** Options for createUpstreamClient(). */
export interface UpstreamClientOptions {
  overrides: Map<string, URL>;
  extraCaCerts: string[];
  /** Time allowed to connect (TCP and TLS); default 10 s. */
  connectTimeoutMs?: number;
  /** Lumen's own listening ports: a connection that lands on one of them is refused. */
  ownPorts?: () => number[];
}

/** Creates the keep-alive pooled upstream client that honours overrides and extra CAs. */
export function createUpstreamClient(options: UpstreamClientOptions): UpstreamClient {
  const connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
  // No cap on sockets per host: each client connection (capped by the listener) has at most one
  // request upstream, and a capped pool would queue new calls behind streams that never end.
  const httpsAgent = new TlsAgent({
    extraCaCerts: options.extraCaCerts,
    timeoutMs: connectTimeoutMs,
    check: (address, authority) => {
      // Checked on the address actually reached, so no spelling of loopback gets past it.
      if (isOwnListener(address.hostname, address.port, options.ownPorts)) {
        throw loopError(authority);
      }
    },
  });
  const httpAgent = new http.Agent({ keepAlive: true });

  function targetOf(host: string, origin?: URL): URL {
    return options.overrides.get(host) ?? origin ?? new URL(`https://${host}`);
  }

  /** Starts `upstream`; the answer is its response, or the switched socket of an upgrade. */
  function send(upstream: UpstreamRequest): { req: http.ClientRequest; answer: Promise<Answer> } {
    const target = targetOf(upstream.host, upstream.origin);
    const secure = target.protocol === "https:";
    const headers: Record<string, string | string[]> = { ...upstream.headers, host: target.host };
    const whole = upstream.body instanceof Uint8Array ? upstream.body : null;
    if (whole && (whole.length > 0 || !["GET", "HEAD"].includes(upstream.method))) {
      headers["content-length"] = String(whole.length);
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
    const answer = new Promise<Answer>((resolve, reject) => {
      const fail = (error: Error | string) => {
        if (error instanceof UpstreamError) return reject(error);
        const why = typeof error === "string" ? error : error.message;
        if (typeof error !== "string" && isCertificateError(error)) {
          return reject(
            new UpstreamError(
              `${upstream.host} at ${target.origin} presented a certificate Lumen does not trust ` +
                `(${why}). Lumen never forwards to an unverified server; if a corporate TLS ` +
                `inspection proxy is in the way, add its CA with LUMEN_EXTRA_CA_CERTS.`,
              "upstream_certificate_invalid",
            ),
          );
        }
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
        socket.once("connect", () => {
          // Checked on the address actually reached, so no spelling of loopback gets past it.
          if (!isOwnListener(socket.remoteAddress, socket.remotePort, options.ownPorts)) return;
          clearTimeout(timer);
          req.destroy(loopError(target.host));
        });
        socket.once(secure ? "secureConnect" : "connect", () => clearTimeout(timer));
      });
      req.once("response", (res) => {
        clearTimeout(timer);
        resolve({ res });
      });
      req.once("upgrade", (res, socket, head) => {
        clearTimeout(timer);
        resolve({ res, upgraded: { socket, head } });
      });
      req.once("error", (error) => {
        clearTimeout(timer);
        fail(error);
      });
      req.once("close", () => clearTimeout(timer));
    });
    if (whole) req.end(whole);
    else (upstream.body as Readable).pipe(req);
    return { req, answer };
  }

  function request(upstream: UpstreamRequest): UpstreamCall {
    const { req, answer } = send(upstream);
    const response = answer.then(({ res, upgraded }) => {
      if (!upgraded) return res;
      upgraded.socket.destroy();
      throw new UpstreamError(`${upstream.host} switched protocols on a request that asked not to`);
    });
    return { response, abort: () => req.destroy() };
  }

  function upgrade(upstream: UpstreamRequest): UpgradeCall {
    const { req, answer } = send(upstream);
    const result = answer.then(async ({ res, upgraded }): Promise<UpgradeResult> => {
      const { statusCode = 502, statusMessage = "", rawHeaders } = res;
      const head = { status: statusCode, statusMessage, rawHeaders };
      if (upgraded) return { ...head, ...upgraded, body: new Uint8Array() };
      // A refusal (401, 426, …) is small; it goes back to the client whole.
      return { ...head, socket: null, head: new Uint8Array(), body: await readCapped(res) };
    });
    return { result, abort: () => req.destroy() };
  }

  return {
    request,
    upgrade,
    close() {
      httpsAgent.destroy();
      httpAgent.destroy();
    },
  };
}

async function readCapped(res: http.IncomingMessage): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of res as AsyncIterable<Uint8Array>) {
    if (size + chunk.length > MAX_REFUSAL_BYTES) {
      res.destroy();
      break;
    }
    chunks.push(chunk);
    size += chunk.length;
  }
  return Buffer.concat(chunks, size);
}

/** The error for a request that would reach Lumen's own listener and loop. */
export function loopError(target: string): UpstreamError {
  return new UpstreamError(
    `Refused to forward to ${target}: that is Lumen itself, and the request would loop`,
    "proxy_loop",
    403,
  );
}

/** True when `address:port` is one of Lumen's own listeners (loopback or unspecified address). */
export function isOwnListener(
  address: string | undefined,
  port: number | undefined,
  ownPorts: (() => number[]) | undefined,
): boolean {
  if (!address || port === undefined || !ownPorts?.().includes(port)) return false;
  const plain = address.replace(/^::ffff:/i, "");
  return plain.startsWith("127.") || plain === "::1" || plain === "0.0.0.0" || plain === "::";
}

function isCertificateError(error: Error): boolean {
  const code = (error as { code?: unknown }).code;
  return (typeof code === "string" && /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ALTNAME/.test(code)) ||
    /certificate/i.test(error.message);
}

function isIp(hostname: string): boolean {
  return /^[\d.]+$/.test(hostname) || hostname.includes(":") || hostname.startsWith("[");
}
