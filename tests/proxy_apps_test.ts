// The subscription apps through proxy mode: Cursor's Connect streams on *.cursor.sh and claude.ai's
// completion streams are intercepted, turned into events, and claude.ai's plan windows reach
// /api/stats. The upstream here is a loopback HTTPS server answering with the parser fixtures.
import assert from "node:assert/strict";
import https from "node:https";
import type net from "node:net";
import { createTestPki } from "./_certs.ts";
import { startDaemon } from "./_daemon.ts";
import { openUsageFeed } from "./_usage_feed.ts";
import { createPricer } from "../pricing/mod.ts";

const FIXTURES = new URL("./fixtures/", import.meta.url);
const CURSOR_HOST = "agent.api5.cursor.sh";

async function fixture(name: string, ext: string) {
  const meta = JSON.parse(await Deno.readTextFile(new URL(`${name}.case.json`, FIXTURES)));
  return { meta, body: await Deno.readFile(new URL(`${name}.${ext}`, FIXTURES)) };
}

Deno.test("Cursor and claude.ai traffic is read through the proxy", async () => {
  const cursor = await fixture("cursor/agent_run", "bin");
  const claude = await fixture("claude_ai/messages_stream", "sse");
  const pki = await createTestPki();
  const upstream = https.createServer({ cert: pki.certPem, key: pki.keyPem }, (req, res) => {
    req.resume();
    req.on("end", () => {
      const answer = req.url === cursor.meta.path ? cursor : claude;
      res.writeHead(200, { "content-type": answer.meta.content_type }).end(answer.body);
    });
  });
  await new Promise<void>((r) => upstream.listen(0, "127.0.0.1", r));
  const origin = `https://127.0.0.1:${(upstream.address() as net.AddressInfo).port}`;
  const caFile = await Deno.makeTempFile({ suffix: ".pem" });
  await Deno.writeTextFile(caFile, pki.caPem);
  const daemon = await startDaemon({
    env: {
      LUMEN_UPSTREAM_OVERRIDES: `${CURSOR_HOST}=${origin},claude.ai=${origin}`,
      LUMEN_EXTRA_CA_CERTS: caFile,
    },
  });
  const feed = await openUsageFeed(daemon.apiOrigin);
  const curl = async (url: string, contentType: string, body: Uint8Array) => {
    const file = await Deno.makeTempFile();
    await Deno.writeFile(file, body);
    const out = await new Deno.Command("curl", {
      args: ["-sS", "--proxy", daemon.proxyOrigin, "--cacert", `${daemon.home}/ca.pem`]
        .concat("-H", `content-type: ${contentType}`, "--data-binary", `@${file}`, url),
      stdin: "null",
    }).output();
    await Deno.remove(file);
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    return out.stdout;
  };
  try {
    const cursorRequest = await Deno.readFile(
      new URL(`cursor/${cursor.meta.request_file}`, FIXTURES),
    );
    const got = await curl(
      `https://${CURSOR_HOST}${cursor.meta.path}`,
      "application/connect+proto",
      cursorRequest,
    );
    assert.deepEqual(got, cursor.body, "Connect frames pass untouched");
    const cursorEvent = (await feed.next()).event;
    assert.equal(cursorEvent.provider, "cursor");
    assert.equal(cursorEvent.host, CURSOR_HOST);
    assert.equal(cursorEvent.input_tokens, cursor.meta.usage.input_tokens);
    assert.equal(cursorEvent.output_tokens, cursor.meta.usage.output_tokens);
    assert.equal(cursorEvent.cache_read_tokens, cursor.meta.usage.cache_read_tokens);

    const body = new TextEncoder().encode(JSON.stringify(claude.meta.request));
    await curl(`https://claude.ai${claude.meta.path}`, "application/json", body);
    const claudeEvent = (await feed.next()).event;
    assert.equal(claudeEvent.provider, "claude_ai");
    assert.equal(claudeEvent.estimated, true);
    assert.equal(claudeEvent.output_tokens, claude.meta.usage.output_tokens);
    // Not billed per token: the API-equivalent price of the estimated tokens, marked so.
    const apiEquivalent = createPricer().price("anthropic", claude.meta.usage).cost_usd;
    assert.ok(apiEquivalent !== null && apiEquivalent > 0);
    assert.equal(claudeEvent.cost_usd, apiEquivalent);
    assert.equal(claudeEvent.price_source, "subscription");
    const stats = await daemon.api("/api/stats");
    assert.deepEqual(stats.plan_windows.claude_ai.windows, claude.meta.plan_windows);
  } finally {
    await feed.close();
    await daemon.stop();
    upstream.closeAllConnections();
    await new Promise<void>((r) => upstream.close(() => r()));
    await Deno.remove(caFile);
  }
});
