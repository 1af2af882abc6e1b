// Subscription traffic end to end: a Claude plan's call (OAuth token) through the relay is priced
// API-equivalent, which `/api/stats`, history, budgets and /metrics keep apart from billed spend; an
// API-key call is billed. And a V3 lumen.db upgrades to V4 with its totals as they were.
import assert from "node:assert/strict";
import { fixture } from "./fake_upstream.ts";
import { startStack } from "./_stack.ts";
import { parseExposition, select } from "../core/metrics/_exposition_fixture.ts";
import { createPricer } from "../pricing/mod.ts";
import { Database, DB_FILE } from "../core/usage/store.ts";
import { MIGRATIONS, SCHEMA_VERSION, schemaVersion } from "../core/usage/schema.ts";
import { openLedger } from "../core/usage/ledger.ts";
import { localDay } from "../core/usage/day.ts";
import { usageEvent } from "../core/usage/_event_fixture.ts";
import { uuidv7 } from "../core/uuid.ts";

const OAUTH = "Bearer sk-ant-oat01-test-token-not-real";

Deno.test("a plan call is API-equivalent in stats, history, budgets and /metrics; a key call is billed", async () => {
  const stack = await startStack();
  const { meta } = await fixture("anthropic/messages");
  const price = createPricer().price("anthropic", { ...meta.usage }).cost_usd!;
  assert.ok(price > 0);
  const call = async (auth: Record<string, string>) => {
    const res = await fetch(`${stack.relay("anthropic")}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", ...auth },
      body: JSON.stringify(meta.request),
    });
    assert.equal(res.status, 200);
    await res.body?.cancel();
    return (await stack.feed.next()).event;
  };
  const metrics = async () => {
    const res = await fetch(`${stack.daemon.apiOrigin}/metrics`);
    assert.equal(res.status, 200);
    const parsed = parseExposition(await res.text());
    const sum = (name: string) => select(parsed, name, {}).reduce((n, s) => n + s.value, 0);
    return { billed: sum("lumen_cost_usd_total"), plan: sum("lumen_api_equivalent_usd_total") };
  };
  try {
    // Ten calls' worth: the API-key call below reaches no threshold (no desktop notification).
    await stack.daemon.putSettings({ budgets: { daily_usd: price * 10, lap_usd: price * 10 } });

    const plan = await call({ authorization: OAUTH });
    assert.equal(plan.price_source, "subscription");
    assert.equal(plan.cost_usd, price, "the event keeps its API-equivalent price");
    let stats = await stack.daemon.api("/api/stats");
    for (const totals of [stats.total, stats.today, stats.lap, stats.by_provider.anthropic]) {
      assert.equal(totals.requests, 1);
      assert.equal(totals.cost_usd, 0, "a plan call is not billed spend");
      assert.equal(totals.api_equivalent_usd, price);
    }
    // Budgets count billed spend: the plan call moves none.
    assert.deepEqual(
      stats.budgets.map((b: { period: string; spent_usd: number; crossed: number[] }) => [
        b.period,
        b.spent_usd,
        b.crossed,
      ]),
      [["daily", 0, []], ["lap", 0, []]],
    );
    let history = await stack.daemon.api("/api/history?group=day");
    assert.deepEqual([history.total.cost_usd, history.total.api_equivalent_usd], [0, price]);
    assert.deepEqual(await metrics(), { billed: 0, plan: price });

    const billed = await call({ "x-api-key": "sk-ant-api03-test" });
    assert.equal(billed.price_source, "bundled");
    assert.equal(billed.cost_usd, price);
    stats = await stack.daemon.api("/api/stats");
    assert.equal(stats.total.requests, 2);
    assert.equal(stats.total.cost_usd, price);
    assert.equal(stats.total.api_equivalent_usd, price);
    assert.deepEqual(
      stats.budgets.map((b: { period: string; spent_usd: number }) => [b.period, b.spent_usd]),
      [["daily", price], ["lap", price]],
    );
    history = await stack.daemon.api("/api/history?group=model");
    assert.deepEqual(
      history.rows.map((r: { key: string; cost_usd: number; api_equivalent_usd: number }) => [
        r.key,
        r.cost_usd,
        r.api_equivalent_usd,
      ]),
      [[meta.usage.model, price, price]],
    );
    assert.deepEqual(await metrics(), { billed: price, plan: price });
  } finally {
    await stack.close();
  }
});

Deno.test("openLedger() upgrades a V3 lumen.db to V4: old totals kept, new plan calls apart", async () => {
  const home = await Deno.makeTempDir({ prefix: "lumen-subscription-" });
  try {
    const now = new Date(2026, 10, 27, 12).getTime();
    const lap = uuidv7(now - 7_200_000);
    const closedLap = uuidv7(now - 9_000_000);
    // A database as Lumen wrote it before V4: subscription costs summed into cost_nanos.
    const v3 = new Database(`${home}/${DB_FILE}`);
    for (const migration of MIGRATIONS.slice(0, 3)) v3.exec(migration);
    v3.exec("PRAGMA user_version = 3");
    v3.run(
      `INSERT INTO daily_totals VALUES (?, ?, 'anthropic', 'claude-sonnet-4-5', 'claude-code', '',
       2, 10, 5, 0, 0, 0, ?, 0, 0)`,
      localDay(now - 3_600_000),
      lap,
      3_000_000,
    );
    v3.run(
      `INSERT INTO laps (id, name, started_at, ended_at, requests, input_tokens, output_tokens,
         cache_read_tokens, cache_write_tokens, reasoning_tokens, cost_nanos, estimated_requests,
         unpriced_requests)
       VALUES (?, 'Lap 1', ?, ?, 1, 1, 1, 0, 0, 0, 500000000, 0, 0)`,
      closedLap,
      now - 9_000_000,
      now - 7_200_000,
    );
    v3.run("INSERT INTO laps (id, name, started_at) VALUES (?, 'Lap 2', ?)", lap, now - 7_200_000);
    v3.close();

    const ledger = await openLedger(home, { now: () => now, log() {}, retentionDays: () => null });
    try {
      let stats = ledger.aggregator.stats();
      assert.equal(stats.total.requests, 2);
      assert.equal(stats.total.cost_usd, 0.003, "rows from before V4 keep their totals");
      assert.equal(stats.total.api_equivalent_usd, 0);
      const [, closed] = ledger.aggregator.laps();
      assert.deepEqual([closed.id, closed.cost_usd, closed.api_equivalent_usd], [
        closedLap,
        0.5,
        0,
      ]);
      ledger.record(usageEvent({
        id: uuidv7(now),
        ts: now,
        lap_id: lap,
        provider: "anthropic",
        model: "claude-sonnet-4-5",
        client: "claude-code",
        cost_usd: 0.02,
        price_source: "subscription",
      }));
      assert.ok(ledger.flush());
      stats = ledger.aggregator.stats();
      assert.deepEqual([stats.total.cost_usd, stats.total.api_equivalent_usd], [0.003, 0.02]);
      assert.deepEqual([stats.lap.cost_usd, stats.lap.api_equivalent_usd], [0.003, 0.02]);
      const day = ledger.history({ group: "day" }).total;
      assert.deepEqual([day.requests, day.cost_usd, day.api_equivalent_usd], [3, 0.003, 0.02]);
      const row = ledger.db.get(
        "SELECT requests, cost_nanos, api_equivalent_nanos FROM daily_totals WHERE lap_id = ?",
        lap,
      );
      assert.deepEqual({ ...row }, {
        requests: 3,
        cost_nanos: 3_000_000,
        api_equivalent_nanos: 20_000_000,
      });
    } finally {
      ledger.close();
    }
    const reader = new Database(`${home}/${DB_FILE}`, { readOnly: true });
    assert.equal(schemaVersion(reader), SCHEMA_VERSION);
    assert.equal(SCHEMA_VERSION, 4);
    reader.close();
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});
