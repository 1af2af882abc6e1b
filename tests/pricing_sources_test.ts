// Prices updatable without a release, end to end: the daemon fetches a remote LiteLLM list on
// demand, prices the next call from it, lets the user's override file win, and keeps the last good
// prices when the remote list breaks.
import assert from "node:assert/strict";
import { fixture } from "./fake_upstream.ts";
import { startStack } from "./_stack.ts";
import { curl } from "./_curl.ts";
import { startFakePriceSource } from "./fake_price_source.ts";

const JSON_HEADERS = { "content-type": "application/json" };

Deno.test("remote and override prices reach the events; failures keep the last good ones", async () => {
  const prices = startFakePriceSource();
  // gpt-5-mini at 1 USD/Mtok input (bundled: 0.25), so remote prices are recognizable.
  for (const id of ["gpt-5-mini", "gpt-5-mini-2025-08-07"]) {
    prices.document[id] = { ...prices.document[id], input_cost_per_token: 1e-6 };
  }
  // The price list is Lumen's own download, so it honours the proxy variables (a corporate proxy
  // may be the only way out); the stack's are dead, and NO_PROXY lets the loopback list through.
  const stack = await startStack({ LUMEN_PRICING_URL: prices.url.href, NO_PROXY: "127.0.0.1" });
  const { daemon, feed } = stack;
  const { meta } = await fixture("openai/chat"); // gpt-5-mini: 338 uncached input tokens
  const chat = async () => {
    await curl(`${stack.relay("openai")}${meta.path}`, {
      headers: JSON_HEADERS,
      body: JSON.stringify(meta.request),
    });
    return (await feed.next()).event;
  };
  const refresh = () =>
    daemon.api("/api/pricing/refresh", { method: "POST", headers: JSON_HEADERS, body: "{}" });
  try {
    const bundled = await chat();
    assert.equal(bundled.price_source, "bundled");
    assert.equal(bundled.priced_model, "gpt-5-mini");

    const status = await refresh();
    assert.equal(status.refreshed, true, JSON.stringify(status));
    assert.equal(status.active, "remote");
    const remote = await chat();
    assert.equal(remote.price_source, "remote");
    // 338 input tokens now cost 0.75 USD/Mtok more than the bundled price.
    assert.equal(Math.round((remote.cost_usd! - bundled.cost_usd!) * 1e9), 253_500);
    const lookup = await daemon.api("/api/pricing?model=gpt-5-mini-2025-08-07");
    assert.equal(lookup.match.source, "remote");
    assert.equal(lookup.match.key, "gpt-5-mini");
    assert.equal(remote.priced_model, "gpt-5-mini");

    prices.mode = "malformed";
    const failed = await refresh();
    assert.equal(failed.refreshed, false);
    assert.equal(failed.active, "remote");
    assert.ok(failed.layers.find((l: { source: string }) => l.source === "remote").error);
    assert.equal((await chat()).cost_usd, remote.cost_usd, "the last good prices stay");

    await Deno.writeTextFile(
      `${daemon.home}/pricing.json`,
      JSON.stringify({
        schema_version: 1,
        source: "my contract",
        updated: "2026-11-27",
        models: {
          "gpt-5-mini": {
            provider: "openai",
            input: 0,
            output: 0,
            cache_read: 0,
            cache_write_5m: null,
            cache_write_1h: null,
            aliases: [],
          },
        },
      }),
    );
    assert.equal((await refresh()).active, "override");
    const override = await chat();
    assert.equal(override.price_source, "override");
    assert.equal(override.cost_usd, 0, "the user's own price wins, even a zero one");
  } finally {
    await stack.close();
    await prices.close();
  }
});
