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
  /** Stops every server's timers; the tunnels' sockets are the proxy's to close. */
  close(): void;
}

/** The HTTP limits the interception servers share with the front door. */
export interface InterceptorLimits {
  /** Largest request head, in bytes; a larger one gets 431. */
  maxHeaderBytes: number;
  /** Time a client has to send a request head; then it gets 408. */
  headersTimeoutMs: number;
}

/** Servers kept for reuse; past this the least recently used one is retired. */
const MAX_SERVERS = 128;

/** Creates the interceptor. */
export function createInterceptor(deps: InterceptorDeps, limits: InterceptorLimits): Interceptor {
  // One server per host:port, for the leaf it was made with: a re-minted leaf gets a fresh server.
  // Map order is use order, so the first entry is the one to retire.
  const servers = new Map<string, { leaf: LeafPem; server: https.Server }>();

  function serverFor(target: Authority, leaf: LeafPem): https.Server {
    const key = `${target.host}:${target.port}`;
    const known = servers.get(key);
    servers.delete(key);
    if (known?.leaf === leaf) {
      servers.set(key, known);
      return known.server;
    }
    if (known) retire(known.server);
    const server = createServer(target, leaf);
    servers.set(key, { leaf, server });
    if (servers.size > MAX_SERVERS) {
      const [oldest, entry] = servers.entries().next().value!;
      servers.delete(oldest);
      retire(entry.server);
    }
    return server;
  }

  function createServer(target: Authority, leaf: LeafPem): https.Server {
    const origin = new URL(`https://${hostForUrl(target.host)}:${target.port}`);
    const server = https.createServer(
      {
        cert: leaf.certPem,
        key: leaf.keyPem,
        SNICallback: (_name, done) => done(null, leaf.context),
        ALPNProtocols: ["http/1.1"],
        maxHeaderSize: limits.maxHeaderBytes,
        headersTimeout: limits.headersTimeoutMs,
        // A client that opens a tunnel and never starts TLS is cut like a slow request head.
        handshakeTimeout: limits.headersTimeoutMs,
        // Only the time to receive a request; 0 so that a long streamed upload is not cut.
        requestTimeout: 0,
        connectionsCheckingInterval: checkingIntervalMs(limits.headersTimeoutMs),
        // LLM clients keep tunnels open between calls; an idle one costs a socket, nothing more.
        keepAliveTimeout: 65_000,
      },
      (req, res) => deps.onRequest(req, res, { ...target, origin }),
    );
    // Deno 2.9's node:http destroys a kept-alive socket after each response when its server is not
    // listening (denoland/deno#35609), which would cut every tunnel after one request.
    Object.defineProperty(server, "listening", { get: () => true });
    // A server that never listens never starts the timer enforcing headersTimeout: node:http starts
    // it on "listening", so a slowloris inside a tunnel would never be cut without this.
    server.emit("listening");
    server.on("clientError", answerClientError);
    server.on("tlsClientError", (error) => deps.onClientTlsError(target.host, error));
    server.on("upgrade", (req, socket, head) => {
      deps.onUpgrade(req, socket, head, { ...target, origin });
    });
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
    close() {
      for (const { server } of servers.values()) retire(server);
      servers.clear();
    },
  };
}

/** How often node:http looks for request heads past their timeout. */
export function checkingIntervalMs(headersTimeoutMs: number): number {
  return Math.max(100, Math.min(5_000, Math.round(headersTimeoutMs / 4)));
}

/**
 * Stops a server's header timer. Its tunnels carry on: close() ends only idle kept-alive
 * connections, which their clients reopen. It never listened, so the callback hears "not running".
 */
function retire(server: https.Server): void {
  server.close(() => {});
}

const CLIENT_ERROR_STATUS: Record<string, string> = {
  HPE_HEADER_OVERFLOW: "431 Request Header Fields Too Large",
  ERR_HTTP_REQUEST_TIMEOUT: "408 Request Timeout",
};

/**
 * Answers a request node:http could not read, as its default handler does on a plain socket; on a
 * TLS socket Deno 2.9's default handler closes the connection before its answer is sent.
 */
function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  // Mid-response (a pipelined request broke) there is no place for another status line.
  const busy = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent;
  if (!socket.writable || busy || error.code === "ECONNRESET") return void socket.destroy();
  const status = CLIENT_ERROR_STATUS[error.code ?? ""] ?? "400 Bad Request";
  socket.end(`HTTP/1.1 ${status}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n`);
}

function hostForUrl(host: string): string {
  return host.includes(":") ? `[${host}]` : host;
}
