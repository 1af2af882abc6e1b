// WebSocket-style upgrades (OpenAI's Realtime API) keep working through both modes: the handshake
// reaches the provider, the 101 reaches the client, and bytes then flow both ways untouched.
import assert from "node:assert/strict";
import https from "node:https";
import net from "node:net";
import tls from "node:tls";
import type { Duplex } from "node:stream";
import { createTestPki } from "./_certs.ts";
import { startDaemon } from "./_daemon.ts";

const HANDSHAKE = (host: string, path: string) =>
  `GET ${path} HTTP/1.1\r\nhost: ${host}\r\nconnection: Upgrade\r\nupgrade: websocket\r\n` +
  `sec-websocket-version: 13\r\nsec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`;

Deno.test("upgrades pass through the relay and the proxy, then bytes flow both ways", async (t) => {
  const pki = await createTestPki();
  const seen: { path: string; upgrade: string | undefined }[] = [];
  const sockets = new Set<Duplex>();
  // An echo server that accepts the upgrade, as a realtime endpoint would.
  const upstream = https.createServer({ cert: pki.certPem, key: pki.keyPem });
  upstream.on("upgrade", (req, socket: Duplex) => {
    sockets.add(socket);
    seen.push({ path: req.url ?? "", upgrade: req.headers.upgrade });
    if (req.url?.includes("refuse")) {
      return socket.end("HTTP/1.1 401 Unauthorized\r\ncontent-length: 5\r\n\r\nnope!");
    }
    socket.write(
      "HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: Upgrade\r\n\r\n",
    );
    socket.on("data", (chunk: Uint8Array) => socket.write(chunk));
  });
  await new Promise<void>((r) => upstream.listen(0, "127.0.0.1", r));
  const port = (upstream.address() as net.AddressInfo).port;
  const caFile = await Deno.makeTempFile({ suffix: ".pem" });
  await Deno.writeTextFile(caFile, pki.caPem);
  const daemon = await startDaemon({
    env: {
      LUMEN_UPSTREAM_OVERRIDES: `api.openai.com=https://127.0.0.1:${port}`,
      LUMEN_EXTRA_CA_CERTS: caFile,
    },
  });
  try {
    await t.step("relay: ws://127.0.0.1:9090/openai/v1/realtime", async () => {
      const socket = net.connect(daemon.proxyPort, "127.0.0.1");
      await echoes(socket, HANDSHAKE("127.0.0.1", "/openai/v1/realtime?model=gpt-realtime"));
      assert.deepEqual(seen.at(-1), {
        path: "/v1/realtime?model=gpt-realtime",
        upgrade: "websocket",
      });
    });

    await t.step("proxy: CONNECT, TLS with Lumen's CA, then the handshake", async () => {
      const raw = net.connect(daemon.proxyPort, "127.0.0.1");
      raw.write("CONNECT api.openai.com:443 HTTP/1.1\r\nhost: api.openai.com:443\r\n\r\n");
      await readUntil(raw, "\r\n\r\n");
      const secure = tls.connect({
        socket: raw,
        servername: "api.openai.com",
        ca: await Deno.readTextFile(`${daemon.home}/ca.pem`),
      });
      await new Promise<void>((resolve, reject) => {
        secure.once("secureConnect", resolve);
        secure.once("error", reject);
      });
      await echoes(secure, HANDSHAKE("api.openai.com", "/v1/realtime"));
      assert.equal(seen.at(-1)!.path, "/v1/realtime");
    });

    await t.step("a refused upgrade reaches the client as the provider's answer", async () => {
      const socket = net.connect(daemon.proxyPort, "127.0.0.1");
      socket.write(HANDSHAKE("127.0.0.1", "/openai/v1/realtime/refuse"));
      const answer = await readUntil(socket, "nope!");
      socket.destroy();
      assert.match(answer, /^HTTP\/1\.1 401 /);
    });
  } finally {
    await daemon.stop();
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => upstream.close(() => r()));
    await Deno.remove(caFile);
  }
});

/** Sends the handshake, expects a 101, then checks two messages come back unchanged. */
async function echoes(socket: Duplex, handshake: string): Promise<void> {
  socket.write(handshake);
  const head = await readUntil(socket, "\r\n\r\n");
  assert.match(head, /^HTTP\/1\.1 101 /);
  for (const message of ["ping", "\u00e9t\u00e9 \u{1F680}"]) {
    socket.write(message);
    assert.equal(await readUntil(socket, message), message);
  }
  socket.destroy();
}

/** Reads from `socket` until the text read so far ends with `marker`; fails after 5 s. */
function readUntil(socket: Duplex, marker: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const bytes: number[] = [];
    const timer = setTimeout(() => done(new Error(`no "${marker}" within 5 s`)), 5_000);
    const onData = (chunk: Uint8Array) => {
      bytes.push(...chunk);
      const text = new TextDecoder().decode(new Uint8Array(bytes));
      if (text.endsWith(marker)) done(null, text);
    };
    const done = (error: Error | null, text = "") => {
      clearTimeout(timer);
      socket.off("data", onData);
      if (error) reject(error);
      else resolve(text);
    };
    socket.on("data", onData);
  });
}
