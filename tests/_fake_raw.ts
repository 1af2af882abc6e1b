// A bare loopback HTTP upstream whose answers the test writes itself, for bodies no fixture holds:
// hundreds of MB generated on the fly, gzip bombs, seeded random bytes. The daemon reaches it
// through LUMEN_UPSTREAM_OVERRIDES `host=http://127.0.0.1:PORT`.
import http from "node:http";
import type net from "node:net";

/** A running raw upstream. */
export interface RawUpstream {
  /** `http://127.0.0.1:PORT` */
  origin: string;
  /** Requests received so far. */
  requests(): number;
  /** Stops the server, cutting the responses still open. */
  close(): Promise<void>;
}

/** Answers one request; a throw cuts the response. */
export type RawHandler = (
  req: http.IncomingMessage,
  res: http.ServerResponse,
) => void | Promise<void>;

/** Starts a plain HTTP server on 127.0.0.1 that hands every request to `handler`. */
export async function startRawUpstream(handler: RawHandler): Promise<RawUpstream> {
  let count = 0;
  const sockets = new Set<net.Socket>();
  // Large heads pass, so that the proxy's own limit is the one a test meets.
  const server = http.createServer({ maxHeaderSize: 1024 * 1024 }, (req, res) => {
    count++;
    Promise.resolve()
      .then(() => handler(req, res))
      .catch(() => res.destroy()); // the client left mid-body, or the test's handler failed
  });
  server.on("connection", (socket: net.Socket) => {
    socket.setNoDelay(true);
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.address() as net.AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests: () => count,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}

/**
 * Writes every chunk of `chunks` to `res`, waiting for "drain" whenever the client is behind, and
 * ends the response. Resolves false when the connection closed first.
 */
export async function writeBody(
  res: http.ServerResponse,
  chunks: Iterable<Uint8Array>,
): Promise<boolean> {
  let closed = false;
  res.once("close", () => closed = true);
  for (const chunk of chunks) {
    if (closed) return false;
    if (res.write(chunk)) continue;
    await new Promise<void>((resolve) => {
      const done = () => {
        res.off("drain", done);
        res.off("close", done);
        resolve();
      };
      res.once("drain", done);
      res.once("close", done);
    });
  }
  if (closed) return false;
  await new Promise<void>((resolve) => res.end(() => resolve()));
  return true;
}
