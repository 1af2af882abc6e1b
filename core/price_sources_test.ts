import assert from "node:assert/strict";
import { usage } from "./usage/_event_fixture.ts";
import type { Usage } from "./types.ts";
import {
  createPriceSources,
  type PriceSources,
  type PriceSourcesOptions,
} from "./price_sources.ts";
import { type FakeMode, startFakePriceSource } from "../tests/fake_price_source.ts";
import { REMOTE_CACHE_FILE } from "./price_remote_cache.ts";

/** One million uncached input tokens of gpt-4o: costs its input price per Mtok. */
const GPT_4O_MTOK: Usage = usage({ model: "gpt-4o", input_tokens: 1_000_000 });
const BUNDLED_GPT_4O = 2.5;
const REMOTE_GPT_4O = 5;

async function tempHome() {
  const home = await Deno.makeTempDir({ prefix: "lumen-pricing-test-" });
  return { home, [Symbol.asyncDispose]: () => Deno.remove(home, { recursive: true }) };
}

/** Sources under test with a recorded log; `using` closes them. */
function open(home: string, url: URL, options: Partial<PriceSourcesOptions> = {}) {
  const logs: string[] = [];
  const sources = createPriceSources({
    home,
    url,
    log: (line) => logs.push(line),
    timeoutMs: 1_000,
    maxBytes: 3 * 1024 * 1024,
    ...options,
  });
  return Object.assign(sources, { logs, [Symbol.dispose]: () => sources.close() });
}

function gpt4o(sources: PriceSources): number | null {
  return sources.pricer().price("openai", GPT_4O_MTOK).cost_usd;
}

function remoteLayer(sources: PriceSources) {
  return sources.status().layers.find((layer) => layer.source === "remote")!;
}

/** A loopback port nothing listens on. */
function deadUrl(): URL {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  listener.close();
  return new URL(`http://127.0.0.1:${port}/prices.json`);
}

Deno.test("createPriceSources() prices from the bundled table before any refresh", async () => {
  await using dir = await tempHome();
  using sources = open(dir.home, deadUrl());
  assert.equal(gpt4o(sources), BUNDLED_GPT_4O);
  const status = sources.status();
  assert.equal(status.active, "bundled");
  assert.deepEqual(status.layers.map((l) => [l.source, l.models > 0]), [
    ["bundled", true],
    ["remote", false],
    ["override", false],
  ]);
  assert.equal(status.next_refresh_at, null);
  assert.deepEqual(sources.logs, []);
});

Deno.test("refresh() loads the remote list, caches it 0600 and prices from it", async () => {
  await using dir = await tempHome();
  const fake = startFakePriceSource();
  try {
    let now = 1_800_000_000_000;
    using sources = open(dir.home, fake.url, { now: () => now });
    const result = await sources.refresh();
    assert.equal(result.refreshed, true, JSON.stringify(result.layers));
    assert.equal(result.active, "remote");
    assert.equal(gpt4o(sources), REMOTE_GPT_4O);
    now += 90_000;
    const remote = remoteLayer(sources);
    assert.ok(remote.models >= 50, `${remote.models} models`);
    assert.equal(remote.url, fake.url.href);
    assert.equal(remote.fetched_at, 1_800_000_000_000);
    assert.equal(remote.age_s, 90);
    assert.match(remote.etag ?? "", /^"[0-9a-f]{16}"$/);
    assert.equal(remote.error, undefined);
    const info = await Deno.stat(`${dir.home}/${REMOTE_CACHE_FILE}`);
    if (Deno.build.os !== "windows") assert.equal(info.mode! & 0o777, 0o600);
    assert.equal(sources.logs.length, 1);
    assert.match(sources.logs[0], /^Loaded \d+ model prices from http:\/\/127\.0\.0\.1:\d+/);
  } finally {
    await fake.close();
  }
});

Deno.test("refresh() revalidates with If-None-Match and keeps the table on 304", async () => {
  await using dir = await tempHome();
  const fake = startFakePriceSource();
  try {
    let now = 1_800_000_000_000;
    using sources = open(dir.home, fake.url, { now: () => now });
    await sources.refresh();
    const etag = remoteLayer(sources).etag;
    now += 3_600_000;
    const again = await sources.refresh();
    assert.equal(again.refreshed, true);
    assert.equal(fake.requests.length, 2);
    assert.equal(fake.requests[0].get("if-none-match"), null);
    assert.equal(fake.requests[1].get("if-none-match"), etag);
    assert.equal(fake.requests[1].get("if-modified-since"), "Wed, 25 Nov 2026 10:00:00 GMT");
    const remote = remoteLayer(sources);
    assert.equal(remote.fetched_at, 1_800_000_000_000);
    assert.equal(remote.checked_at, now);
    assert.equal(remote.age_s, 0);
    assert.equal(gpt4o(sources), REMOTE_GPT_4O);
    // A new version of the document is fetched in full.
    fake.document["gpt-4o"].input_cost_per_token = 6e-6;
    assert.equal((await sources.refresh()).refreshed, true);
    assert.equal(gpt4o(sources), 6);
  } finally {
    await fake.close();
  }
});

Deno.test("refresh() keeps the previous prices through every kind of failure", async () => {
  await using dir = await tempHome();
  const fake = startFakePriceSource();
  try {
    using sources = open(dir.home, fake.url);
    await sources.refresh();
    const cache = await Deno.readTextFile(`${dir.home}/${REMOTE_CACHE_FILE}`);
    const cases: [FakeMode, RegExp][] = [
      ["malformed", /malformed JSON/],
      ["partial", /Looks partial: it prices \d+ models, fewer than 50/],
      ["wrong_shape", /not a usable LiteLLM price list/],
      ["status_500", /HTTP 500/],
      ["slow_headers", /within 1000 ms/],
      ["slow_body", /within 1000 ms/],
      ["huge_declared", /more than 3145728 bytes/],
      ["huge_streamed", /more than 3145728 bytes/],
    ];
    for (const [mode, message] of cases) {
      fake.mode = mode;
      const logged = sources.logs.length;
      const result = await sources.refresh();
      assert.equal(result.refreshed, false, mode);
      assert.equal(result.active, "remote", mode);
      const error = remoteLayer(sources).error;
      assert.match(error?.message ?? "", message, mode);
      assert.match(error?.message ?? "", /^Cannot refresh prices from http:\/\/127\.0\.0\.1/);
      assert.equal(gpt4o(sources), REMOTE_GPT_4O, mode);
      assert.equal(await Deno.readTextFile(`${dir.home}/${REMOTE_CACHE_FILE}`), cache, mode);
      assert.equal(sources.logs.length, logged + 1, mode);
    }
    fake.mode = "good";
    const healed = await sources.refresh();
    assert.equal(healed.refreshed, true);
    assert.equal(remoteLayer(sources).error, undefined);
  } finally {
    await fake.close();
  }
});

Deno.test("refresh() refuses a copy less than half the size of the previous one", async () => {
  await using dir = await tempHome();
  const fake = startFakePriceSource();
  try {
    using sources = open(dir.home, fake.url);
    await sources.refresh();
    const before = remoteLayer(sources).models;
    const keys = Object.keys(fake.document);
    fake.document = Object.fromEntries(
      keys.slice(0, Math.floor(keys.length / 3)).map((k) => [
        k,
        fake.document[k],
      ]),
    );
    const result = await sources.refresh();
    assert.equal(result.refreshed, false);
    assert.match(remoteLayer(sources).error!.message, /Looks partial/);
    assert.equal(remoteLayer(sources).models, before);
  } finally {
    await fake.close();
  }
});

Deno.test("refresh() drops an entry that zeroes a known price and reports it", async () => {
  await using dir = await tempHome();
  const fake = startFakePriceSource();
  try {
    using sources = open(dir.home, fake.url);
    fake.mode = "zeroed";
    const result = await sources.refresh();
    assert.equal(result.refreshed, true);
    const remote = remoteLayer(sources);
    assert.equal(remote.dropped?.length, 1);
    assert.equal(remote.dropped?.[0].id, "gpt-4o");
    assert.match(remote.dropped![0].reason, /input at 0 where the bundled table has input 2\.5/);
    // Never $0: the model falls back to the layer below.
    assert.equal(gpt4o(sources), BUNDLED_GPT_4O);
    assert.equal(sources.pricer().match("openai", "gpt-4o")?.source, "bundled");
    assert.match(sources.logs.at(-1)!, /1 refused for zeroing a known price/);
  } finally {
    await fake.close();
  }
});

Deno.test("refresh() shares one fetch between concurrent calls", async () => {
  await using dir = await tempHome();
  const fake = startFakePriceSource();
  try {
    using sources = open(dir.home, fake.url);
    const results = await Promise.all([sources.refresh(), sources.refresh(), sources.refresh()]);
    assert.equal(fake.requests.length, 1);
    assert.ok(results.every((r) => r.refreshed));
    await sources.refresh();
    assert.equal(fake.requests.length, 2);
  } finally {
    await fake.close();
  }
});

Deno.test("refresh() reports an unreachable source and never throws", async () => {
  await using dir = await tempHome();
  using sources = open(dir.home, deadUrl());
  const result = await sources.refresh();
  assert.equal(result.refreshed, false);
  assert.equal(result.active, "bundled");
  assert.match(remoteLayer(sources).error!.message, /^Cannot refresh prices from http:\/\/127/);
  assert.equal(gpt4o(sources), BUNDLED_GPT_4O);
});

Deno.test("createPriceSources() keeps cached remote prices across a restart offline", async () => {
  await using dir = await tempHome();
  const fake = startFakePriceSource();
  let url: URL;
  try {
    url = fake.url;
    using first = open(dir.home, url);
    assert.equal((await first.refresh()).refreshed, true);
  } finally {
    await fake.close();
  }
  using second = open(dir.home, url);
  assert.equal(gpt4o(second), REMOTE_GPT_4O, "cached prices are used before any refresh");
  assert.equal(second.status().active, "remote");
  const result = await second.refresh();
  assert.equal(result.refreshed, false);
  assert.equal(result.active, "remote");
  assert.ok(remoteLayer(second).error);
  assert.equal(gpt4o(second), REMOTE_GPT_4O);
});

Deno.test("createPriceSources() reports an unreadable cache file and prices from bundled", async () => {
  await using dir = await tempHome();
  await Deno.writeTextFile(`${dir.home}/${REMOTE_CACHE_FILE}`, '{"cache_version": 1, "table": 3}');
  using sources = open(dir.home, deadUrl());
  assert.equal(sources.status().active, "bundled");
  assert.match(remoteLayer(sources).error!.message, /pricing-remote\.json/);
  assert.equal(gpt4o(sources), BUNDLED_GPT_4O);
});

Deno.test("start() refreshes soon, then every interval, and close() stops it", async () => {
  await using dir = await tempHome();
  const fake = startFakePriceSource();
  try {
    using sources = open(dir.home, fake.url, { startDelayMs: 1, refreshIntervalMs: 20 });
    sources.start();
    assert.ok(sources.status().next_refresh_at !== null);
    for (let i = 0; i < 200 && fake.requests.length < 3; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    assert.ok(fake.requests.length >= 3, `${fake.requests.length} requests`);
    sources.close();
    assert.equal(sources.status().next_refresh_at, null);
    // Joins a refresh that was in flight at close() (now cancelled), so nothing outlives the test.
    await sources.refresh();
    const seen = fake.requests.length;
    await new Promise((resolve) => setTimeout(resolve, 60));
    assert.equal(fake.requests.length, seen, "no refresh starts after close()");
  } finally {
    await fake.close();
  }
});

Deno.test("start() waits out a fresh cache before the first refresh", async () => {
  await using dir = await tempHome();
  const fake = startFakePriceSource();
  try {
    let now = 1_800_000_000_000;
    const options = { now: () => now, startDelayMs: 1_000, refreshIntervalMs: 3_600_000 };
    using first = open(dir.home, fake.url, options);
    await first.refresh();
    now += 600_000;
    using second = open(dir.home, fake.url, options);
    second.start();
    assert.equal(second.status().next_refresh_at, 1_800_000_000_000 + 3_600_000);
  } finally {
    await fake.close();
  }
});
