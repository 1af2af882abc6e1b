// Protocol upgrades (WebSocket, e.g. OpenAI's Realtime API) on a relayed or intercepted host: the
// handshake goes upstream like any request, and after the 101 the two sockets are spliced and
// bytes pass untouched. Lumen does not read usage from them yet; it only keeps them working.
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { endToEndHeaders, headerRecord } from "./headers.ts";
import { PROJECT_HEADER } from "./project.ts";
import type { RelayTarget } from "./relay.ts";
import { type UpstreamClient, UpstreamError } from "./upstream.ts";

/** Forwards an upgrade request to `target` and splices the connections once both sides agree. */
export function relayUpgrade(
  req: IncomingMessage,
  client: Duplex,
  head: Uint8Array,
  target: RelayTarget,
  upstream: UpstreamClient,
): void {
  const headers = headerRecord(
    endToEndHeaders(req.rawHeaders, { drop: ["host", "content-length", PROJECT_HEADER] }),
  );
  headers["connection"] = "Upgrade";
  headers["upgrade"] = req.headers.upgrade ?? "websocket";
  const call = upstream.upgrade({
    host: target.host,
    origin: target.origin,
    method: req.method ?? "GET",
    pathWithQuery: target.pathWithQuery,
    headers,
    body: new Uint8Array(),
  });
  client.on("error", () => call.abort());
  client.once("close", () => call.abort());
  call.result.then((result) => {
    if (client.destroyed) return result.socket?.destroy();
    client.write(statusHead(result.status, result.statusMessage, result.rawHeaders));
    if (!result.socket) return client.end(result.body);
    const server = result.socket;
    if (result.head.length > 0) client.write(result.head);
    if (head.length > 0) server.write(head);
    server.on("error", () => client.destroy());
    server.once("close", () => client.destroy());
    client.once("close", () => server.destroy());
    server.pipe(client);
    client.pipe(server);
  }, (error) => {
    const status = error instanceof UpstreamError ? error.status : 502;
    const body = JSON.stringify({
      error: {
        code: error instanceof UpstreamError ? error.code : "upstream_unreachable",
        message: error instanceof Error ? error.message : String(error),
      },
    });
    client.end(
      `HTTP/1.1 ${status} Bad Gateway\r\ncontent-type: application/json; charset=utf-8\r\n` +
        `content-length: ${new TextEncoder().encode(body).length}\r\nconnection: close\r\n\r\n` +
        body,
    );
  });
}

function statusHead(status: number, message: string, rawHeaders: string[]): string {
  // A refused upgrade is answered in full and the connection closed; an accepted one keeps its
  // Connection/Upgrade pair, which is what makes it a 101.
  const pairs = status === 101
    ? pairsOf(rawHeaders)
    : [...endToEndHeaders(rawHeaders), ["connection", "close"] as [string, string]];
  const lines = pairs.map(([name, value]) => `${name}: ${value}\r\n`).join("");
  return `HTTP/1.1 ${status} ${message}\r\n${lines}\r\n`;
}

function pairsOf(raw: string[]): [string, string][] {
  const pairs: [string, string][] = [];
  for (let i = 0; i < raw.length; i += 2) pairs.push([raw[i], raw[i + 1]]);
  return pairs;
}
