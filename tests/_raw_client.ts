// Clients on raw sockets, for tests that need every byte and the moment a connection closes:
// plain connections to the proxy, CONNECT tunnels (blind, or with TLS through them).
import net from "node:net";
import tls from "node:tls";

/** A client connection that records what it received and when it closed. */
export interface RawClient {
  socket: net.Socket | tls.TLSSocket;
  text(): string;
  closed: Promise<void>;
  isClosed(): boolean;
}

/** Starts recording what `socket` receives. */
export function watch(socket: net.Socket | tls.TLSSocket): RawClient {
  let text = "";
  let isClosed = false;
  socket.on("data", (chunk: Uint8Array) => text += new TextDecoder().decode(chunk));
  socket.on("error", () => {}); // a reset is one of the outcomes under test
  const closed = new Promise<void>((resolve) =>
    socket.once("close", () => {
      isClosed = true;
      resolve();
    })
  );
  return { socket, text: () => text, closed, isClosed: () => isClosed };
}

/** Opens a plain connection to the proxy. */
export async function connectPlain(port: number): Promise<RawClient> {
  const socket = net.connect(port, "127.0.0.1");
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", reject);
  });
  return watch(socket);
}

/** Opens a CONNECT tunnel to `authority`, then TLS through it when `caPem` is given. */
export async function connectTunnel(
  port: number,
  authority: string,
  caPem?: string,
): Promise<RawClient> {
  const socket = net.connect(port, "127.0.0.1");
  socket.on("error", () => {});
  socket.write(`CONNECT ${authority} HTTP/1.1\r\nhost: ${authority}\r\n\r\n`);
  let head = "";
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Uint8Array) => {
      head += new TextDecoder().decode(chunk);
      if (!head.includes("\r\n\r\n")) return;
      socket.off("data", onData);
      if (head.startsWith("HTTP/1.1 200")) resolve();
      else reject(new Error(`CONNECT refused: ${head}`));
    };
    socket.on("data", onData);
    socket.once("close", () => reject(new Error(`CONNECT closed: ${head}`)));
  });
  if (!caPem) return watch(socket);
  const secure = tls.connect({ socket, servername: authority.split(":")[0], ca: caPem });
  await new Promise<void>((resolve, reject) => {
    secure.once("secureConnect", resolve);
    secure.once("error", reject);
  });
  return watch(secure);
}

/** Sends a request on `client` and waits for the whole (small, content-length) response. */
export async function exchange(client: RawClient, head: string): Promise<string> {
  const from = client.text().length;
  client.socket.write(head);
  await until(() => {
    const text = client.text().slice(from);
    const match = /content-length: (\d+)\r\n/i.exec(text);
    const end = text.indexOf("\r\n\r\n");
    return client.isClosed() || (match !== null && end >= 0 &&
      text.length >= end + 4 + Number(match[1]));
  }, "a whole response");
  return client.text().slice(from);
}

/** A GET request head for `path` on `host`. */
export function requestHead(host: string, path: string, extra = ""): string {
  return `GET ${path} HTTP/1.1\r\nhost: ${host}\r\n${extra}\r\n`;
}

/** Polls `check` every 20 ms until it holds; fails after `timeoutMs`. */
export async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Sends `request` on a new connection to 127.0.0.1:`port` and returns what came back by the time it
 * closed, or only the head when the answer is a 200 to a CONNECT (a tunnel stays open); the
 * connection is cut after `timeoutMs`.
 */
export async function sendRaw(port: number, request: string, timeoutMs = 10_000): Promise<string> {
  const socket = net.connect(port, "127.0.0.1");
  let text = "";
  socket.on("data", (chunk: Uint8Array) => text += new TextDecoder().decode(chunk));
  await new Promise<void>((resolve) => {
    // A tunnel stays open after its 200: the head is all there is to read.
    const poll = setInterval(() => {
      if (/^HTTP\/1\.1 200 Connection/.test(text) && text.includes("\r\n\r\n")) socket.destroy();
    }, 10);
    const timer = setTimeout(() => socket.destroy(), timeoutMs);
    const done = () => {
      clearInterval(poll);
      clearTimeout(timer);
      resolve();
    };
    socket.once("close", done);
    socket.once("error", () => socket.destroy());
    socket.write(request);
  });
  return text;
}
