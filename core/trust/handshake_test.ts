// The handshake's "could not check" paths against real loopback servers; the trusted and
// untrusted verdicts through the real proxy are in tests/ca_trust_test.ts.
import assert from "node:assert/strict";
import { classifyHandshakeError, handshakeThroughProxy } from "./handshake.ts";

/** A loopback server that hands each connection to `serve`; close() waits for them. */
function server(serve: (conn: Deno.TcpConn) => Promise<void>) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const served: Promise<void>[] = [];
  const accepting = (async () => {
    for await (const conn of listener) {
      served.push(
        serve(conn).finally(() => {
          try {
            conn.close();
          } catch {
            // Closed by the client already.
          }
        }),
      );
    }
  })();
  return {
    port: listener.addr.port,
    async close() {
      listener.close();
      await accepting;
      await Promise.all(served);
    },
  };
}

async function readHead(conn: Deno.Conn): Promise<string> {
  const buffer = new Uint8Array(4096);
  let head = "";
  while (!head.includes("\r\n\r\n")) {
    const n = await conn.read(buffer);
    if (n === null) break;
    head += new TextDecoder().decode(buffer.subarray(0, n));
  }
  return head;
}

Deno.test("classifyHandshakeError() calls a refused certificate untrusted, else unknown", () => {
  for (
    const message of [
      "invalid peer certificate: UnknownIssuer",
      "invalid peer certificate: Expired",
      "invalid peer certificate: NotValidForName",
    ]
  ) {
    assert.deepEqual(classifyHandshakeError(message), { trusted: false, error: message });
  }
  const reset = classifyHandshakeError("Connection reset by peer (os error 104)");
  assert.equal(reset.trusted, null);
  assert.match(reset.error!, /handshake through Lumen's proxy failed: Connection reset/);
});

Deno.test("handshakeThroughProxy() says the proxy is not running when nothing listens", async () => {
  const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = probe.addr.port;
  probe.close();
  const result = await handshakeThroughProxy(port);
  assert.equal(result.trusted, null);
  assert.match(
    result.error!,
    new RegExp(`Cannot connect to Lumen's proxy on 127\\.0\\.0\\.1:${port}`),
  );
  assert.match(result.error!, /is it running\?/);
});

Deno.test("handshakeThroughProxy() sends CONNECT for the host and reports a refusal", async () => {
  let head = "";
  const proxy = server(async (conn) => {
    head = await readHead(conn);
    await conn.write(
      new TextEncoder().encode("HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n"),
    );
  });
  try {
    const result = await handshakeThroughProxy(proxy.port);
    assert.deepEqual(result, {
      trusted: null,
      error: `Lumen's proxy answered "HTTP/1.1 403 Forbidden" to CONNECT api.anthropic.com:443`,
    });
    assert.match(
      head,
      /^CONNECT api\.anthropic\.com:443 HTTP\/1\.1\r\nHost: api\.anthropic\.com:443\r\n/,
    );
  } finally {
    await proxy.close();
  }
});

Deno.test("handshakeThroughProxy() gives up on a proxy that never answers the TLS hello", async () => {
  const { promise: gaveUp, resolve: giveUp } = Promise.withResolvers<void>();
  const proxy = server(async (conn) => {
    await readHead(conn);
    await conn.write(new TextEncoder().encode("HTTP/1.1 200 Connection Established\r\n\r\n"));
    // Swallow the ClientHello and say nothing until the client has given up. (Deno keeps the
    // socket of a TLS connection closed mid-handshake open, so EOF cannot be waited for here.)
    await gaveUp;
  });
  try {
    const started = Date.now();
    const result = await handshakeThroughProxy(proxy.port, { timeoutMs: 300 });
    assert.equal(result.trusted, null);
    assert.match(result.error!, /did not finish a TLS handshake within 0\.3 s/);
    assert.ok(Date.now() - started < 5_000);
  } finally {
    giveUp();
    await proxy.close();
  }
});

Deno.test("handshakeThroughProxy() reports a proxy that hangs up after the CONNECT", async () => {
  const proxy = server(async (conn) => {
    await readHead(conn);
  });
  try {
    const result = await handshakeThroughProxy(proxy.port);
    assert.equal(result.trusted, null);
    assert.match(result.error!, /CONNECT to api\.anthropic\.com:443 .* failed: the proxy closed/);
  } finally {
    await proxy.close();
  }
});
