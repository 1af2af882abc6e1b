import assert from "node:assert/strict";
import { eventAt } from "../usage/_store_fixture.ts";
import { apiFixture } from "./_handler_fixture.ts";

const at = (d: number, h: number) => new Date(2026, 10, d, h).getTime();
const JSON_POST = { method: "POST", headers: { "content-type": "application/json" } };

Deno.test("GET /api/history sums by group over a range, with the range's total", async () => {
  await using api = await apiFixture({ now: () => at(27, 12) });
  api.record(
    eventAt(at(25, 9), { cost_usd: 0.1 }),
    eventAt(at(26, 9), { model: "gpt-5", cost_usd: 0.2 }),
    eventAt(at(27, 9), { cost_usd: 0.4 }),
  );
  const res = await api.call(`/api/history?group=day&from=${at(26, 0)}&to=${at(28, 0)}`);
  assert.equal(res.status, 200);
  const body = await res.json();
  assert.equal(body.group, "day");
  assert.equal(body.from, at(26, 0));
  assert.deepEqual(body.rows.map((r: { key: string }) => r.key), ["2026-11-26", "2026-11-27"]);
  assert.deepEqual(Object.keys(body.rows[0]), [
    "key",
    "requests",
    "input_tokens",
    "output_tokens",
    "cache_read_tokens",
    "cache_write_tokens",
    "reasoning_tokens",
    "cost_usd",
    "api_equivalent_usd",
    "estimated_requests",
    "unpriced_requests",
  ]);
  assert.equal(body.total.cost_usd, 0.6);
  const models = await (await api.call("/api/history?group=model")).json();
  assert.deepEqual(models.rows.map((r: { key: string }) => r.key), ["gpt-5-mini", "gpt-5"]);
  assert.equal(models.to, null);
  const byDefault = await (await api.call("/api/history")).json();
  assert.equal(byDefault.group, "day");
});

Deno.test("GET /api/history and /api/export answer 400 for a bad group, format or bound", async () => {
  await using api = await apiFixture();
  for (
    const query of [
      "/api/history?group=week",
      "/api/history?from=yesterday",
      "/api/history?from=1.5",
      "/api/history?from=20&to=10",
      "/api/export?format=xml",
      "/api/export?to=1e3",
    ]
  ) {
    const res = await api.call(query);
    assert.equal(res.status, 400, query);
    assert.equal((await res.json()).error.code, "bad_request");
  }
});

Deno.test("GET /api/export streams an attachment in CSV or JSON", async () => {
  const now = at(27, 12);
  await using api = await apiFixture({ now: () => now });
  const events = [eventAt(at(26, 9)), eventAt(at(27, 9))];
  api.record(...events);
  const csv = await api.call("/api/export?format=csv");
  assert.equal(csv.headers.get("content-type"), "text/csv; charset=utf-8");
  assert.equal(
    csv.headers.get("content-disposition"),
    'attachment; filename="lumen-events-2026-11-27.csv"',
  );
  const lines = (await csv.text()).trimEnd().split("\r\n");
  assert.equal(lines.length, 3);
  assert.match(lines[0], /^id,ts,provider,host,path,model,client,mode,status,streamed,/);
  const json = await api.call(`/api/export?format=json&from=${at(27, 0)}`);
  assert.equal(json.headers.get("content-type"), "application/json; charset=utf-8");
  assert.match(
    json.headers.get("content-disposition")!,
    /filename="lumen-events-2026-11-27\.json"/,
  );
  assert.deepEqual((await json.json()).map((e: { id: string }) => e.id), [events[1].id]);
});

Deno.test("GET /api/laps lists laps newest first with duration and delta", async () => {
  let now = at(27, 12);
  await using api = await apiFixture({ now: () => now });
  api.record(eventAt(now, { lap_id: api.aggregator.currentLapId, cost_usd: 0.25 }));
  now += 90_000;
  await (await api.call("/api/laps", { ...JSON_POST, body: '{"name":"after"}' })).body?.cancel();
  const lapId = api.aggregator.currentLapId;
  api.record(eventAt(now, { lap_id: lapId }), eventAt(now + 1, { lap_id: lapId }));
  now += 15_000;
  const { laps } = await (await api.call("/api/laps")).json();
  assert.deepEqual(
    laps.map((l: { name: string; duration_ms: number }) => [l.name, l.duration_ms]),
    [
      ["after", 15_000],
      ["Lap 1", 90_000],
    ],
  );
  assert.equal(laps[0].requests, 2);
  assert.equal(laps[0].delta.requests, 1);
  assert.equal(laps[0].delta.cost_usd, -0.248);
  assert.equal(laps[1].delta, null);
});

Deno.test("POST /api/laps answers 503 and /api/health reports it while lumen.db refuses writes", async () => {
  await using api = await apiFixture();
  api.ledger.db.exec("PRAGMA query_only = 1");
  api.ledger.record(eventAt(1_800_000_000_000));
  const refused = await api.call("/api/laps", { ...JSON_POST, body: "{}" });
  assert.equal(refused.status, 503);
  assert.equal((await refused.json()).error.code, "store_unavailable");
  const health = await (await api.call("/api/health")).json();
  assert.equal(health.ok, true, "the daemon itself is up and proxying");
  assert.equal(health.store.ok, false);
  assert.equal(health.store.pending, 1);
  assert.equal(health.store.error.at, 1_800_000_000_000);
  assert.match(health.store.error.message, /readonly/);
  const { events } = await (await api.call("/api/events")).json();
  assert.equal(events.length, 1, "shown from memory while it cannot be saved");
  api.ledger.db.exec("PRAGMA query_only = 0");
  assert.equal(api.ledger.flush(), true);
  const healed = await (await api.call("/api/health")).json();
  assert.deepEqual(healed.store, { ok: true, error: null, pending: 0, dropped: 0 });
  const closed = await api.call("/api/laps", { ...JSON_POST, body: "{}" });
  assert.equal(closed.status, 200);
  await closed.body?.cancel();
});
