// An https.Agent whose connections are TLS sockets over CONNECT tunnels through Lumen's proxy port,
// so the benchmark drives proxy mode with the same node:https client as the direct and relay paths.
// One CONNECT per pooled connection: a kept-alive tunnel carries every later request on it.
import http from "node:http";
import https from "node:https";
import type net from "node:net";
import type { Duplex } from "node:stream";
import tls from "node:tls";

/** Options of TunnelAgent: https.Agent options plus the proxy's port and the CA to trust. */
export interface TunnelAgentOptions extends https.AgentOptions {
  /** Port of the proxy on 127.0.0.1. */
  proxyPort: number;
  /** PEM of the CA that signs the proxy's leaf certificates (`$LUMEN_HOME/ca.pem`). */
  ca: string;
  /** Time allowed for the CONNECT answer plus the TLS handshake; default 10 s. */
  timeoutMs?: number;
}

/** An https.Agent that opens each connection with `CONNECT host:port` to a local proxy. */
export class TunnelAgent extends https.Agent {
  #proxyPort: number;
  #ca: string;
  #timeoutMs: number;
  #tunnels = new Set<net.Socket>();
  #connects = 0;

  constructor(options: TunnelAgentOptions) {
    const { proxyPort, ca, timeoutMs, ...agentOptions } = options;
    super({ ...agentOptions, ca });
    this.#proxyPort = proxyPort;
    this.#ca = ca;
    this.#timeoutMs = timeoutMs ?? 10_000;
  }

  /** CONNECTs the proxy answered with 200: one per connection this agent opened. */
  get connects(): number {
    return this.#connects;
  }

  /** Opens a tunnel and hands the agent a TLS socket over it, through the callback. */
  override createConnection(
    options: http.ClientRequestArgs,
    callback?: (error: Error | null, stream: Duplex) => void,
  ): Duplex {
    if (!callback) throw new TypeError("TunnelAgent.createConnection() needs a callback");
    // The agent fills in host and port from the request URL; servername may be left unset.
    const host = String(options.host ?? options.hostname ?? "localhost");
    const authority = `${host}:${options.port ?? 443}`;
    const servername = (options as tls.ConnectionOptions).servername || host;
    this.#open(authority, servername).then(
      (socket) => callback(null, socket),
      (error) => callback(error, undefined as unknown as Duplex),
    );
    // The agent waits for the callback only when nothing is returned; the Node types declare
    // the synchronous form alone, hence the cast.
    return undefined as unknown as Duplex;
  }

  /** Destroys the pooled connections and every tunnel under them. */
  override destroy(): void {
    super.destroy();
    for (const tunnel of this.#tunnels) tunnel.destroy();
  }

  async #open(authority: string, servername: string): Promise<tls.TLSSocket> {
    const abort = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(new Error(`No tunnel to ${authority} within ${this.#timeoutMs} ms`));
        abort.abort();
      }, this.#timeoutMs);
    });
    let tunnel: net.Socket | undefined;
    try {
      tunnel = await Promise.race([this.#connect(authority, abort.signal), expired]);
      const secure = tls.connect({ socket: tunnel, servername, ca: this.#ca });
      // The TLS socket may not relay errors of the socket under it: a reset tunnel ends it.
      tunnel.on("error", (error) => secure.destroy(error));
      secure.once("close", () => tunnel?.destroy());
      await Promise.race([
        new Promise<void>((resolve, reject) => {
          secure.once("secureConnect", resolve);
          secure.once("error", reject);
        }),
        expired,
      ]);
      return secure;
    } catch (error) {
      tunnel?.destroy();
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  #connect(authority: string, signal: AbortSignal): Promise<net.Socket> {
    return new Promise((resolve, reject) => {
      const req = http.request({
        host: "127.0.0.1",
        port: this.#proxyPort,
        method: "CONNECT",
        path: authority,
        headers: { host: authority },
        agent: false,
        signal,
      });
      req.once("connect", (res: http.IncomingMessage, socket: net.Socket, head: Uint8Array) => {
        if (res.statusCode !== 200 || signal.aborted) {
          socket.destroy();
          return reject(new Error(`CONNECT ${authority} answered ${res.statusCode}`));
        }
        this.#connects++;
        // Node's agents default to noDelay; without it Nagle would hold back small TLS records.
        socket.setNoDelay(true);
        if (head.length > 0) socket.unshift(head);
        this.#tunnels.add(socket);
        socket.once("close", () => this.#tunnels.delete(socket));
        resolve(socket);
      });
      req.once("error", reject);
      req.end();
    });
  }
}
