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
import { createInterceptor, type LeafPem } from "./mitm.ts";
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

/** Starts the proxy on 127.0.0.1:`port`; rejects with the OS error when it cannot listen. */
export function startProxyListener(port: number, deps: ProxyDeps): Promise<ProxyListener> {
  // CONNECT sockets leave the http server's bookkeeping, so close() needs its own list.
  const tunnels = new Set<net.Socket>();
  const forward = (req: http.IncomingMessage, res: http.ServerResponse, target: RelayTarget) => {
    relayRequest(req, res, target, deps).catch((error) => {
      sendJsonError(res, 500, "relay_failed", `Relay failed: ${error?.message ?? error}`);
    });
  };
  const interceptor = createInterceptor({
    leafFor: deps.leafFor,
    onClientTlsError: deps.onClientTlsError,
    onUpgrade: (req, socket, head, target) =>
      relayUpgrade(req, socket, head, {
        host: target.host,
        origin: target.origin,
        pathWithQuery: req.url ?? "/",
        mode: "proxy",
      }, deps.upstream),
    onRequest: (req, res, target) =>
      forward(req, res, {
        host: target.host,
        origin: target.origin,
        pathWithQuery: req.url ?? "/",
        mode: "proxy",
      }),
  });

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

  const server = http.createServer((req, res) => {
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
  server.on("connect", (req: http.IncomingMessage, client: net.Socket, head: Uint8Array) => {
    tunnels.add(client);
    client.once("close", () => tunnels.delete(client));
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
  // LLM clients keep connections open between calls; an idle one costs a socket, nothing more.
  server.keepAliveTimeout = 65_000;
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
            for (const socket of tunnels) socket.destroy();
          }),
      });
    });
  });
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
