// The :9090 front door. node:http rather than Deno.serve because proxy mode needs CONNECT sockets.
// One port serves relay routes (`/openai/…`), absolute-form proxy requests (`http://host/…`) and
// CONNECT, which becomes TLS interception for monitored hosts and a blind tunnel for the rest.
import http from "node:http";
import type net from "node:net";
import {
  type Authority,
  isLoopbackName,
  parseAbsoluteTarget,
  parseAuthority,
} from "./authority.ts";
import { checkingIntervalMs, createInterceptor, type LeafPem } from "./mitm.ts";
import { type RelayDeps, relayRequest, type RelayTarget } from "./relay.ts";
import { sendJsonError } from "./respond.ts";
import { RELAY_ROUTES, resolveRelayRoute } from "./route.ts";
import { openTunnel, refuseConnect } from "./tunnel.ts";
import { loopError, UpstreamError } from "./upstream.ts";
import { relayUpgrade } from "./upgrade.ts";
import type { Duplex } from "node:stream";

/** What the proxy needs from the daemon besides the relay's own needs. */
export interface ProxyDeps extends RelayDeps {
  /** The leaf certificate presented for a monitored host. */
  leafFor(host: string): Promise<LeafPem>;
  /** Lumen's own listening ports, never proxied to. */
  ownPorts(): number[];
  /** A client refused Lumen's certificate for `host` during the TLS handshake. */
  onClientTlsError(host: string, error: Error): void;
  /** Interception could not start (e.g. minting the leaf failed). */
  onInterceptError(host: string, error: unknown): void;
}

/** A listening proxy. */
export interface ProxyListener {
  port: number;
  close(): Promise<void>;
}

/** Limits on what clients may hold; the defaults suit the daemon, tests lower them. */
export interface ProxyLimits {
  /** Open client connections, CONNECT tunnels included; past it new ones are closed. Default 1024. */
  maxConnections?: number;
  /** Time a client has to send a request head, then it gets 408 and is closed. Default 30 s. */
  headersTimeoutMs?: number;
}

/** Largest request head (request line and headers) read; a larger one gets 431. */
export const MAX_HEADER_BYTES = 64 * 1024;

/** Starts the proxy on 127.0.0.1:`port`; rejects with the OS error when it cannot listen. */
export function startProxyListener(
  port: number,
  deps: ProxyDeps,
  limits: ProxyLimits = {},
): Promise<ProxyListener> {
  const maxConnections = limits.maxConnections ?? 1024;
  const headersTimeoutMs = limits.headersTimeoutMs ?? 30_000;
  // Every accepted connection until it closes, whatever it became: relay and proxy requests,
  // interception and blind tunnels alike (CONNECT sockets leave node:http's own bookkeeping).
  const clients = new Set<net.Socket>();
  const forward = (req: http.IncomingMessage, res: http.ServerResponse, target: RelayTarget) => {
    relayRequest(req, res, target, deps).catch((error) => {
      sendJsonError(res, 500, "relay_failed", `Relay failed: ${error?.message ?? error}`);
    });
  };
  const interceptor = createInterceptor({
    leafFor: deps.leafFor,
    onClientTlsError: deps.onClientTlsError,
    onUpgrade: (req, socket, head, target) => {
      if (!isOriginForm(req.url)) return socket.end(BAD_TARGET_RESPONSE);
      relayUpgrade(req, socket, head, {
        host: target.host,
        origin: target.origin,
        pathWithQuery: req.url,
        mode: "proxy",
      }, deps.upstream);
    },
    onRequest: (req, res, target) => {
      // Inside a tunnel the host is the CONNECT target: an absolute or `//` target would only
      // confuse the provider about which host is meant, so it is refused.
      if (!isOriginForm(req.url)) {
        return sendJsonError(res, 400, "bad_request_target", "Expected a path starting with /");
      }
      forward(req, res, {
        host: target.host,
        origin: target.origin,
        pathWithQuery: req.url,
        mode: "proxy",
      });
    },
  }, { maxHeaderBytes: MAX_HEADER_BYTES, headersTimeoutMs });

  /** Where an origin-form (relay) or absolute-form (proxy) request goes; an error is a refusal. */
  const targetOf = (url: string): RelayTarget | UpstreamError | null => {
    const route = resolveRelayRoute(url);
    if (route) return { ...route, mode: "relay" };
    const absolute = parseAbsoluteTarget(url);
    if (!absolute) return null;
    const { host, port } = absolute.authority;
    if (isSelf(absolute.authority, deps)) return loopError(`${host}:${port}`);
    return { host, origin: absolute.origin, pathWithQuery: absolute.pathWithQuery, mode: "proxy" };
  };

  const server = http.createServer({
    maxHeaderSize: MAX_HEADER_BYTES,
    // A slowloris (a head trickled a byte at a time) is cut once this passes.
    headersTimeout: headersTimeoutMs,
    // Only the time to receive a request, never the response; 0 so that a long streamed upload
    // to a host Lumen does not read is not cut. Connections are bounded by maxConnections.
    requestTimeout: 0,
    // node:http checks both timeouts on this interval (default 30 s, too coarse for 30 s heads).
    connectionsCheckingInterval: checkingIntervalMs(headersTimeoutMs),
    // LLM clients keep connections open between calls; an idle one costs a socket, nothing more.
    // It applies between requests only: a response with long gaps is never cut.
    keepAliveTimeout: 65_000,
  }, (req, res) => {
    const target = targetOf(req.url ?? "/");
    if (!target) return sendUnknownRoute(res, req.url ?? "/");
    if (target instanceof UpstreamError) {
      return sendJsonError(res, target.status, target.code, target.message);
    }
    forward(req, res, target);
  });
  server.on("upgrade", (req: http.IncomingMessage, socket: Duplex, head: Uint8Array) => {
    const target = targetOf(req.url ?? "/");
    if (target && !(target instanceof UpstreamError)) {
      return relayUpgrade(req, socket, head, target, deps.upstream);
    }
    socket.end("HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
  });
  server.on("connection", (socket: net.Socket) => {
    // Refused by closing, as net.Server's maxConnections does; that one is not used because Deno
    // 2.9 never counts a CONNECT socket as closed. The connections already open carry on.
    if (clients.size >= maxConnections) return void socket.destroy();
    clients.add(socket);
    socket.once("close", () => clients.delete(socket));
  });
  server.on("connect", (req: http.IncomingMessage, client: net.Socket, head: Uint8Array) => {
    client.on("error", () => client.destroy());
    const target = parseAuthority(req.url ?? "");
    if (!target) {
      return refuseConnect(client, 400, `CONNECT needs host:port, got "${clip(req.url ?? "")}"`);
    }
    if (isSelf(target, deps)) {
      return refuseConnect(
        client,
        403,
        `Refused to tunnel to ${target.host}: that is Lumen itself`,
      );
    }
    if (!deps.isMonitored(target.host)) return openTunnel(client, head, target, deps);
    interceptor.intercept(client, head, target).catch((error) => {
      deps.onInterceptError(target.host, error);
      refuseConnect(client, 502, `Lumen cannot intercept ${target.host}: ${error?.message}`);
    });
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject);
      resolve({
        port: (server.address() as net.AddressInfo).port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
            interceptor.close();
            for (const socket of clients) socket.destroy();
          }),
      });
    });
  });
}

const BAD_TARGET_RESPONSE =
  "HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\nconnection: close\r\n\r\n";

/** True for an origin-form request target: one path starting with a single `/`. */
function isOriginForm(url: string | undefined): url is string {
  return url !== undefined && url.startsWith("/") && !url.startsWith("//");
}

function isSelf(target: Authority, deps: ProxyDeps): boolean {
  return isLoopbackName(target.host) && deps.ownPorts().includes(target.port);
}

function clip(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

function sendUnknownRoute(res: http.ServerResponse, target: string): void {
  const routes = Object.fromEntries(
    Object.entries(RELAY_ROUTES).map(([prefix, host]) => [`/${prefix}/*`, `https://${host}/*`]),
  );
  const list = Object.entries(routes).map(([from, to]) => `${from} → ${to}`).join(", ");
  sendJsonError(
    res,
    404,
    "unknown_route",
    `No relay route for ${clip(target)}; valid routes: ${list}, or use Lumen as an HTTP(S) proxy`,
    { routes },
  );
}
