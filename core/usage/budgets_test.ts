import assert from "node:assert/strict";
import type { BudgetLimits } from "../types.ts";
import { type BudgetMemory, Budgets, type BudgetSettings, periodOf } from "./budgets.ts";
import { storedSpend } from "./budgets_store.ts";
import { fileBudgetMemory } from "./budgets_memory.ts";
import { emptyTotals, type Totals } from "./totals.ts";
import { openLedger } from "./ledger.ts";
import { usageEvent } from "./_event_fixture.ts";
import { uuidv7 } from "../uuid.ts";

const local = (y: number, m: number, d: number, h = 0, mi = 0) =>
  new Date(y, m - 1, d, h, mi).getTime();

function memory(keys: string[] = []): BudgetMemory & { keys: string[]; saves: number } {
  const m = {
    keys,
    saves: 0,
    load: () => [...m.keys],
    save(next: string[]) {
      m.keys = [...next];
      m.saves++;
    },
  };
  return m;
}

function spent(cost: number): Totals {
  return { ...emptyTotals(), cost_usd: cost };
}

function budgetsAt(
  clock: { now: number },
  limits: BudgetLimits,
  options: { past?: number; mem?: BudgetMemory; thresholds?: number[]; block?: boolean } = {},
) {
  const settings: BudgetSettings = {
    budgets: limits,
    budget_thresholds: options.thresholds ?? [50, 80, 100],
    block_at_limit: options.block ?? false,
  };
  const calls: [string, string][] = [];
  const budgets = new Budgets({
    now: () => clock.now,
    settings: () => settings,
    pastSpend: (from, to) => {
      calls.push([from, to]);
      return options.past ?? 0;
    },
    memory: options.mem ?? memory(),
  });
  return { budgets, calls, settings };
}

const LAP = { id: "lap-1", started_at: 0, cost_usd: 0 };

Deno.test("periodOf() starts the week on Monday's local midnight, across a year's end", () => {
  // 2026-01-01 is a Thursday: its ISO week began on Monday 2025-12-29.
  const week = periodOf("weekly", local(2026, 1, 1, 15));
  assert.equal(week.start, local(2025, 12, 29));
  assert.equal(week.end, local(2026, 1, 5));
  assert.equal(week.key, "week of 2025-12-29");
  // Sunday 23:59 is still the old week; Monday 00:00 starts the next one.
  assert.equal(periodOf("weekly", local(2026, 1, 4, 23, 59)).start, local(2025, 12, 29));
  assert.equal(periodOf("weekly", local(2026, 1, 5, 0, 0)).start, local(2026, 1, 5));
});

Deno.test("periodOf() cuts months and days at local midnight", () => {
  const jan = periodOf("monthly", local(2026, 1, 31, 23, 59));
  assert.deepEqual([jan.key, jan.start, jan.end], [
    "2026-01",
    local(2026, 1, 1),
    local(2026, 2, 1),
  ]);
  assert.equal(periodOf("monthly", local(2026, 2, 1)).key, "2026-02");
  const leap = periodOf("monthly", local(2028, 2, 29, 12));
  assert.equal(leap.end, local(2028, 3, 1));
  const day = periodOf("daily", local(2026, 3, 9, 18));
  assert.deepEqual([day.key, day.start, day.end], [
    "2026-03-09",
    local(2026, 3, 9),
    local(2026, 3, 10),
  ]);
});

Deno.test("Budgets.status() adds stored past days to today for week and month only", () => {
  const clock = { now: local(2026, 3, 11, 10) }; // a Wednesday
  const { budgets, calls } = budgetsAt(clock, {
    daily_usd: 1,
    weekly_usd: 10,
    monthly_usd: 100,
    lap_usd: null,
  }, { past: 4 });
  const status = budgets.status(spent(0.5), LAP);
  assert.deepEqual(status.map((s) => [s.period, s.spent_usd, s.ratio, s.crossed]), [
    ["daily", 0.5, 0.5, [50]],
    ["weekly", 4.5, 0.45, []],
    ["monthly", 4.5, 0.045, []],
  ]);
  assert.deepEqual(calls, [["2026-03-09", "2026-03-11"], ["2026-03-01", "2026-03-11"]]);
  // Cached for the day: the store is asked again only after midnight.
  budgets.status(spent(0.6), LAP);
  assert.equal(calls.length, 2);
  clock.now = local(2026, 3, 12, 0, 1);
  budgets.status(spent(0), LAP);
  assert.equal(calls.length, 4);
});

Deno.test("Budgets.status() does not ask the store on the first day of a week or month", () => {
  const clock = { now: local(2026, 6, 1, 9) }; // Monday, June 1st
  const { budgets, calls } = budgetsAt(clock, { weekly_usd: 5, monthly_usd: 5 }, { past: 99 });
  assert.deepEqual(budgets.status(spent(1), LAP).map((s) => s.spent_usd), [1, 1]);
  assert.deepEqual(calls, []);
});

Deno.test("Budgets.status() lists only set budgets and reads the lap's own spend", () => {
  const clock = { now: local(2026, 3, 11, 10) };
  const { budgets } = budgetsAt(clock, { lap_usd: 2, daily_usd: null });
  const [lap] = budgets.status(spent(9), { id: "l", started_at: 123, cost_usd: 2.5 });
  assert.deepEqual(lap, {
    period: "lap",
    limit_usd: 2,
    spent_usd: 2.5,
    ratio: 1.25,
    crossed: [50, 80, 100],
    thresholds: [50, 80, 100],
    starts_at: 123,
    resets_at: null,
  });
  assert.deepEqual(budgetsAt(clock, {}).budgets.status(spent(9), LAP), []);
});

Deno.test("Budgets.check() raises each threshold once per period instance", () => {
  const clock = { now: local(2026, 3, 11, 10) };
  const mem = memory();
  const { budgets } = budgetsAt(clock, { daily_usd: 1 }, { mem });
  assert.deepEqual(budgets.check(budgets.status(spent(0.1), LAP), "lap-1"), []);
  const first = budgets.check(budgets.status(spent(0.55), LAP), "lap-1");
  assert.deepEqual(first.map((a) => [a.period, a.threshold, a.instance]), [
    ["daily", 50, "2026-03-11"],
  ]);
  assert.equal(first[0].message, "Daily budget: 50% reached ($0.55 of $1.00)");
  assert.deepEqual(budgets.check(budgets.status(spent(0.6), LAP), "lap-1"), []);
  // Jumping past two thresholds at once: one alert, for the highest.
  const jump = budgets.check(budgets.status(spent(1.2), LAP), "lap-1");
  assert.deepEqual(jump.map((a) => a.threshold), [100]);
  assert.deepEqual(mem.keys.sort(), [
    "daily:2026-03-11:100",
    "daily:2026-03-11:50",
    "daily:2026-03-11:80",
  ]);
  // The next day is a new instance: alerts again, and yesterday's keys are forgotten.
  clock.now = local(2026, 3, 12, 8);
  assert.deepEqual(budgets.check(budgets.status(spent(0.5), LAP), "lap-1").map((a) => a.instance), [
    "2026-03-12",
  ]);
  assert.deepEqual(mem.keys, ["daily:2026-03-12:50"]);
});

Deno.test("Budgets.check() stays quiet after a restart that remembers the alerts", async () => {
  const home = await Deno.makeTempDir();
  try {
    const clock = { now: local(2026, 3, 11, 10) };
    const log: string[] = [];
    const first = budgetsAt(clock, { lap_usd: 1 }, {
      mem: fileBudgetMemory(home, (l) => log.push(l)),
    });
    const lap = { id: "lap-9", started_at: 0, cost_usd: 0.9 };
    assert.deepEqual(first.budgets.check(first.budgets.status(spent(0), lap), "lap-9").length, 1);
    const again = budgetsAt(clock, { lap_usd: 1 }, {
      mem: fileBudgetMemory(home, (l) => log.push(l)),
    });
    assert.deepEqual(again.budgets.check(again.budgets.status(spent(0), lap), "lap-9"), []);
    // A new lap is a new instance.
    const next = { id: "lap-10", started_at: 1, cost_usd: 0.9 };
    assert.equal(again.budgets.check(again.budgets.status(spent(0), next), "lap-10").length, 1);
    assert.deepEqual(log, []);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("Budgets.blocking() names a budget at its limit only when blocking is on", () => {
  const clock = { now: local(2026, 3, 11, 10) };
  const off = budgetsAt(clock, { daily_usd: 1 });
  assert.equal(off.budgets.blocking(off.budgets.status(spent(5), LAP)), null);
  const on = budgetsAt(clock, { daily_usd: 1, monthly_usd: 50 }, { block: true });
  assert.equal(on.budgets.blocking(on.budgets.status(spent(0.99), LAP)), null);
  assert.equal(on.budgets.blocking(on.budgets.status(spent(1), LAP))?.period, "daily");
});

Deno.test("storedSpend() sums billed daily_totals over the day range, not subscription", async () => {
  const home = await Deno.makeTempDir();
  const ledger = await openLedger(home, {
    now: () => local(2026, 3, 11, 12),
    log() {},
    retentionDays: () => null,
  });
  try {
    const at = (d: number, h: number, cost: number, subscription = false) =>
      ledger.record(
        usageEvent({
          id: uuidv7(local(2026, 3, d, h)),
          ts: local(2026, 3, d, h),
          cost_usd: cost,
          ...(subscription ? { provider: "anthropic", price_source: "subscription" } : {}),
        }),
      );
    at(8, 12, 7);
    at(9, 0, 1.5);
    at(9, 5, 40, true); // plan traffic: API-equivalent, never spend
    at(10, 23, 0.25);
    at(11, 1, 100);
    assert.ok(ledger.flush());
    assert.equal(storedSpend(ledger.db, "2026-03-09", "2026-03-11"), 1.75);
    assert.equal(storedSpend(ledger.db, "2026-04-01", "2026-04-02"), 0);
  } finally {
    ledger.close();
    await Deno.remove(home, { recursive: true });
  }
});
