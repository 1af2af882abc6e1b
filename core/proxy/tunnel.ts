// Blind CONNECT tunnels for hosts Lumen does not read: bytes pass both ways untouched, no
// certificate is minted, and the client sees the real server's certificate.
import net from "node:net";
import type { Authority } from "./authority.ts";
import { isOwnListener } from "./upstream.ts";

/** What a tunnel needs from the proxy. */
export interface TunnelOptions {
  ownPorts(): number[];
  /** Time allowed for the TCP connect; default 10 s. */
  connectTimeoutMs?: number;
}

/** Connects to `target`, answers the CONNECT and splices the two sockets together. */
export function openTunnel(
  client: net.Socket,
  head: Uint8Array,
  target: Authority,
  options: TunnelOptions,
): void {
  const upstream = net.connect({ host: target.host, port: target.port });
  let connected = false;
  const timeoutMs = options.connectTimeoutMs ?? 10_000;
  const timer = setTimeout(() => {
    upstream.destroy();
    const within = `within ${timeoutMs / 1000} s`;
    refuseConnect(client, 504, `No connection to ${target.host}:${target.port} ${within}`);
  }, timeoutMs);

  upstream.once("connect", () => {
    clearTimeout(timer);
    if (isOwnListener(upstream.remoteAddress, upstream.remotePort, options.ownPorts)) {
      upstream.destroy();
      return refuseConnect(
        client,
        403,
        `Refused to tunnel to ${target.host}: that is Lumen itself`,
      );
    }
    connected = true;
    upstream.setNoDelay(true);
    client.setNoDelay(true);
    client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
    if (head.length > 0) upstream.write(head);
    upstream.pipe(client);
    client.pipe(upstream);
  });
  upstream.once("error", (error) => {
    clearTimeout(timer);
    if (connected) return client.destroy();
    refuseConnect(client, 502, `Cannot reach ${target.host}:${target.port}: ${error.message}`);
  });
  // Before the splice the client is answered by refuseConnect(), whose reply must not be cut.
  upstream.once("close", () => connected && client.destroy());
  client.once("error", () => upstream.destroy());
  client.once("close", () => {
    clearTimeout(timer);
    upstream.destroy();
  });
}

/** Answers a CONNECT with an error status and closes the client connection. */
export function refuseConnect(client: net.Socket, status: number, message: string): void {
  if (client.destroyed) return;
  const body = JSON.stringify({ error: { code: codeOf(status), message } });
  const reason = { 400: "Bad Request", 403: "Forbidden", 502: "Bad Gateway" }[status] ??
    "Gateway Timeout";
  client.end(
    `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json; charset=utf-8\r\n` +
      `content-length: ${
        new TextEncoder().encode(body).length
      }\r\nconnection: close\r\n\r\n${body}`,
  );
}

function codeOf(status: number): string {
  if (status === 400) return "bad_connect_target";
  if (status === 403) return "proxy_loop";
  return status === 502 ? "upstream_unreachable" : "upstream_timeout";
}
