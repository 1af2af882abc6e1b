import assert from "node:assert/strict";
import { ConfigError } from "../config.ts";
import type { Provider, UsageEvent } from "../types.ts";
import { eventAt, ledgerFixture } from "./_store_fixture.ts";
import type { Ledger } from "./ledger.ts";
import { reportLaps } from "./lap_report.ts";
import { openLedger } from "./ledger.ts";
import { createRandom } from "../parse/_contract.ts";

/**
 * Varied events: providers, models (one unknown), clients, awkward and missing prices; the 1/3
 * costs are subscription traffic (API-equivalent, not billed).
 */
function variedEvent(ledger: Ledger, ts: number, next: () => number): UsageEvent {
  const pick = <T>(items: T[]) => items[Math.floor(next() * items.length)];
  const cost = pick([0.1, 0.2, 3.75e-8, 1 / 3, 0.000123456789, null]);
  return eventAt(ts, {
    lap_id: ledger.aggregator.currentLapId,
    provider: pick<Provider>(["openai", "anthropic", "google"]),
    model: pick(["gpt-5-mini", "claude-sonnet-4-5", "gemini-2.5-pro", null]),
    client: pick(["sdk", "curl", "claude-code"]),
    input_tokens: Math.floor(next() * 5_000),
    output_tokens: Math.floor(next() * 2_000),
    cache_read_tokens: Math.floor(next() * 1_000),
    cache_write_tokens: Math.floor(next() * 100),
    reasoning_tokens: Math.floor(next() * 50),
    cost_usd: cost,
    price_source: cost === null ? null : cost === 1 / 3 ? "subscription" : "bundled",
    priced_model: cost === null ? null : "gpt-5-mini",
    estimated: next() < 0.2,
  });
}

/** Everything a restart must not change. */
function figures(ledger: Ledger, now: number) {
  return {
    stats: ledger.aggregator.stats(),
    laps: reportLaps(ledger.aggregator.laps(), now),
    recent: ledger.aggregator.events({ limit: 1000 }),
    page: ledger.events({ limit: 1000 }),
  };
}

Deno.test("openLedger() rebuilds every figure exactly after a restart", async () => {
  await using f = await ledgerFixture();
  const next = createRandom(7);
  const day = 24 * 60 * 60 * 1000;
  // Three days, two lap changes, one event a millisecond before midnight, plan windows.
  let ts = f.clock.now - 2 * day;
  for (let i = 0; i < 300; i++) {
    ts += Math.floor(next() * 1_000_000);
    if (ts > f.clock.now) break;
    if (i === 100 || i === 200) f.ledger.closeLap(i === 100 ? "second" : undefined);
    f.ledger.record(variedEvent(f.ledger, Math.min(ts, f.clock.now), next));
  }
  const lastMidnight = new Date(2026, 10, 27).getTime();
  f.record(variedEvent(f.ledger, lastMidnight - 1, next), variedEvent(f.ledger, f.clock.now, next));
  for (let i = 0; i < 20; i++) {
    f.ledger.record(variedEvent(f.ledger, f.clock.now - i * 1_000, next));
  }
  f.ledger.recordPlanWindows("claude_ai", {
    "5h": { utilization: 0.25, resets_at: f.clock.now + 1, status: "within_limit" },
  });
  assert.equal(f.ledger.flush(), true);
  f.clock.now += 5_000;
  const before = figures(f.ledger, f.clock.now);
  assert.ok(
    before.stats.today.requests > 0 && before.stats.today.requests < before.stats.total.requests,
  );
  assert.ok(before.stats.token_rate.tokens_per_s > 0);
  assert.equal(before.laps.length, 3);
  assert.ok(before.stats.by_model.unknown.requests > 0);
  assert.ok(before.stats.total.unpriced_requests > 0);
  assert.ok(before.stats.total.api_equivalent_usd > 0 && before.stats.total.cost_usd > 0);

  const after = figures(await f.reopen(), f.clock.now);
  assert.deepEqual(after, before);
  assert.equal(after.stats.lap.ended_at, null, "the current lap stays open across restarts");
});

Deno.test("Ledger.closeLap() saves the closed lap's totals; laps report durations and deltas", async () => {
  await using f = await ledgerFixture();
  const lapOne = f.ledger.aggregator.currentLapId;
  const at = (ms: number, cost: number, patch: Partial<UsageEvent> = {}) =>
    eventAt(f.clock.now + ms, {
      lap_id: f.ledger.aggregator.currentLapId,
      cost_usd: cost,
      ...patch,
    });
  f.record(at(1, 0.1), at(2, 0.2), at(3, 0.25, { price_source: "subscription" }));
  f.clock.now += 60_000;
  f.ledger.record(at(0, 0.05)); // recorded, not yet written: it still belongs to Lap 1
  const { closed, opened } = f.ledger.closeLap("second");
  assert.equal(closed.id, lapOne);
  assert.equal(closed.requests, 4);
  assert.equal(closed.cost_usd, 0.35);
  assert.equal(closed.api_equivalent_usd, 0.25);
  assert.equal(opened.name, "second");
  const row = f.ledger.db.get(
    "SELECT requests, cost_nanos, api_equivalent_nanos, ended_at FROM laps WHERE id = ?",
    lapOne,
  );
  assert.deepEqual({ ...row }, {
    requests: 4,
    cost_nanos: 350_000_000,
    api_equivalent_nanos: 250_000_000,
    ended_at: f.clock.now,
  });
  f.record(at(1, 0.5), at(2, 0.5), at(3, 0.5), at(4, 0.5), at(5, 0.5));
  f.clock.now += 30_000;
  const report = reportLaps(f.ledger.aggregator.laps(), f.clock.now);
  assert.deepEqual(report.map((lap) => [lap.name, lap.duration_ms, lap.requests]), [
    ["second", 30_000, 5],
    ["Lap 1", 60_000, 4],
  ]);
  assert.deepEqual(report[0].delta, {
    cost_usd: 2.15,
    api_equivalent_usd: -0.25,
    requests: 1,
    input_tokens: 10,
    output_tokens: 5,
    cache_read_tokens: 0,
    cache_write_tokens: 0,
    reasoning_tokens: 0,
  });
  assert.equal(report[1].delta, null);
  const reopened = await f.reopen();
  assert.deepEqual(reportLaps(reopened.aggregator.laps(), f.clock.now), report);
});

Deno.test("Ledger.closeLap() changes nothing and throws when the lap cannot be saved", async () => {
  await using f = await ledgerFixture();
  const before = f.ledger.aggregator.laps();
  f.ledger.db.exec("PRAGMA query_only = 1");
  assert.throws(() => f.ledger.closeLap("never"), /readonly/);
  assert.deepEqual(f.ledger.aggregator.laps(), before);
  f.ledger.db.exec("PRAGMA query_only = 0");
  f.ledger.closeLap("now");
  assert.equal(f.ledger.aggregator.laps().length, 2);
});

Deno.test("Ledger.events() pages the database and lists unsaved events while writes fail", async () => {
  await using f = await ledgerFixture();
  const saved = [1, 2, 3].map((i) => eventAt(f.clock.now + i));
  f.record(...saved);
  f.ledger.db.exec("PRAGMA query_only = 1");
  const unsaved = [4, 5].map((i) => eventAt(f.clock.now + i));
  for (const event of unsaved) f.ledger.record(event);
  assert.equal(f.ledger.flush(), false);
  const ids = (page: { limit: number; before?: string }) => f.ledger.events(page).map((e) => e.id);
  assert.deepEqual(ids({ limit: 3 }), [unsaved[1].id, unsaved[0].id, saved[2].id]);
  assert.deepEqual(ids({ limit: 3, before: saved[2].id }), [saved[1].id, saved[0].id]);
  assert.equal(f.ledger.health().ok, false);
  f.ledger.db.exec("PRAGMA query_only = 0");
  assert.equal(f.ledger.flush(), true);
  assert.deepEqual(ids({ limit: 10 }).length, 5);
});

Deno.test("Ledger.applyRetention() deletes only events older than the setting, no total", async () => {
  await using f = await ledgerFixture(); // 2026-11-27 12:00
  const at = (d: number, h: number, m = 0) => eventAt(new Date(2026, 10, d, h, m).getTime());
  const old = [at(20, 10), at(24, 23, 59)];
  const kept = [at(25, 0, 0), at(27, 11)];
  f.record(...old, ...kept);
  const lapsBefore = f.ledger.aggregator.laps();
  const statsBefore = f.ledger.aggregator.stats();
  const historyBefore = f.ledger.history({ group: "day" });
  assert.equal(await f.ledger.applyRetention(), 0, "null keeps everything");
  f.settings.retentionDays = 2; // today and the two days before it
  assert.equal(await f.ledger.applyRetention(), 2);
  assert.deepEqual(
    f.ledger.events({ limit: 10 }).map((e) => e.id),
    kept.map((e) => e.id).reverse(),
  );
  assert.deepEqual(f.ledger.history({ group: "day" }), historyBefore, "daily sums are kept");
  assert.deepEqual(f.ledger.aggregator.stats(), statsBefore);
  const reopened = await f.reopen();
  assert.deepEqual(reopened.aggregator.stats(), statsBefore, "a restart changes no total");
  assert.deepEqual(reopened.aggregator.laps(), lapsBefore);
  f.settings.retentionDays = 1;
  f.clock.now = new Date(2026, 10, 28, 9).getTime();
  const next = await f.reopen(); // applied at start, too
  assert.deepEqual(next.events({ limit: 10 }).map((e) => e.id), [kept[1].id]);
  assert.match(f.logs.at(-1)!, /^Retention: deleted 1 events older than 1 days$/);
});

Deno.test("openLedger() refuses a home another ledger holds", async () => {
  await using f = await ledgerFixture();
  await assert.rejects(
    openLedger(f.home, { now: Date.now, log: () => {}, retentionDays: () => null }),
    new ConfigError(`Another Lumen is already running with LUMEN_HOME=${f.home}`),
  );
});

Deno.test("openLedger() refuses a damaged lumen.db with one clear line, touching nothing", async () => {
  const home = await Deno.makeTempDir({ prefix: "lumen-ledger-test-" });
  try {
    const garbage = new TextEncoder().encode("not a database, but 100 bytes of it ".repeat(3));
    Deno.writeFileSync(`${home}/lumen.db`, garbage);
    await assert.rejects(
      openLedger(home, { now: Date.now, log: () => {}, retentionDays: () => null }),
      (error) => {
        assert.ok(error instanceof ConfigError);
        assert.match(error.message, /^Cannot open .*\/lumen\.db: file is not a database$/);
        return true;
      },
    );
    assert.deepEqual(Deno.readFileSync(`${home}/lumen.db`), garbage);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});
