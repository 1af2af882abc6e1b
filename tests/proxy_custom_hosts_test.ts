// Custom hosts: added through the API, persisted in config.json, effective on the next request,
// for HTTPS through CONNECT and for plain HTTP in absolute form (a local Ollama, say).
import assert from "node:assert/strict";
import http from "node:http";
import type net from "node:net";
import { fixture } from "./fake_upstream.ts";
import { assertEventMatches, startStack } from "./_stack.ts";
import { curl } from "./_curl.ts";

const CUSTOM = "llm.corp.test";
const JSON_HEADERS = { "content-type": "application/json" };

Deno.test("custom hosts are read from the next request on, and persisted", async (t) => {
  const stack = await startStack({}, [CUSTOM]);
  const { daemon, feed } = stack;
  const proxyArgs = ["--proxy", daemon.proxyOrigin, "--cacert", `${daemon.home}/ca.pem`];
  // A local OpenAI-compatible server on plain HTTP, answering as the recorded API does.
  const { body: chatBody, meta } = await fixture("openai/chat");
  const local = http.createServer((req, res) => {
    let received = 0;
    req.on("data", (chunk: Uint8Array) => received += chunk.length);
    req.on("end", () => {
      const body = req.url === "/upload" ? JSON.stringify({ received }) : chatBody;
      res.writeHead(200, { "content-type": "application/json" }).end(body);
    });
  });
  await new Promise<void>((r) => local.listen(0, "127.0.0.1", r));
  const localUrl = `http://localhost:${(local.address() as net.AddressInfo).port}`;
  const hostsApi = (method: string, path = "", body?: unknown) =>
    fetch(`${daemon.apiOrigin}/api/hosts${path}`, {
      method,
      headers: JSON_HEADERS,
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  try {
    await t.step("before it is added, a host is proxied but not read", async () => {
      const res = await curl(`${localUrl}/v1/chat/completions`, {
        headers: JSON_HEADERS,
        body: JSON.stringify(meta.request),
        args: ["--proxy", daemon.proxyOrigin],
      });
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, chatBody);
      // The next step's first event shows this request was not read.

      // Requests Lumen does not read stream through, beyond the 64 MiB it holds of a read request.
      const file = await Deno.makeTempFile();
      await Deno.writeFile(file, new Uint8Array(70 * 1024 * 1024));
      const upload = await curl(`${localUrl}/upload`, {
        body: `@${file}`,
        args: ["--proxy", daemon.proxyOrigin],
      });
      await Deno.remove(file);
      assert.equal(upload.status, 200);
      assert.deepEqual(JSON.parse(new TextDecoder().decode(upload.body)), {
        received: 70 * 1024 * 1024,
      });
    });

    await t.step("POST /api/hosts adds both; the next requests are read exactly", async () => {
      for (const host of [CUSTOM, "localhost"]) {
        const res = await hostsApi("POST", "", { host });
        assert.equal(res.status, 201, await res.clone().text());
        assert.deepEqual((await res.json()).host, { host, provider: "custom", built_in: false });
      }
      const config = JSON.parse(await Deno.readTextFile(`${daemon.home}/config.json`));
      assert.deepEqual(config.hosts, [CUSTOM, "localhost"]);

      const viaConnect = await curl(`https://${CUSTOM}/v1/chat/completions`, {
        headers: JSON_HEADERS,
        body: JSON.stringify(meta.request),
        args: proxyArgs,
      });
      assert.equal(viaConnect.status, 200);
      assert.deepEqual(
        viaConnect.body,
        stack.upstream.sent(viaConnect.headers["x-fake-request-id"]),
      );
      const first = (await feed.next()).event;
      assertEventMatches(first, "custom", meta.usage);
      assert.equal(first.host, CUSTOM);

      const plain = await curl(`${localUrl}/v1/chat/completions`, {
        headers: JSON_HEADERS,
        body: JSON.stringify(meta.request),
        args: ["--proxy", daemon.proxyOrigin],
      });
      assert.deepEqual(plain.body, chatBody);
      const second = (await feed.next()).event;
      assertEventMatches(second, "custom", meta.usage);
      assert.equal(second.host, "localhost");
      assert.equal(second.mode, "proxy");
    });

    await t.step("bad names are refused with the reason; DELETE stops reading", async () => {
      const bad = await hostsApi("POST", "", { host: "https://llm.corp.test/v1" });
      assert.equal(bad.status, 400);
      assert.equal((await bad.json()).error.code, "invalid_host");
      const removed = await hostsApi("DELETE", "/localhost");
      assert.equal(removed.status, 200);
      await removed.body?.cancel();
      await curl(`${localUrl}/v1/chat/completions`, {
        headers: JSON_HEADERS,
        body: JSON.stringify(meta.request),
        args: ["--proxy", daemon.proxyOrigin],
      });
      const config = JSON.parse(await Deno.readTextFile(`${daemon.home}/config.json`));
      assert.deepEqual(config.hosts, [CUSTOM]);
      // Events arrive in order: the next one is this monitored call's, not the removed host's.
      await curl(`https://${CUSTOM}/v1/chat/completions`, {
        headers: JSON_HEADERS,
        body: JSON.stringify(meta.request),
        args: proxyArgs,
      });
      assert.equal((await feed.next()).event.host, CUSTOM);
    });
  } finally {
    local.closeAllConnections();
    await new Promise<void>((r) => local.close(() => r()));
    await stack.close();
  }
});
