import assert from "node:assert/strict";
import type { UsageEvent } from "../types.ts";
import { Aggregator } from "./aggregator.ts";
import { usageEvent } from "./_event_fixture.ts";

function event(ts: number, cost: number | null = 0.1): UsageEvent {
  return usageEvent({
    id: `id-${ts}`,
    ts,
    input_tokens: 100,
    output_tokens: 20,
    cost_usd: cost,
    price_source: cost === null ? null : "bundled",
    priced_model: cost === null ? null : "gpt-5-mini",
  });
}

Deno.test("Aggregator.stats() rates tokens over the last 60 s only", () => {
  let now = new Date(2026, 10, 27, 12, 0, 0).getTime();
  const agg = new Aggregator({ now: () => now });
  agg.record(event(now));
  now += 30_000;
  agg.record(event(now));
  assert.equal(agg.stats().token_rate.tokens_per_s, 4); // 240 tokens / 60 s
  now += 31_000;
  assert.equal(agg.stats().token_rate.tokens_per_s, 2);
  now += 30_000;
  assert.equal(agg.stats().token_rate.tokens_per_s, 0);
});

Deno.test("Aggregator.stats() starts today afresh at local midnight and keeps the total", () => {
  let now = new Date(2026, 10, 27, 23, 59, 0).getTime();
  const agg = new Aggregator({ now: () => now });
  agg.record(event(now));
  now = new Date(2026, 10, 28, 0, 1, 0).getTime();
  const stats = agg.stats();
  assert.equal(stats.today.requests, 0);
  assert.equal(stats.total.requests, 1);
});

Deno.test("Aggregator.record() sums cost without float drift and counts unpriced apart", () => {
  const agg = new Aggregator({ now: () => 0 });
  for (let i = 0; i < 10; i++) agg.record(event(i, 0.1));
  agg.record(event(11, null));
  const { total } = agg.stats();
  assert.equal(total.cost_usd, 1);
  assert.equal(total.unpriced_requests, 1);
  assert.equal(total.requests, 11);
});

Deno.test("Aggregator.record() sums subscription traffic as API-equivalent, never as billed", () => {
  const now = new Date(2026, 10, 27, 12, 0, 0).getTime();
  const agg = new Aggregator({ now: () => now });
  const plan = (id: string, cost: number | null) =>
    usageEvent({
      id,
      ts: now,
      provider: "claude_ai",
      model: "claude-sonnet-4-5",
      client: "browser",
      cost_usd: cost,
      price_source: cost === null ? null : "subscription",
      estimated: true,
    });
  agg.record(event(now, 0.1));
  for (let i = 0; i < 10; i++) agg.record(plan(`plan-${i}`, 0.1));
  agg.record(plan("plan-unpriced", null));
  const stats = agg.stats();
  for (const totals of [stats.total, stats.today, stats.lap]) {
    assert.equal(totals.requests, 12);
    assert.equal(totals.cost_usd, 0.1);
    assert.equal(totals.api_equivalent_usd, 1); // exact: summed in nano-dollars
    assert.equal(totals.unpriced_requests, 1);
    assert.equal(totals.estimated_requests, 11);
  }
  assert.deepEqual(
    [stats.by_provider.claude_ai.cost_usd, stats.by_provider.claude_ai.api_equivalent_usd],
    [0, 1],
  );
  assert.deepEqual(
    [stats.by_provider.openai.cost_usd, stats.by_provider.openai.api_equivalent_usd],
    [0.1, 0],
  );
  assert.equal(stats.by_model["claude-sonnet-4-5"].api_equivalent_usd, 1);
  assert.equal(stats.by_client.browser.api_equivalent_usd, 1);
  assert.equal(stats.by_client.browser.cost_usd, 0);
});

Deno.test("Aggregator.closeLap() closes the lap with its totals and tells subscribers", () => {
  const agg = new Aggregator({ now: () => 5 });
  const seen: string[] = [];
  agg.subscribe((m) => seen.push(m.type));
  agg.record(event(1));
  const { closed, opened } = agg.closeLap();
  assert.equal(closed.requests, 1);
  assert.equal(closed.ended_at, 5);
  assert.equal(opened.name, "Lap 2");
  assert.equal(agg.currentLapId, opened.id);
  assert.deepEqual(seen, ["usage", "stats", "lap", "stats"]);
});

Deno.test("Aggregator keeps the latest plan windows per provider, merged by window name", () => {
  let now = 1_000;
  const agg = new Aggregator({ now: () => now });
  assert.deepEqual(agg.stats().plan_windows, {});
  agg.recordPlanWindows("claude_ai", {
    "5h": { utilization: 0.2, resets_at: 5_000, status: "within_limit" },
    "7d": { utilization: 0.1, resets_at: 9_000, status: "within_limit" },
  });
  now = 2_000;
  agg.recordPlanWindows("claude_ai", {
    "5h": { utilization: 0.3, resets_at: 5_000, status: "within_limit" },
  });
  assert.deepEqual(agg.stats().plan_windows, {
    claude_ai: {
      observed_at: 2_000,
      windows: {
        "5h": { utilization: 0.3, resets_at: 5_000, status: "within_limit" },
        "7d": { utilization: 0.1, resets_at: 9_000, status: "within_limit" },
      },
    },
  });
});

Deno.test("Aggregator.recordAll() tells each event, then the stats once", () => {
  const agg = new Aggregator({ now: () => 0 });
  const seen: string[] = [];
  agg.subscribe((m) => seen.push(m.type));
  agg.recordAll([event(1), event(2), event(3)]);
  agg.recordAll([]);
  assert.deepEqual(seen, ["usage", "usage", "usage", "stats"]);
  assert.equal(agg.stats().total.requests, 3);
});

Deno.test("Aggregator.record() counts an event in today by its own time", () => {
  const now = new Date(2026, 10, 28, 0, 0, 1).getTime();
  const agg = new Aggregator({ now: () => now });
  agg.record(event(now - 2_000)); // stamped before midnight, recorded after
  agg.record(event(now));
  assert.equal(agg.stats().today.requests, 1);
  assert.equal(agg.stats().total.requests, 2);
});

Deno.test("Aggregator.closeLap() changes nothing when persisting the laps throws", () => {
  const agg = new Aggregator({ now: () => 5 });
  const before = agg.laps();
  assert.throws(() =>
    agg.closeLap("x", (closed, opened) => {
      assert.equal(closed.ended_at, 5);
      assert.equal(opened.name, "x");
      throw new Error("disk full");
    }), /disk full/);
  assert.deepEqual(agg.laps(), before);
});

Deno.test("Aggregator.load() replaces every figure with a snapshot", () => {
  const agg = new Aggregator({ now: () => 10_000 });
  agg.record(event(1));
  const source = new Aggregator({ now: () => 10_000 });
  source.record(event(9_000));
  source.closeLap("second");
  source.record(event(9_500, null));
  const stats = source.stats();
  agg.load({
    total: stats.total,
    today: stats.today,
    by_provider: stats.by_provider,
    by_model: stats.by_model,
    by_client: stats.by_client,
    laps: source.laps().reverse(),
    recent: source.events({ limit: 10 }).reverse(),
    rate: [{ ts: 9_000, tokens: 120 }, { ts: 9_500, tokens: 120 }],
    plan_windows: {},
  });
  assert.deepEqual(agg.stats(), stats);
  assert.deepEqual(agg.laps(), source.laps());
  assert.equal(agg.currentLapId, source.currentLapId);
  assert.throws(() => agg.load({ ...agg.stats(), laps: [], recent: [], rate: [] }), TypeError);
});
