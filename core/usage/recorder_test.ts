import assert from "node:assert/strict";
import type { UsageEvent } from "../types.ts";
import { Aggregator } from "./aggregator.ts";
import { eventAt, ledgerFixture } from "./_store_fixture.ts";
import { Recorder } from "./recorder.ts";
import { loadSnapshot } from "./snapshot.ts";
import { openStore } from "./store.ts";

const T = new Date(2026, 10, 27, 12, 0, 0).getTime();

/** A store, an aggregator that lists the events it was handed, and a recorder between them. */
async function setup(options: { maxPending?: number; minCommitGapMs?: number } = {}) {
  const home = await Deno.makeTempDir({ prefix: "lumen-recorder-test-" });
  const store = openStore(home);
  const aggregator = new Aggregator({ now: () => T });
  const shown: string[] = [];
  aggregator.subscribe((message) => {
    if (message.type === "usage") shown.push(message.data.id);
  });
  let transactions = 0;
  const transaction = store.db.transaction.bind(store.db);
  store.db.transaction = (fn) => {
    transactions++;
    return transaction(fn);
  };
  const logs: string[] = [];
  const recorder = new Recorder(store.db, aggregator, {
    now: () => T,
    log: (line) => logs.push(line),
    retryMinMs: 10,
    retryMaxMs: 20,
    ...options,
  });
  return {
    db: store.db,
    aggregator,
    recorder,
    shown,
    logs,
    transactions: () => transactions,
    storedIds: () => store.db.all("SELECT id FROM events ORDER BY id").map((row) => row.id),
    async [Symbol.asyncDispose]() {
      recorder.close();
      store.close();
      await Deno.remove(home, { recursive: true });
    },
  };
}

function events(count: number, from = T): UsageEvent[] {
  return Array.from({ length: count }, (_, i) => eventAt(from + i));
}

const tick = (ms = 0) => new Promise((resolve) => setTimeout(resolve, ms));

Deno.test("Recorder writes events recorded in one tick in one transaction, then shows them", async () => {
  await using t = await setup();
  const batch = events(50);
  for (const event of batch) t.recorder.record(event);
  assert.equal(t.aggregator.stats().total.requests, 0, "not shown before it is on disk");
  assert.equal(t.storedIds().length, 0);
  assert.equal(t.recorder.health().pending, 50);
  await tick();
  assert.equal(t.transactions(), 1);
  assert.deepEqual(t.storedIds(), batch.map((event) => event.id));
  for (let i = 0; i < 100 && t.shown.length < 50; i++) await tick(5); // the fsync, off the loop
  assert.deepEqual(t.shown, batch.map((event) => event.id), "shown in recorded order");
  assert.equal(t.aggregator.stats().total.requests, 50);
  assert.deepEqual(t.recorder.health(), { ok: true, error: null, pending: 0, dropped: 0 });
  const next = events(3, T + 100);
  for (const event of next) t.recorder.record(event);
  await tick(40); // past the least gap between commits (20 ms)
  assert.equal(t.transactions(), 2, "a later tick is a later transaction");
  assert.equal(t.storedIds().length, 53);
});

Deno.test("Recorder shows a batch only once its fsync is done, batches in commit order", async () => {
  await using t = await setup({ minCommitGapMs: 0 });
  const syncs: (() => void)[] = [];
  t.db.syncToDisk = () => new Promise<void>((resolve) => syncs.push(resolve));
  const [first, second, third] = events(3);
  t.recorder.record(first);
  await tick();
  assert.equal(t.storedIds().length, 1, "committed");
  assert.deepEqual(t.shown, [], "not shown while its fsync runs");
  t.recorder.record(second);
  await tick();
  t.recorder.record(third);
  await tick();
  assert.equal(t.storedIds().length, 3);
  assert.equal(syncs.length, 1, "one fsync at a time: the next waits for it");
  syncs[0]();
  await tick();
  assert.deepEqual(t.shown, [first.id]);
  assert.equal(syncs.length, 2, "the next fsync covers both later commits");
  syncs[1]();
  await tick();
  assert.deepEqual(t.shown, [first.id, second.id, third.id]);
});

Deno.test("Recorder.flush() waits for the disk and shows batches whose fsync still runs", async () => {
  await using t = await setup({ minCommitGapMs: 0 });
  let now = 0;
  t.db.syncToDisk = () => new Promise<void>(() => {}); // never ends
  const syncToDiskNow = t.db.syncToDiskNow.bind(t.db);
  t.db.syncToDiskNow = () => {
    now++;
    syncToDiskNow();
  };
  const [first, second] = events(2);
  t.recorder.record(first);
  await tick();
  t.recorder.record(second);
  assert.equal(t.recorder.flush(), true);
  assert.equal(now, 1);
  assert.deepEqual(t.shown, [first.id, second.id]);
});

Deno.test("Recorder shows a committed batch when its fsync fails, and says so once", async () => {
  await using t = await setup({ minCommitGapMs: 0 });
  t.db.syncToDisk = () => Promise.reject(new Error("EIO"));
  for (const event of events(2)) {
    t.recorder.record(event);
    for (let i = 0; i < 100 && t.shown.length === 0; i++) await tick(5);
  }
  for (let i = 0; i < 100 && t.shown.length < 2; i++) await tick(5);
  assert.equal(t.shown.length, 2);
  assert.deepEqual(t.logs.filter((line) => line.includes("EIO")).length, 1);
});

Deno.test("Recorder keeps commits minCommitGapMs apart, batching what arrives meanwhile", async () => {
  await using t = await setup({ minCommitGapMs: 300 });
  t.recorder.record(events(1)[0]);
  await tick();
  assert.equal(t.transactions(), 1, "the first commit is in the next tick");
  for (const event of events(3, T + 100)) t.recorder.record(event);
  await tick(50);
  for (const event of events(2, T + 200)) t.recorder.record(event);
  assert.equal(t.transactions(), 1, "within the gap nothing is committed");
  assert.equal(t.recorder.health().pending, 5);
  for (let i = 0; i < 100 && t.recorder.health().pending > 0; i++) await tick(10);
  assert.equal(t.transactions(), 2, "one transaction for both");
  assert.equal(t.storedIds().length, 6);
});

Deno.test("Recorder sums each batch into daily_totals and never stores an id twice", async () => {
  await using t = await setup();
  const [a, b] = events(2);
  t.recorder.record(a);
  t.recorder.record(b);
  t.recorder.record(a);
  assert.equal(t.recorder.flush(), true);
  const row = t.db.get("SELECT SUM(requests) AS n, SUM(input_tokens) AS input FROM daily_totals");
  assert.deepEqual({ ...row }, { n: 2, input: 20 });
});

Deno.test("Recorder sums subscription costs into api_equivalent_nanos, the rest into cost_nanos", async () => {
  await using t = await setup();
  const plan = { provider: "anthropic", model: "claude-sonnet-4-5", price_source: "subscription" };
  t.recorder.record(eventAt(T, { cost_usd: 0.1 }));
  t.recorder.record(eventAt(T + 1, { ...plan, cost_usd: 0.2 } as Partial<UsageEvent>));
  t.recorder.record(eventAt(T + 2, { ...plan, cost_usd: 0.1 } as Partial<UsageEvent>));
  assert.equal(t.recorder.flush(), true);
  t.recorder.record(eventAt(T + 3, { ...plan, cost_usd: 0.3 } as Partial<UsageEvent>));
  assert.equal(t.recorder.flush(), true); // a second batch adds onto the same rows
  const rows = t.db.all(
    `SELECT provider, requests, cost_nanos, api_equivalent_nanos FROM daily_totals
     ORDER BY provider`,
  );
  assert.deepEqual(rows.map((row) => ({ ...row })), [
    { provider: "anthropic", requests: 3, cost_nanos: 0, api_equivalent_nanos: 600_000_000 },
    { provider: "openai", requests: 1, cost_nanos: 100_000_000, api_equivalent_nanos: 0 },
  ]);
  const snapshot = loadSnapshot(t.db, T);
  assert.equal(snapshot.total.cost_usd, 0.1);
  assert.equal(snapshot.total.api_equivalent_usd, 0.6);
  assert.deepEqual(snapshot.total, t.aggregator.stats().total, "the rebuild equals the live sums");
  assert.deepEqual(snapshot.today, t.aggregator.stats().today);
  assert.equal(snapshot.by_provider.anthropic.api_equivalent_usd, 0.6);
});

for (
  const [problem, breakIt, fixIt] of [
    ["a full disk", "PRAGMA max_page_count = 1", "PRAGMA max_page_count = 1073741823"],
    ["a read-only database", "PRAGMA query_only = 1", "PRAGMA query_only = 0"],
  ] as const
) {
  Deno.test(`Recorder survives ${problem}: shows events, reports it, and saves them later`, async () => {
    await using t = await setup();
    t.recorder.record(eventAt(T - 1)); // the database's first pages exist before it "fills up"
    await tick();
    t.db.exec(breakIt); // max_page_count below the size clamps it to the current size
    // Long paths, so that they need new pages: a full disk has none.
    const batch = events(5, T + 1).map((event) => ({ ...event, path: "/v1/".padEnd(3_000, "x") }));
    for (const event of batch) t.recorder.record(event);
    await tick(40); // past the least gap between commits (20 ms)
    const failing = t.recorder.health();
    assert.equal(failing.ok, false);
    assert.equal(failing.pending, 5);
    assert.equal(failing.error?.at, T);
    assert.match(failing.error!.message, /full|readonly/);
    assert.equal(t.aggregator.stats().total.requests, 6, "still counted, from memory");
    assert.deepEqual(t.recorder.unsaved().map((e) => e.id), batch.map((e) => e.id));
    assert.equal(t.logs.length, 1);
    assert.match(t.logs[0], /^Cannot save usage to .*lumen\.db \(.*\); keeping it in memory/);
    t.recorder.record(eventAt(T + 10)); // shown at once while failing
    assert.equal(t.aggregator.stats().total.requests, 7);
    await tick(50); // a retry or two, still failing
    assert.equal(t.recorder.health().ok, false);
    t.db.exec(fixIt);
    for (let i = 0; i < 100 && !t.recorder.health().ok; i++) await tick(10);
    assert.deepEqual(t.recorder.health(), { ok: true, error: null, pending: 0, dropped: 0 });
    assert.equal(t.storedIds().length, 7, "every event saved");
    assert.equal(t.aggregator.stats().total.requests, 7, "none counted twice");
    assert.equal(t.shown.length, 7);
    assert.match(t.logs.at(-1)!, /^Usage is being saved to .*lumen\.db again$/);
  });
}

Deno.test("Recorder keeps at most maxPending items while writes fail, counting the rest", async () => {
  await using t = await setup({ maxPending: 3 });
  t.db.exec("PRAGMA query_only = 1");
  for (const event of events(5)) t.recorder.record(event);
  await tick();
  assert.deepEqual(
    { ...t.recorder.health(), error: null },
    { ok: false, error: null, pending: 3, dropped: 2 },
  );
  assert.equal(t.aggregator.stats().total.requests, 5, "every event was shown");
  t.db.exec("PRAGMA query_only = 0");
  assert.equal(t.recorder.flush(), true);
  assert.equal(t.storedIds().length, 3, "the newest three");
});

Deno.test("Recorder stores plan windows merged by name, as the aggregator shows them", async () => {
  await using fixture = await ledgerFixture();
  const { ledger } = fixture;
  ledger.recordPlanWindows("claude_ai", {
    "5h": { utilization: 0.2, resets_at: 5_000, status: "within_limit" },
    "7d": { utilization: 0.1, resets_at: 9_000, status: "within_limit" },
  });
  fixture.clock.now += 1_000;
  ledger.recordPlanWindows("claude_ai", {
    "5h": { utilization: 0.3, resets_at: 5_000, status: "within_limit" },
  });
  assert.deepEqual(ledger.aggregator.stats().plan_windows, {}, "not shown before it is saved");
  assert.equal(ledger.flush(), true);
  const shown = ledger.aggregator.stats().plan_windows;
  assert.equal(shown.claude_ai.windows["5h"].utilization, 0.3);
  assert.equal(shown.claude_ai.windows["7d"].utilization, 0.1);
  const reopened = await fixture.reopen();
  assert.deepEqual(reopened.aggregator.stats().plan_windows, shown);
});
