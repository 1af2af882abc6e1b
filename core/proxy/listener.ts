// The :9090 front door. node:http rather than Deno.serve because proxy mode needs CONNECT sockets.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { type RelayDeps, relayRequest } from "./relay.ts";
import { sendJsonError } from "./respond.ts";
import { RELAY_ROUTES, resolveRelayRoute } from "./route.ts";

/** A listening proxy. */
export interface ProxyListener {
  port: number;
  close(): Promise<void>;
}

/** Starts the proxy on 127.0.0.1:`port`; rejects with the OS error when it cannot listen. */
export function startProxyListener(port: number, deps: RelayDeps): Promise<ProxyListener> {
  const server = http.createServer((req, res) => {
    const target = req.url ?? "/";
    const route = resolveRelayRoute(target);
    if (!route) return sendUnknownRoute(res, target);
    relayRequest(req, res, { ...route, mode: "relay" }, deps).catch((error) => {
      sendJsonError(res, 500, "relay_failed", `Relay failed: ${error?.message ?? error}`);
    });
  });
  // LLM clients keep connections open between calls; an idle one costs a socket, nothing more.
  server.keepAliveTimeout = 65_000;
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject);
      resolve({
        port: (server.address() as AddressInfo).port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}

function sendUnknownRoute(res: http.ServerResponse, target: string): void {
  const routes = Object.fromEntries(
    Object.entries(RELAY_ROUTES).map(([prefix, host]) => [`/${prefix}/*`, `https://${host}/*`]),
  );
  const list = Object.entries(routes).map(([from, to]) => `${from} → ${to}`).join(", ");
  const shown = target.length > 200 ? `${target.slice(0, 200)}…` : target;
  sendJsonError(res, 404, "unknown_route", `No relay route for ${shown}; valid routes: ${list}`, {
    routes,
  });
}
