// The :9090 proxy's security rules end to end: it never proxies to Lumen's own ports under any
// loopback spelling, listens on loopback only (and refuses to be configured otherwise), never
// loops into itself through inherited proxy variables, keeps every relay path on the prefix's
// host, and hands upstream redirects back to the client instead of following them.
import assert from "node:assert/strict";
import http from "node:http";
import net from "node:net";
import { isLoopbackName } from "../core/proxy/authority.ts";
import { fixture } from "./fake_upstream.ts";
import { startStack } from "./_stack.ts";
import { curl } from "./_curl.ts";
import { runLumen, startDaemon } from "./_daemon.ts";
import { sendRaw } from "./_raw_client.ts";

/** Spellings of this machine a client may name; the first seven are the list. */
const LOOPBACK_SPELLINGS = [
  "127.0.0.1",
  "localhost",
  "[::1]",
  "127.1",
  "2130706433",
  "0x7f000001",
  "0.0.0.0",
  "LOCALHOST",
  "0177.0.0.1",
  "127.0.0.1.",
  "app.localhost",
  "0",
  "[::ffff:127.0.0.1]",
  "[0:0:0:0:0:0:0:1]",
];

Deno.test("isLoopbackName() reads every spelling a connect() would take to this machine", () => {
  for (const spelling of LOOPBACK_SPELLINGS) {
    assert.equal(isLoopbackName(spelling.replace(/^\[|\]$/g, "")), true, spelling);
  }
  for (const name of ["::ffff:7f00:1", "::", "127.255.255.254", "0x7f.1", "017700000001"]) {
    assert.equal(isLoopbackName(name), true, name);
  }
  const others = ["10.0.0.1", "0x0a000001", "167772161", "::ffff:a00:1", "fe80::1", "::2"];
  for (const name of [...others, "api.openai.com", "localhost.evil.com", "deadbeef", "1.2.3.4.5"]) {
    assert.equal(isLoopbackName(name), false, name);
  }
});

Deno.test("the proxy refuses to reach its own ports under every loopback spelling", async (t) => {
  const daemon = await startDaemon();
  const elsewhere = await startRecorder();
  try {
    for (const spelling of LOOPBACK_SPELLINGS) {
      await t.step(spelling, async () => {
        for (const port of [daemon.proxyPort, daemon.apiPort]) {
          const authority = `${spelling}:${port}`;
          const answers = {
            [`CONNECT ${authority}`]: await sendRaw(
              daemon.proxyPort,
              `CONNECT ${authority} HTTP/1.1\r\nhost: ${authority}\r\n\r\n`,
            ),
            [`GET http://${authority}/`]: await sendRaw(
              daemon.proxyPort,
              `GET http://${authority}/api/health HTTP/1.1\r\nhost: ${authority}\r\n` +
                "connection: close\r\n\r\n",
            ),
            [`GET https://${authority}/`]: await sendRaw(
              daemon.proxyPort,
              `GET https://${authority}/api/health HTTP/1.1\r\nhost: ${authority}\r\n` +
                "connection: close\r\n\r\n",
            ),
          };
          for (const [what, answer] of Object.entries(answers)) {
            // Never Lumen's own answer; [::1] (not listened on) may also fail to connect: 502.
            assert.doesNotMatch(answer, /api_port|unknown_route|Connection Established/, what);
            const allowed = spelling.startsWith("[")
              ? /^HTTP\/1\.1 (403|502) /
              : /^HTTP\/1\.1 403 /;
            assert.match(answer, allowed, `${what}: ${answer.split("\r\n")[0]}`);
            if (answer.startsWith("HTTP/1.1 403")) assert.match(answer, /"proxy_loop"/, what);
          }
        }
      });
    }
    await t.step("other loopback ports are still reachable under those spellings", async () => {
      for (const spelling of ["127.1", "2130706433", "0x7f000001", "localhost"]) {
        const authority = `${spelling}:${elsewhere.port}`;
        const answer = await sendRaw(
          daemon.proxyPort,
          `GET http://${authority}/local HTTP/1.1\r\nhost: ${authority}\r\nconnection: close\r\n\r\n`,
        );
        assert.match(answer, /^HTTP\/1\.1 200 /, authority);
      }
      assert.equal(elsewhere.requests.length, 4);
    });
  } finally {
    await elsewhere.close();
    await daemon.stop();
  }
});

Deno.test("Lumen listens on loopback only and refuses to be configured otherwise", async (t) => {
  await t.step(
    "an address in LUMEN_PROXY_PORT or LUMEN_API_PORT stops it with one line",
    async () => {
      const home = await Deno.makeTempDir({ prefix: "lumen-test-" });
      try {
        for (const name of ["LUMEN_PROXY_PORT", "LUMEN_API_PORT"]) {
          for (const value of ["0.0.0.0:9090", "192.168.1.5:9090", "[::]:9091"]) {
            const out = await runLumen(["serve"], { LUMEN_HOME: home, [name]: value });
            assert.equal(out.code, 1, `${name}=${value}`);
            const lines = out.stderr.trim().split("\n");
            assert.equal(lines.length, 1, out.stderr);
            assert.match(
              lines[0],
              new RegExp(`^lumen: Invalid ${name} "\\S+": Lumen only listens`),
            );
            assert.match(lines[0], /127\.0\.0\.1.*other machines/);
          }
        }
      } finally {
        await Deno.remove(home, { recursive: true });
      }
    },
  );

  await t.step("no other address of this machine answers on Lumen's ports", async () => {
    const daemon = await startDaemon();
    try {
      const addresses = Deno.networkInterfaces()
        .filter((i) => !isLoopbackName(i.address) && !i.address.startsWith("fe80"))
        .map((i) => i.address);
      for (const hostname of addresses) {
        for (const port of [daemon.proxyPort, daemon.apiPort]) {
          await assert.rejects(
            Deno.connect({ hostname, port }),
            Deno.errors.ConnectionRefused,
            `${hostname}:${port}`,
          );
        }
      }
      for (const port of [daemon.proxyPort, daemon.apiPort]) {
        (await Deno.connect({ hostname: "127.0.0.1", port })).close();
      }
    } finally {
      await daemon.stop();
    }
  });
});

Deno.test("proxy variables naming Lumen's own port never loop it into itself", async () => {
  const port = freePort();
  const self = `http://127.0.0.1:${port}`;
  const stack = await startStack({
    LUMEN_PROXY_PORT: String(port),
    HTTPS_PROXY: self,
    HTTP_PROXY: self,
    ALL_PROXY: self,
    https_proxy: self,
    http_proxy: self,
    all_proxy: self,
  });
  try {
    assert.equal(stack.daemon.proxyPort, port);
    const { meta } = await fixture("openai/chat");
    const res = await fetch(`${stack.relay("openai")}${meta.path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(meta.request),
    });
    assert.equal(res.status, 200);
    const body = new Uint8Array(await res.arrayBuffer());
    assert.equal(stack.upstream.requests.length, 1, "the relay reached the upstream exactly once");
    assert.deepEqual(body, stack.upstream.sent(stack.upstream.requests[0].id));
    await stack.feed.next();

    // Proxy mode too: CONNECT, interception, then one request upstream.
    const proxied = await curl(`https://api.openai.com${meta.path}`, {
      headers: { "content-type": "application/json" },
      body: JSON.stringify(meta.request),
      args: ["--proxy", self, "--cacert", `${stack.daemon.home}/ca.pem`],
    });
    assert.equal(proxied.status, 200);
    assert.equal(stack.upstream.requests.length, 2);
    await stack.feed.next();
    assert.doesNotMatch(stack.daemon.output(), /proxy_loop|Refused/);
  } finally {
    await stack.close();
  }
});

Deno.test("relay paths never leave the prefix's host: forwarded as they are, or refused", async () => {
  const openai = await startRecorder();
  const anthropic = await startRecorder();
  const google = await startRecorder();
  const daemon = await startDaemon({
    env: {
      LUMEN_UPSTREAM_OVERRIDES: [
        `api.openai.com=${openai.origin}`,
        `api.anthropic.com=${anthropic.origin}`,
        `generativelanguage.googleapis.com=${google.origin}`,
      ].join(","),
    },
  });
  try {
    // Path data for the provider host, passed byte for byte.
    const forwarded: [string, Recorder, string][] = [
      ["/openai/v1/@evil.com", openai, "/v1/@evil.com"],
      ["/openai/http://evil.com/", openai, "/http://evil.com/"],
      ["/openai/v1/files/a%2Fb", openai, "/v1/files/a%2Fb"],
      [
        "/openai/v1/x?next=//evil.com/&u=http://evil.com/",
        openai,
        "/v1/x?next=//evil.com/&u=http://evil.com/",
      ],
      ["/anthropic/v1/@evil.com/messages", anthropic, "/v1/@evil.com/messages"],
    ];
    for (const [target, recorder, path] of forwarded) {
      const answer = await sendRaw(daemon.proxyPort, relayGet(target, daemon.proxyPort));
      assert.match(answer, /^HTTP\/1\.1 200 /, target);
      assert.equal(recorder.requests.at(-1), `GET ${path}`, target);
    }
    // Paths a server could read as another path (or host): refused before any connection.
    const refused = [
      "/openai/../anthropic/v1/messages",
      "/openai/./v1/chat/completions",
      "/openai/%2e%2e/x",
      "/openai/%2E%2E/anthropic/v1/messages",
      "/openai/..%2Fanthropic/v1/messages",
      "/openai/..%2fanthropic/v1/messages",
      "/openai%2F..%2Fanthropic/v1/messages",
      "/openai@evil.com/v1",
      "/openai\\..\\x",
      "/openai/..\\anthropic/v1/messages",
      "//evil.com/openai/v1",
      "/openai//evil.com/v1",
      "/google/v1beta/models/x%2f..%2f",
    ];
    for (const target of refused) {
      const answer = await sendRaw(daemon.proxyPort, relayGet(target, daemon.proxyPort));
      assert.match(answer, /^HTTP\/1\.1 40[04] /, target);
    }
    assert.equal(openai.requests.length, 4, openai.requests.join(", "));
    assert.equal(anthropic.requests.length, 1, anthropic.requests.join(", "));
    assert.equal(google.requests.length, 0, google.requests.join(", "));
  } finally {
    await daemon.stop();
    await Promise.all([openai.close(), anthropic.close(), google.close()]);
  }
});

Deno.test("an upstream redirect goes back to the client, never followed", async () => {
  const elsewhere = await startRecorder();
  const redirects: [number, string][] = [
    [307, "https://evil.example/v1/chat/completions?key=1"],
    [308, `${elsewhere.origin}/followed`],
    [302, `${elsewhere.origin}/followed`],
    [301, "//evil.example/v1"],
  ];
  let next = 0;
  const upstream = await startRecorder((res) => {
    const [status, location] = redirects[next++ % redirects.length];
    res.writeHead(status, { location, "content-type": "application/json" }).end("{}");
  });
  const daemon = await startDaemon({
    env: { LUMEN_UPSTREAM_OVERRIDES: `api.openai.com=${upstream.origin}` },
  });
  try {
    const body = '{"model":"gpt-5-mini","messages":[]}';
    for (const [status, location] of redirects) {
      const answer = await sendRaw(
        daemon.proxyPort,
        `POST /openai/v1/chat/completions HTTP/1.1\r\nhost: 127.0.0.1:${daemon.proxyPort}\r\n` +
          `content-type: application/json\r\ncontent-length: ${body.length}\r\n` +
          `connection: close\r\n\r\n${body}`,
      );
      assert.match(answer, new RegExp(`^HTTP/1\\.1 ${status} `), answer.split("\r\n")[0]);
      assert.equal(headerOf(answer, "location"), location);
    }
    // Proxy mode (absolute-form to a host Lumen does not read) passes redirects back too.
    const authority = `127.0.0.1:${upstream.port}`;
    const proxied = await sendRaw(
      daemon.proxyPort,
      `GET http://${authority}/v1/models HTTP/1.1\r\nhost: ${authority}\r\nconnection: close\r\n\r\n`,
    );
    assert.match(proxied, /^HTTP\/1\.1 307 /);
    assert.equal(headerOf(proxied, "location"), redirects[0][1]);
    assert.equal(upstream.requests.length, redirects.length + 1, "one upstream request per call");
    assert.equal(elsewhere.requests.length, 0, "no redirect was followed");
  } finally {
    await daemon.stop();
    await Promise.all([upstream.close(), elsewhere.close()]);
  }
});

/** A plain-HTTP loopback server recording `METHOD target` of every request it answers. */
interface Recorder {
  port: number;
  origin: string;
  requests: string[];
  close(): Promise<void>;
}

async function startRecorder(
  answer: (res: http.ServerResponse) => void = (res) =>
    res.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}'),
): Promise<Recorder> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    req.resume();
    req.once("end", () => answer(res));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    origin: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function relayGet(target: string, proxyPort: number): string {
  return `GET ${target} HTTP/1.1\r\nhost: 127.0.0.1:${proxyPort}\r\nconnection: close\r\n\r\n`;
}

function headerOf(response: string, name: string): string | undefined {
  const head = response.slice(0, response.indexOf("\r\n\r\n")).split("\r\n");
  const line = head.find((l) => l.toLowerCase().startsWith(`${name}:`));
  return line?.slice(name.length + 1).trim();
}

/** A port free a moment ago, for a daemon that must know its proxy port before it starts. */
function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}
