// TLS interception for monitored hosts: the CONNECT socket is handed to an https server that
// presents a leaf for the host, signed by the per-install CA, and serves the tunnel's HTTP/1.1
// requests like relay requests.
//
// One https server per target, never listening: its default certificate is the target's leaf, so
// clients that send no SNI (IP literals) get the right certificate too, and the request handler
// knows the CONNECT target without reaching into private socket fields. SNICallback answers with
// that same leaf, because a server given SNICallback alone sometimes read the ClientHello as data.
import type { IncomingMessage, ServerResponse } from "node:http";
import https from "node:https";
import type net from "node:net";
import type { Duplex } from "node:stream";
import tls from "node:tls";
import type { Authority } from "./authority.ts";

/** One leaf certificate: its PEM material and the TLS context that presents it. */
export interface LeafPem {
  certPem: string;
  keyPem: string;
  context: tls.SecureContext;
}

/** What the interceptor needs from the proxy. */
export interface InterceptorDeps {
  /** The leaf to present for `host`, minted once per host. */
  leafFor(host: string): Promise<LeafPem>;
  /** Serves one decrypted request for `target` (`origin` is where the real host is reached). */
  onRequest(req: IncomingMessage, res: ServerResponse, target: Authority & { origin: URL }): void;
  /** Serves one decrypted upgrade request (a WebSocket handshake) for `target`. */
  onUpgrade(
    req: IncomingMessage,
    socket: Duplex,
    head: Uint8Array,
    target: Authority & { origin: URL },
  ): void;
  /** A client refused the TLS handshake (usually: it does not trust Lumen's CA yet). */
  onClientTlsError(host: string, error: Error): void;
}

/** Hands CONNECT sockets to per-target TLS servers. */
export interface Interceptor {
  /** Mints (or reuses) the target's leaf, answers the CONNECT and starts TLS on the socket. */
  intercept(client: net.Socket, head: Uint8Array, target: Authority): Promise<void>;
}

/** Creates the interceptor. */
export function createInterceptor(deps: InterceptorDeps): Interceptor {
  // Keyed by leaf: a server lives as long as its leaf is cached (or a tunnel still uses it), and a
  // re-minted leaf gets a fresh server.
  const servers = new WeakMap<LeafPem, Map<number, https.Server>>();

  function serverFor(target: Authority, leaf: LeafPem): https.Server {
    const byPort = servers.get(leaf) ?? new Map<number, https.Server>();
    servers.set(leaf, byPort);
    const known = byPort.get(target.port);
    if (known) return known;
    const origin = new URL(`https://${hostForUrl(target.host)}:${target.port}`);
    const server = https.createServer(
      {
        cert: leaf.certPem,
        key: leaf.keyPem,
        SNICallback: (_name, done) => done(null, leaf.context),
        ALPNProtocols: ["http/1.1"],
      },
      (req, res) => deps.onRequest(req, res, { ...target, origin }),
    );
    // LLM clients keep tunnels open between calls; an idle one costs a socket, nothing more.
    server.keepAliveTimeout = 65_000;
    // Deno 2.9's node:http destroys a kept-alive socket after each response when its server is not
    // listening (denoland/deno#35609), which would cut every tunnel after one request.
    Object.defineProperty(server, "listening", { get: () => true });
    server.on("tlsClientError", (error) => deps.onClientTlsError(target.host, error));
    server.on("upgrade", (req, socket, head) => {
      deps.onUpgrade(req, socket, head, { ...target, origin });
    });
    byPort.set(target.port, server);
    return server;
  }

  return {
    async intercept(client, head, target) {
      const leaf = await deps.leafFor(target.host);
      if (client.destroyed) return;
      client.setNoDelay(true);
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      if (head.length > 0) client.unshift(head);
      serverFor(target, leaf).emit("connection", client);
    },
  };
}

function hostForUrl(host: string): string {
  return host.includes(":") ? `[${host}]` : host;
}
