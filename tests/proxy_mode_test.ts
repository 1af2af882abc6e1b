// Proxy mode end to end: clients keep the real provider URLs and set HTTPS_PROXY. Monitored hosts
// are intercepted with Lumen's CA and read exactly; every other host gets a blind tunnel.
import assert from "node:assert/strict";
import https from "node:https";
import net from "node:net";
import { fixture, startFakeUpstream } from "./fake_upstream.ts";
import { assertEventMatches, startStack } from "./_stack.ts";
import { curl } from "./_curl.ts";
import { startDaemon } from "./_daemon.ts";
import { createTestPki } from "./_certs.ts";
import { sendRaw, until } from "./_raw_client.ts";

const HOSTS = { openai: "api.openai.com", anthropic: "api.anthropic.com" } as const;

Deno.test("curl through the proxy: exact bytes and exact usage for monitored hosts", async (t) => {
  const stack = await startStack();
  const args = ["--proxy", stack.daemon.proxyOrigin, "--cacert", `${stack.daemon.home}/ca.pem`];
  try {
    const cases = [
      "openai/chat",
      "openai/chat_stream_usage",
      "anthropic/messages",
      "anthropic/messages_stream",
    ];
    for (const name of cases) {
      await t.step(name, async () => {
        const { meta } = await fixture(name);
        const provider = name.split("/")[0] as keyof typeof HOSTS;
        const res = await curl(`https://${HOSTS[provider]}${meta.path}`, {
          headers: { "content-type": "application/json", "x-fake-chunking": "bytes" },
          body: JSON.stringify(meta.request),
          args,
        });
        assert.equal(res.status, 200);
        assert.deepEqual(res.body, stack.upstream.sent(res.headers["x-fake-request-id"]));
        const { event } = await stack.feed.next();
        assertEventMatches(event, provider, meta.usage);
        assert.equal(event.mode, "proxy");
        assert.equal(event.host, HOSTS[provider]);
        assert.equal(event.client, "curl");
      });
    }

    await t.step("several requests on one kept-alive tunnel are all counted", async () => {
      const counter = await countingForwarder(stack.daemon.proxyPort);
      try {
        const { meta } = await fixture("anthropic/messages");
        const url = `https://${HOSTS.anthropic}/v1/messages`;
        // curl sends the body to each URL, reusing its tunnel for every request after the first.
        const out = await new Deno.Command("curl", {
          args: ["-sS", "--proxy", counter.origin, "--cacert", `${stack.daemon.home}/ca.pem`]
            .concat("-H", "content-type: application/json", "-d", JSON.stringify(meta.request))
            .concat("-o", "/dev/null", "-o", "/dev/null", "-o", "/dev/null", url, url, url),
          stdin: "null",
        }).output();
        assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
        for (let i = 0; i < 3; i++) {
          assertEventMatches((await stack.feed.next()).event, "anthropic", meta.usage);
        }
        assert.equal(counter.connections(), 1, "one tunnel carried all three requests");
      } finally {
        await counter.close();
      }
    });

    await t.step("a client abort cancels the upstream request", async () => {
      const client = await stalledStream(args);
      client.process.kill("SIGKILL");
      await client.done;
      const { event } = await stack.feed.next();
      assert.equal(event.estimated, true);
      await until(() => stack.upstream.requests.at(-1)?.ended === "aborted", "the abort", 5_000);
    });

    await t.step("an upstream reset mid-stream resets the client's connection", async () => {
      const client = await stalledStream(args);
      await stack.upstream.close(); // drops every upstream connection without ending it
      const { code } = await client.done;
      assert.notEqual(code, 0, "curl must see a broken transfer, not a clean end");
    });
  } finally {
    await stack.close();
  }
});

Deno.test("the official SDKs behind HTTPS_PROXY with NODE_EXTRA_CA_CERTS", async () => {
  const stack = await startStack();
  try {
    const scenarios = [
      "openai-chat",
      "openai-chat-stream-usage",
      "openai-chat-stream",
      "anthropic-messages",
      "anthropic-messages-stream",
    ];
    const outcomes = await runSdkClient(stack.daemon.proxyOrigin, stack.daemon.home, scenarios);
    const expected: [string, string, "openai" | "anthropic"][] = [
      ["openai-chat", "openai/chat", "openai"],
      ["openai-chat-stream-usage", "openai/chat_stream_usage", "openai"],
      // Lumen adds include_usage upstream, so the fake answers with the usage recording.
      ["openai-chat-stream", "openai/chat_stream_usage", "openai"],
      ["anthropic-messages", "anthropic/messages", "anthropic"],
      ["anthropic-messages-stream", "anthropic/messages_stream", "anthropic"],
    ];
    for (const [scenario, caseName, provider] of expected) {
      const outcome = outcomes.find((o) => o.scenario === scenario)!;
      const { meta } = await fixture(caseName);
      assert.equal(outcome.text, meta.text, scenario);
      const { event } = await stack.feed.next();
      assertEventMatches(event, provider, meta.usage);
      assert.equal(event.mode, "proxy");
      assert.equal(event.client, `${provider}-js`);
    }
    const hidden = outcomes.find((o) => o.scenario === "openai-chat-stream")!;
    assert.equal(hidden.usageMember, false, "the client gets the stream it asked for");
    assert.equal(hidden.usage, null);
    const asked = outcomes.find((o) => o.scenario === "openai-chat-stream-usage")!;
    assert.ok(asked.usageMember && asked.usage, "a client that asked for usage still gets it");
  } finally {
    await stack.close();
  }
});

Deno.test("other hosts get a blind tunnel: real certificate, untouched bytes, no event", async () => {
  const stack = await startStack();
  const pki = await createTestPki();
  const body = new TextEncoder().encode('{"hello":"from a host Lumen does not read"}');
  const server = https.createServer({ cert: pki.certPem, key: pki.keyPem }, (_req, res) => {
    res.writeHead(200, { "content-type": "application/json" }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as net.AddressInfo).port;
  const caFile = await Deno.makeTempFile({ suffix: ".pem" });
  await Deno.writeTextFile(caFile, pki.caPem);
  try {
    const out = await new Deno.Command("curl", {
      args: ["-sS", "-v", "--proxy", stack.daemon.proxyOrigin, "--cacert", caFile, "-o", "-"]
        .concat(`https://localhost:${port}/v1/chat/completions`),
      stdin: "null",
    }).output();
    const log = new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 0, log);
    assert.deepEqual(out.stdout, body);
    assert.match(log, /issuer: CN=Lumen Test CA/, "the client saw the real server's certificate");

    // The next event is this monitored call's: the tunnelled one produced none.
    const { meta } = await fixture("openai/chat");
    await curl(`https://${HOSTS.openai}${meta.path}`, {
      headers: { "content-type": "application/json" },
      body: JSON.stringify(meta.request),
      args: ["--proxy", stack.daemon.proxyOrigin, "--cacert", `${stack.daemon.home}/ca.pem`],
    });
    assert.equal((await stack.feed.next()).event.host, HOSTS.openai);
    assert.equal(stack.feed.pending(), 0);
  } finally {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    await Deno.remove(caFile);
    await stack.close();
  }
});

Deno.test("an upstream with an untrusted certificate gets the client a 502, never a forgery", async () => {
  const upstream = await startFakeUpstream();
  // The daemon is not told to trust the fake upstream's CA.
  const strict = await startDaemon({
    env: { LUMEN_UPSTREAM_OVERRIDES: `${HOSTS.openai}=${upstream.origin}` },
  });
  try {
    const { meta } = await fixture("openai/chat");
    const res = await curl(`https://${HOSTS.openai}${meta.path}`, {
      headers: { "content-type": "application/json" },
      body: JSON.stringify(meta.request),
      args: ["--proxy", strict.proxyOrigin, "--cacert", `${strict.home}/ca.pem`],
    });
    assert.equal(res.status, 502);
    const error = JSON.parse(new TextDecoder().decode(res.body)).error;
    assert.equal(error.code, "upstream_certificate_invalid");
    assert.match(error.message, /api\.openai\.com.*certificate/);
  } finally {
    await strict.stop();
    await upstream.close();
  }
});

Deno.test("the proxy refuses to forward to its own ports under any loopback spelling", async () => {
  const daemon = await startDaemon();
  try {
    for (const host of ["127.0.0.1", "localhost", "2130706433", "127.1"]) {
      for (const port of [daemon.proxyPort, daemon.apiPort]) {
        const target = `${host}:${port}`;
        const connect = await sendRaw(
          daemon.proxyPort,
          `CONNECT ${target} HTTP/1.1\r\nhost: ${target}\r\n\r\n`,
        );
        assert.match(connect, /^HTTP\/1\.1 403 /, `CONNECT ${host}:${port}`);
        const absolute = await sendRaw(
          daemon.proxyPort,
          `GET http://${target}/api/health HTTP/1.1\r\nhost: ${target}\r\nconnection: close\r\n\r\n`,
        );
        assert.match(absolute, /^HTTP\/1\.1 403 /, `GET http://${host}:${port}/`);
      }
    }
  } finally {
    await daemon.stop();
  }
});

/** A TCP forwarder to the proxy that counts the connections clients open to it. */
async function countingForwarder(proxyPort: number) {
  let count = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    count++;
    const upstream = net.connect(proxyPort, "127.0.0.1");
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.once("close", () => sockets.delete(s));
      s.on("error", () => {});
    }
    client.pipe(upstream).pipe(client);
    client.once("close", () => upstream.destroy());
    upstream.once("close", () => client.destroy());
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    origin: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    connections: () => count,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** An Anthropic stream the upstream stalls after its first events, already under way in curl. */
async function stalledStream(args: string[]) {
  const { meta } = await fixture("anthropic/messages_stream");
  const client = spawnCurl(`https://${HOSTS.anthropic}/v1/messages`, meta.request, [
    ...args,
    "-H",
    "x-fake-stall: 3",
  ]);
  await client.readUntil("content_block_start");
  return client;
}

/** curl as a streaming client that the test can read from and kill. */
function spawnCurl(url: string, body: unknown, args: string[]) {
  const process = new Deno.Command("curl", {
    args: ["-sS", "--no-buffer", url, "-H", "content-type: application/json"]
      .concat("--data-binary", JSON.stringify(body), "--max-time", "30", ...args),
    stdin: "null",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const reader = process.stdout.getReader();
  let text = "";
  return {
    process,
    async readUntil(marker: string) {
      while (!text.includes(marker)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`curl ended before "${marker}": ${text}`);
        text += new TextDecoder().decode(value);
      }
    },
    done: (async () => {
      const status = await process.status;
      await reader.cancel().catch(() => {});
      return status;
    })(),
  };
}

/** Runs tests/clients/sdk_through_proxy.ts as its own process, as a real proxied client runs. */
async function runSdkClient(proxyOrigin: string, home: string, scenarios: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "tests/clients/sdk_through_proxy.ts", ...scenarios],
    env: {
      HTTPS_PROXY: proxyOrigin,
      NODE_EXTRA_CA_CERTS: `${home}/ca.pem`,
    },
    stdin: "null",
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, stderr);
  return JSON.parse(new TextDecoder().decode(out.stdout)) as {
    scenario: string;
    text: string;
    usage: unknown;
    usageMember: boolean;
  }[];
}
