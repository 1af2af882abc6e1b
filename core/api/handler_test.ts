import assert from "node:assert/strict";
import type { UsageEvent } from "../types.ts";
import { usageEvent as event } from "../usage/_event_fixture.ts";
import { apiFixture, PORT } from "./_handler_fixture.ts";

Deno.test("createApiHandler() answers /api/health with ports and uptime", async () => {
  let now = 1_800_000_000_000;
  await using api = await apiFixture({ now: () => now });
  now += 3_500;
  const res = await api.call("/api/health");
  assert.deepEqual(await res.json(), {
    ok: true,
    version: "test",
    proxy_port: 9090,
    api_port: PORT,
    uptime_s: 3,
    store: { ok: true, error: null, pending: 0, dropped: 0 },
  });
});

Deno.test("createApiHandler() serves the same stats at /api/stats and /stats", async () => {
  await using api = await apiFixture();
  api.aggregator.record(event());
  api.aggregator.record(event({ cost_usd: null, model: "mystery", estimated: true }));
  const a = await (await api.call("/api/stats")).json();
  const b = await (await api.call("/stats")).json();
  assert.deepEqual(a, b);
  assert.equal(a.total.requests, 2);
  assert.equal(a.total.cost_usd, 0.001);
  assert.equal(a.total.unpriced_requests, 1);
  assert.equal(a.total.estimated_requests, 1);
  assert.equal(a.by_model.mystery.requests, 1);
  assert.equal(a.token_rate.window_s, 60);
  assert.equal(a.token_rate.tokens_per_s, 0.5);
});

Deno.test("createApiHandler() pages /api/events newest first with a before cursor", async () => {
  await using api = await apiFixture();
  const ids = ["0001", "0002", "0003"].map((n) => `0190a000-0000-7000-8000-00000000${n}`);
  api.record(...ids.map((id) => event({ id })));
  const first = await (await api.call("/api/events?limit=2")).json();
  assert.deepEqual(first.events.map((e: UsageEvent) => e.id), [ids[2], ids[1]]);
  const next = await (await api.call(`/api/events?limit=2&before=${ids[1]}`)).json();
  assert.deepEqual(next.events.map((e: UsageEvent) => e.id), [ids[0]]);
  for (const query of ["limit=0", "limit=1001", "before=", `before=${"f".repeat(65)}`]) {
    const bad = await api.call(`/api/events?${query}`);
    assert.equal(bad.status, 400, query);
    await bad.body?.cancel();
  }
});

Deno.test("createApiHandler() closes a lap on POST /api/laps and lists laps", async () => {
  await using api = await apiFixture();
  api.record(event());
  const res = await api.call("/api/laps", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name: "refactor" }),
  });
  const { closed, opened } = await res.json();
  assert.equal(closed.requests, 1);
  assert.equal(opened.name, "refactor");
  const stats = await (await api.call("/api/stats")).json();
  assert.equal(stats.lap.requests, 0);
  assert.equal(stats.lap.name, "refactor");
  assert.equal(stats.total.requests, 1);
  const { laps } = await (await api.call("/api/laps")).json();
  assert.deepEqual(laps.map((l: { name: string }) => l.name), ["refactor", "Lap 1"]);
});

Deno.test("createApiHandler() refuses foreign Host, foreign Origin and non-JSON bodies", async () => {
  await using api = await apiFixture();
  const cases: [string, RequestInit][] = [
    ["/api/stats", { headers: { host: "evil.example:9091" } }],
    ["/api/stats", { headers: { host: "127.0.0.1:80" } }],
    ["/api/laps", { method: "POST", headers: { origin: "https://evil.example" } }],
    ["/api/laps", { method: "POST", headers: { origin: "null" } }],
    ["/api/laps", { method: "POST", headers: { "sec-fetch-site": "cross-site" } }],
    ["/api/laps", { method: "POST", headers: { "content-type": "text/plain" }, body: "{}" }],
  ];
  for (const [path, init] of cases) {
    const res = await api.call(path, init);
    assert.equal(res.status, 403, JSON.stringify(init));
    assert.equal(res.headers.get("access-control-allow-origin"), null);
    await res.body?.cancel();
  }
  const { laps } = await (await api.call("/api/laps")).json();
  assert.equal(laps.length, 1, "no refused request changed state");
});

Deno.test("createApiHandler() answers unknown routes and methods with JSON errors", async () => {
  await using api = await apiFixture();
  const missing = await api.call("/api/nope");
  assert.equal(missing.status, 404);
  assert.equal((await missing.json()).error.code, "not_found");
  const method = await api.call("/api/stats", { method: "DELETE" });
  assert.equal(method.status, 405);
  await method.body?.cancel();
});

Deno.test("createApiHandler() streams stats then usage events over /api/events/stream", async () => {
  await using api = await apiFixture();
  const res = await api.call("/api/events/stream");
  assert.equal(res.headers.get("content-type"), "text/event-stream; charset=utf-8");
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = (await reader.read()).value ?? "";
  assert.match(text, /^event: stats\ndata: \{/);
  api.aggregator.record(event({ id: "e1" }));
  while (!text.includes("event: usage")) text += (await reader.read()).value ?? "";
  assert.match(text, /event: usage\ndata: \{"id":"e1"/);
  await reader.cancel();
});

Deno.test("createApiHandler() ends the SSE feed when the daemon shuts down", async () => {
  await using api = await apiFixture();
  const res = await api.call("/api/events/stream");
  const reader = res.body!.getReader();
  await reader.read(); // the opening stats
  api.close();
  // Ends instead of hanging: a graceful server shutdown waits for every open response.
  while (!(await reader.read()).done) {
    // Drains anything sent before the close.
  }
});
