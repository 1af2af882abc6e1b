import assert from "node:assert/strict";
import { ConfigFile } from "../config_file.ts";
import { HostRegistry } from "../hosts.ts";
import { Aggregator } from "../usage/aggregator.ts";
import type { UsageEvent } from "../types.ts";
import { usageEvent as event } from "../usage/_event_fixture.ts";
import { createApiHandler } from "./handler.ts";

const PORT = 9091;

function setup() {
  let now = 1_800_000_000_000;
  const aggregator = new Aggregator({ now: () => now });
  // Never written: these tests change no hosts or settings.
  const configFile = new ConfigFile("/nonexistent/config.json", null);
  const handler = createApiHandler({
    reader: aggregator,
    closeLap: (name) => aggregator.closeLap(name),
    hosts: new HostRegistry(configFile),
    settings: configFile,
    version: "test",
    proxyPort: 9090,
    apiPort: PORT,
    startedAt: now,
    now: () => now,
  });
  return { aggregator, handler, tick: (ms: number) => now += ms };
}

function call(handler: (req: Request) => Promise<Response>, path: string, init: RequestInit = {}) {
  const headers = new Headers(init.headers);
  if (!headers.has("host")) headers.set("host", `127.0.0.1:${PORT}`);
  return handler(new Request(`http://127.0.0.1:${PORT}${path}`, { ...init, headers }));
}

Deno.test("createApiHandler() answers /api/health with ports and uptime", async () => {
  const { handler, tick } = setup();
  tick(3_500);
  const res = await call(handler, "/api/health");
  assert.deepEqual(await res.json(), {
    ok: true,
    version: "test",
    proxy_port: 9090,
    api_port: PORT,
    uptime_s: 3,
  });
});

Deno.test("createApiHandler() serves the same stats at /api/stats and /stats", async () => {
  const { handler, aggregator } = setup();
  aggregator.record(event());
  aggregator.record(event({ cost_usd: null, model: "mystery", estimated: true }));
  const a = await (await call(handler, "/api/stats")).json();
  const b = await (await call(handler, "/stats")).json();
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
  const { handler, aggregator } = setup();
  const ids = ["0001", "0002", "0003"].map((n) => `0190a000-0000-7000-8000-00000000${n}`);
  for (const id of ids) aggregator.record(event({ id }));
  const first = await (await call(handler, "/api/events?limit=2")).json();
  assert.deepEqual(first.events.map((e: UsageEvent) => e.id), [ids[2], ids[1]]);
  const next = await (await call(handler, `/api/events?limit=2&before=${ids[1]}`)).json();
  assert.deepEqual(next.events.map((e: UsageEvent) => e.id), [ids[0]]);
  const bad = await call(handler, "/api/events?limit=0");
  assert.equal(bad.status, 400);
  await bad.body?.cancel();
});

Deno.test("createApiHandler() closes a lap on POST /api/laps and lists laps", async () => {
  const { handler, aggregator } = setup();
  aggregator.record(event());
  const res = await call(handler, "/api/laps", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name: "refactor" }),
  });
  const { closed, opened } = await res.json();
  assert.equal(closed.requests, 1);
  assert.equal(opened.name, "refactor");
  const stats = await (await call(handler, "/api/stats")).json();
  assert.equal(stats.lap.requests, 0);
  assert.equal(stats.lap.name, "refactor");
  assert.equal(stats.total.requests, 1);
  const { laps } = await (await call(handler, "/api/laps")).json();
  assert.deepEqual(laps.map((l: { name: string }) => l.name), ["refactor", "Lap 1"]);
});

Deno.test("createApiHandler() refuses foreign Host, foreign Origin and non-JSON bodies", async () => {
  const { handler } = setup();
  const cases: [string, RequestInit][] = [
    ["/api/stats", { headers: { host: "evil.example:9091" } }],
    ["/api/stats", { headers: { host: "127.0.0.1:80" } }],
    ["/api/laps", { method: "POST", headers: { origin: "https://evil.example" } }],
    ["/api/laps", { method: "POST", headers: { origin: "null" } }],
    ["/api/laps", { method: "POST", headers: { "sec-fetch-site": "cross-site" } }],
    ["/api/laps", { method: "POST", headers: { "content-type": "text/plain" }, body: "{}" }],
  ];
  for (const [path, init] of cases) {
    const res = await call(handler, path, init);
    assert.equal(res.status, 403, JSON.stringify(init));
    assert.equal(res.headers.get("access-control-allow-origin"), null);
    await res.body?.cancel();
  }
  const { laps } = await (await call(handler, "/api/laps")).json();
  assert.equal(laps.length, 1, "no refused request changed state");
});

Deno.test("createApiHandler() answers unknown routes and methods with JSON errors", async () => {
  const { handler } = setup();
  const missing = await call(handler, "/api/nope");
  assert.equal(missing.status, 404);
  assert.equal((await missing.json()).error.code, "not_found");
  const method = await call(handler, "/api/stats", { method: "DELETE" });
  assert.equal(method.status, 405);
  await method.body?.cancel();
});

Deno.test("createApiHandler() streams stats then usage events over /api/events/stream", async () => {
  const { handler, aggregator } = setup();
  const res = await call(handler, "/api/events/stream");
  assert.equal(res.headers.get("content-type"), "text/event-stream; charset=utf-8");
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = (await reader.read()).value ?? "";
  assert.match(text, /^event: stats\ndata: \{/);
  aggregator.record(event({ id: "e1" }));
  while (!text.includes("event: usage")) text += (await reader.read()).value ?? "";
  assert.match(text, /event: usage\ndata: \{"id":"e1"/);
  await reader.cancel();
});
