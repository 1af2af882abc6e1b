// The proxy listener in-process: a CONNECT to a host Lumen does not read is a plain byte tunnel, and
// no certificate is minted for it; a malformed CONNECT gets a 400; inside an intercepted tunnel only
// origin-form targets pass, and a tunnel that never starts TLS is cut.
import assert from "node:assert/strict";
import net from "node:net";
import { type ProxyDeps, type ProxyLimits, startProxyListener } from "../core/proxy/listener.ts";
import { createUpstreamClient } from "../core/proxy/upstream.ts";
import tls from "node:tls";
import { createTestPki } from "./_certs.ts";
import { connectTunnel, exchange } from "./_raw_client.ts";

/** A proxy that reads no usage and intercepts `monitored` only, with no upstream overrides. */
async function startBareProxy(
  monitored: string,
  leafFor: ProxyDeps["leafFor"],
  limits?: ProxyLimits,
) {
  const upstream = createUpstreamClient({ overrides: new Map(), extraCaCerts: [] });
  const proxy = await startProxyListener(0, {
    upstream,
    tapFor: () => null,
    onTapError() {},
    now: Date.now,
    isMonitored: (host) => host === monitored,
    leafFor,
    ownPorts: () => [],
    onClientTlsError() {},
    onInterceptError() {},
  }, limits);
  return { proxy, upstream };
}

Deno.test("CONNECT to an unread host tunnels raw bytes both ways and mints nothing", async () => {
  const echo = net.createServer((socket) => socket.pipe(socket));
  await new Promise<void>((r) => echo.listen(0, "127.0.0.1", r));
  const echoPort = (echo.address() as net.AddressInfo).port;
  const minted: string[] = [];
  const { proxy, upstream } = await startBareProxy("api.openai.com", (host) => {
    minted.push(host);
    return Promise.reject(new Error("no CA in this test"));
  });
  try {
    const socket = net.connect(proxy.port, "127.0.0.1");
    const head = "HTTP/1.1 200 Connection Established\r\n\r\n";
    const early = new TextEncoder().encode("early ");
    const late = new Uint8Array(256).map((_, i) => i);
    // Some bytes ride along with the CONNECT itself: they must reach the server first.
    socket.write(`CONNECT localhost:${echoPort} HTTP/1.1\r\nhost: localhost\r\n\r\nearly `);
    const received = await new Promise<Uint8Array>((resolve, reject) => {
      let got = new Uint8Array();
      const timer = setTimeout(() => reject(new Error("tunnel did not echo within 5 s")), 5_000);
      socket.on("data", (chunk: Uint8Array) => {
        const before = got.length;
        got = new Uint8Array([...got, ...chunk]);
        const echoedEarly = head.length + early.length;
        if (before < echoedEarly && got.length >= echoedEarly) socket.write(late);
        if (got.length < echoedEarly + late.length) return;
        clearTimeout(timer);
        resolve(got);
      });
    });
    assert.equal(new TextDecoder().decode(received.subarray(0, head.length)), head);
    assert.deepEqual(received.subarray(head.length), new Uint8Array([...early, ...late]));
    assert.deepEqual(minted, []);
    socket.destroy();

    const bad = net.connect(proxy.port, "127.0.0.1");
    bad.write("CONNECT nonsense HTTP/1.1\r\nhost: x\r\n\r\n");
    const answer = await new Promise<string>((resolve) => {
      let all = "";
      bad.on("data", (chunk: Uint8Array) => all += new TextDecoder().decode(chunk));
      bad.once("close", () => resolve(all));
    });
    assert.match(answer, /^HTTP\/1\.1 400 /);
    assert.match(answer, /"code":"bad_connect_target"/);
  } finally {
    await proxy.close();
    upstream.close();
    await new Promise<void>((r) => echo.close(() => r()));
  }
});

Deno.test("inside a tunnel only origin-form targets pass, and a tunnel that never starts TLS is cut", async () => {
  const pki = await createTestPki();
  const leaf = {
    certPem: pki.certPem,
    keyPem: pki.keyPem,
    context: tls.createSecureContext({ cert: pki.certPem, key: pki.keyPem }),
  };
  const { proxy, upstream } = await startBareProxy("localhost", () => Promise.resolve(leaf), {
    headersTimeoutMs: 500,
  });
  try {
    for (const target of ["http://evil.example/v1/models", "//evil.example/v1/models"]) {
      const client = await connectTunnel(proxy.port, "localhost:443", pki.caPem);
      const answer = await exchange(client, `GET ${target} HTTP/1.1\r\nhost: localhost\r\n\r\n`);
      assert.match(answer, /^HTTP\/1\.1 400 /, target);
      assert.match(answer, /bad_request_target/);
      client.socket.destroy();
    }
    const silent = await connectTunnel(proxy.port, "localhost:443");
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      silent.closed,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error("not cut within 5 s")), 5_000);
      }),
    ]).finally(() => clearTimeout(timer));
  } finally {
    await proxy.close();
    upstream.close();
  }
});
