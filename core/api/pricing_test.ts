import assert from "node:assert/strict";
import { startFakePriceSource } from "../../tests/fake_price_source.ts";
import { apiFixture, DEAD_PRICING_URL, PORT } from "./_handler_fixture.ts";

Deno.test("GET /api/pricing answers the active source and every layer", async () => {
  await using api = await apiFixture();
  const res = await api.call("/api/pricing");
  assert.equal(res.status, 200);
  const status = await res.json();
  assert.equal(status.active, "bundled");
  assert.deepEqual(status.layers.map((l: { source: string }) => l.source), [
    "bundled",
    "remote",
    "override",
  ]);
  assert.ok(status.layers[0].models > 0);
  assert.match(status.layers[0].updated, /^\d{4}-\d{2}-\d{2}$/);
  assert.equal(status.layers[1].url, DEAD_PRICING_URL.href);
  assert.equal(status.next_refresh_at, null);
});

Deno.test("GET /api/pricing?model= resolves a model and says how", async () => {
  await using api = await apiFixture();
  const lookup = async (query: string) => (await api.call(`/api/pricing?${query}`)).json();

  const exact = await lookup("model=gpt-4o");
  assert.equal(exact.model, "gpt-4o");
  assert.equal(exact.provider, "openai");
  assert.deepEqual(
    [exact.match.key, exact.match.how, exact.match.source, exact.match.entry.input],
    ["gpt-4o", "exact", "bundled", 2.5],
  );
  const alias = await lookup("model=claude-sonnet-4-5-20250929");
  assert.equal(alias.provider, "anthropic", "guessed from the name");
  assert.deepEqual([alias.match.key, alias.match.how], ["claude-sonnet-4-5", "alias"]);
  const prefixed = await lookup("model=models/Gemini-2.5-Pro&provider=google");
  assert.deepEqual([prefixed.match.key, prefixed.match.how], ["gemini-2.5-pro", "normalized"]);
  assert.deepEqual(await lookup("model=no-such-model-at-all"), {
    model: "no-such-model-at-all",
    provider: "openai",
    match: null,
  });

  for (const query of ["model=", "model=%20", `model=${"x".repeat(201)}`, "model=a&provider=x"]) {
    const res = await api.call(`/api/pricing?${query}`);
    assert.equal(res.status, 400, query);
    assert.equal((await res.json()).error.code, "bad_request");
  }
});

Deno.test("POST /api/pricing/refresh refreshes and says whether it worked", async () => {
  const fake = startFakePriceSource();
  try {
    await using api = await apiFixture({ pricingUrl: fake.url });
    const refresh = (headers: HeadersInit = {}) =>
      api.call("/api/pricing/refresh", { method: "POST", headers });
    const res = await refresh();
    assert.equal(res.status, 200);
    const done = await res.json();
    assert.equal(done.refreshed, true);
    assert.equal(done.active, "remote");
    assert.equal(done.layers[1].error, undefined);

    fake.mode = "status_500";
    const failed = await refresh({ origin: `http://127.0.0.1:${PORT}` });
    assert.equal(failed.status, 200);
    const body = await failed.json();
    assert.equal(body.refreshed, false);
    assert.equal(body.active, "remote");
    assert.match(body.layers[1].error.message, /HTTP 500/);
    assert.equal(fake.requests.length, 2);
  } finally {
    await fake.close();
  }
});

Deno.test("POST /api/pricing/refresh refuses cross-origin callers and GET", async () => {
  const fake = startFakePriceSource();
  try {
    await using api = await apiFixture({ pricingUrl: fake.url });
    const refused: HeadersInit[] = [
      { origin: "https://evil.example" },
      { "sec-fetch-site": "cross-site" },
      { "content-type": "text/plain" },
    ];
    for (const headers of refused) {
      const res = await api.call("/api/pricing/refresh", { method: "POST", headers });
      assert.equal(res.status, 403, JSON.stringify(headers));
      await res.body?.cancel();
    }
    const get = await api.call("/api/pricing/refresh");
    assert.equal(get.status, 405);
    await get.body?.cancel();
    assert.equal(fake.requests.length, 0, "no refused request reached the source");
  } finally {
    await fake.close();
  }
});
