// core/proxy/tls_socket.ts against real loopback servers: bytes both ways and the end of the
// stream, a refused address, a server that never answers the handshake, an untrusted certificate.
import assert from "node:assert/strict";
import net from "node:net";
import tls from "node:tls";
import { connectTls, type TlsTarget } from "../core/proxy/tls_socket.ts";
import { createTestPki } from "./_certs.ts";

/** A TLS server for localhost that echoes in upper case and ends after "bye". */
async function startEchoServer() {
  const pki = await createTestPki();
  const server = tls.createServer({ key: pki.keyPem, cert: pki.certPem }, (socket) => {
    socket.on("data", (chunk: Uint8Array) => {
      const text = new TextDecoder().decode(chunk);
      socket.write(text.toUpperCase());
      if (text.includes("bye")) socket.end();
    });
    socket.on("error", () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  return { pki, port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** A target on loopback `port` for `localhost`, trusting no extra CA, unless `more` says so. */
function target(port: number, more: Partial<TlsTarget> = {}): TlsTarget {
  return {
    host: "127.0.0.1",
    port,
    servername: "localhost",
    extraCaCerts: [],
    timeoutMs: 5_000,
    ...more,
  };
}

Deno.test("connectTls() carries bytes both ways and ends when the server ends", async () => {
  const server = await startEchoServer();
  try {
    const socket = await connectTls(target(server.port, { extraCaCerts: [server.pki.caPem] }));
    assert.equal(socket.remoteAddress, "127.0.0.1");
    assert.equal(socket.remotePort, server.port);
    let received = "";
    socket.on("data", (chunk: Uint8Array) => received += new TextDecoder().decode(chunk));
    const ended = new Promise((resolve) => socket.once("close", resolve));
    socket.write("hello ");
    socket.write("bye");
    await ended;
    assert.equal(received, "HELLO BYE");
    assert.ok(socket.destroyed);
  } finally {
    await server.close();
  }
});

Deno.test("connectTls() refuses an address its check rejects, before any TLS", async () => {
  const server = await startEchoServer();
  try {
    await assert.rejects(
      connectTls(target(server.port, {
        check: (address) => {
          throw new Error(`refused ${address.hostname}:${address.port}`);
        },
      })),
      new RegExp(`^Error: refused 127\\.0\\.0\\.1:${server.port}$`),
    );
  } finally {
    await server.close();
  }
});

Deno.test("connectTls() gives up on a server that never answers the handshake", async () => {
  const sockets: net.Socket[] = [];
  const silent = net.createServer((socket) => sockets.push(socket));
  await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
  try {
    await assert.rejects(
      connectTls(target((silent.address() as net.AddressInfo).port, { timeoutMs: 300 })),
      /no connection within 0\.3 s/,
    );
  } finally {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  }
});

Deno.test("connectTls() rejects a certificate no trusted CA signed", async () => {
  const server = await startEchoServer();
  try {
    // Without the test CA, the server's certificate chains to nothing Deno trusts.
    await assert.rejects(
      connectTls(target(server.port)),
      /certificate/i,
    );
  } finally {
    await server.close();
  }
});
