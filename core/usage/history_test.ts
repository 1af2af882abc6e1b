import assert from "node:assert/strict";
import { ConfigError } from "../config.ts";
import type { Provider, UsageEvent } from "../types.ts";
import { eventAt, ledgerFixture } from "./_store_fixture.ts";
import { localDay } from "./day.ts";
import {
  HISTORY_GROUPS,
  type HistoryGroup,
  type HistoryResult,
  type HistoryRow,
  queryHistory,
  UNTAGGED_PROJECT,
} from "./history.ts";
import { addEvent, emptyTotals } from "./totals.ts";

const at = (d: number, h: number, m = 0) => new Date(2026, 10, d, h, m).getTime();

/** Five events over three days; one exactly at midnight, one unpriced, one without a model. */
function sample(): UsageEvent[] {
  return [
    eventAt(at(25, 9), { cost_usd: 0.1 }),
    eventAt(at(25, 23, 30), {
      provider: "anthropic",
      model: "claude-sonnet-4-5",
      client: "curl",
      cost_usd: 0.2,
    }),
    eventAt(at(26, 0), { provider: "google", model: "gemini-2.5-pro", cost_usd: null }),
    eventAt(at(26, 12), { cost_usd: 0.3, estimated: true }),
    eventAt(at(27, 8), { model: null, client: "claude-code", cost_usd: 0.05 }),
  ];
}

/** The same history summed naively from the events themselves. */
function expected(
  events: UsageEvent[],
  group: HistoryGroup,
  from?: number,
  to?: number,
): HistoryResult {
  const keyOf = {
    day: (e: UsageEvent) => localDay(e.ts),
    model: (e: UsageEvent) => e.model ?? "unknown",
    provider: (e: UsageEvent) => e.provider,
    client: (e: UsageEvent) => e.client,
    project: (e: UsageEvent) => e.project ?? UNTAGGED_PROJECT,
  }[group];
  const rows = new Map<string, HistoryRow>();
  const total: HistoryRow = { key: "total", ...emptyTotals() };
  for (const e of events) {
    if ((from !== undefined && e.ts < from) || (to !== undefined && e.ts >= to)) continue;
    const key = keyOf(e);
    if (!rows.has(key)) rows.set(key, { key, ...emptyTotals() });
    addEvent(rows.get(key)!, e);
    addEvent(total, e);
  }
  const list = [...rows.values()].sort((a, b) =>
    group === "day"
      ? (a.key < b.key ? -1 : 1)
      : b.cost_usd - a.cost_usd || b.api_equivalent_usd - a.api_equivalent_usd ||
        b.requests - a.requests || (a.key < b.key ? -1 : 1)
  );
  return { rows: list, total };
}

Deno.test("Ledger.history() groups by day, model, provider and client", async () => {
  await using f = await ledgerFixture();
  f.record(...sample());
  const days = f.ledger.history({ group: "day" });
  assert.deepEqual(days.rows.map((r) => [r.key, r.requests, r.cost_usd]), [
    ["2026-11-25", 2, 0.3],
    ["2026-11-26", 2, 0.3],
    ["2026-11-27", 1, 0.05],
  ]);
  assert.deepEqual(
    { ...days.total },
    {
      key: "total",
      requests: 5,
      input_tokens: 50,
      output_tokens: 25,
      cache_read_tokens: 0,
      cache_write_tokens: 0,
      reasoning_tokens: 0,
      cost_usd: 0.65,
      api_equivalent_usd: 0,
      estimated_requests: 1,
      unpriced_requests: 1,
    },
  );
  const models = f.ledger.history({ group: "model" }).rows.map((r) => [r.key, r.requests]);
  assert.deepEqual(models, [
    ["gpt-5-mini", 2],
    ["claude-sonnet-4-5", 1],
    ["unknown", 1],
    ["gemini-2.5-pro", 1],
  ]);
  const providers = f.ledger.history({ group: "provider" }).rows.map((r) => r.key);
  assert.deepEqual(providers, ["openai", "anthropic", "google"]);
  const clients = f.ledger.history({ group: "client" }).rows.map((r) => [r.key, r.requests]);
  assert.deepEqual(clients, [["sdk", 3], ["curl", 1], ["claude-code", 1]]);
});

Deno.test("Ledger.history() sums subscription traffic as API-equivalent, apart from billed", async () => {
  await using f = await ledgerFixture();
  const plan = { provider: "anthropic", model: "claude-sonnet-4-5", price_source: "subscription" };
  f.record(
    eventAt(at(25, 9), { cost_usd: 0.1 }),
    eventAt(at(25, 10), { ...plan, cost_usd: 0.7 } as Partial<UsageEvent>),
    eventAt(at(26, 11), { ...plan, cost_usd: 0.2 } as Partial<UsageEvent>),
    eventAt(at(26, 12), { ...plan, cost_usd: null, price_source: null } as Partial<UsageEvent>),
    ...[1, 2, 3, 4].map((m) => eventAt(at(27, 8, m), { model: "free-model", cost_usd: 0 })),
  );
  const figures = (r: HistoryRow) => [r.key, r.requests, r.cost_usd, r.api_equivalent_usd];
  // Whole days come from daily_totals, partial ones from the events: both split alike.
  for (const from of [undefined, at(25, 9, 30)]) {
    const days = f.ledger.history({ group: "day", from });
    assert.deepEqual(days.rows.map(figures), [
      ...(from === undefined ? [["2026-11-25", 2, 0.1, 0.7]] : [["2026-11-25", 1, 0, 0.7]]),
      ["2026-11-26", 2, 0, 0.2],
      ["2026-11-27", 4, 0, 0],
    ]);
    assert.equal(days.total.cost_usd, from === undefined ? 0.1 : 0);
    assert.equal(days.total.api_equivalent_usd, 0.9);
    assert.equal(days.total.unpriced_requests, 1);
  }
  // Billed cost ranks first, then the API-equivalent price, then requests.
  const models = f.ledger.history({ group: "model" });
  assert.deepEqual(models.rows.map(figures), [
    ["gpt-5-mini", 1, 0.1, 0],
    ["claude-sonnet-4-5", 3, 0, 0.9],
    ["free-model", 4, 0, 0],
  ]);
  const partial = f.ledger.history({ group: "model", from: at(26, 10), to: at(26, 12) });
  assert.deepEqual(partial.rows.map(figures), [["claude-sonnet-4-5", 1, 0, 0.2]]);
});

Deno.test("Ledger.history() counts from inclusive and to exclusive, partial days included", async () => {
  await using f = await ledgerFixture();
  f.record(...sample());
  const keys = (from?: number, to?: number) =>
    f.ledger.history({ group: "day", from, to }).rows.map((r) => [r.key, r.requests]);
  assert.deepEqual(keys(at(26, 0)), [["2026-11-26", 2], ["2026-11-27", 1]], "midnight is in");
  assert.deepEqual(keys(undefined, at(26, 0)), [["2026-11-25", 2]], "to is out");
  assert.deepEqual(keys(at(25, 12), at(26, 12)), [["2026-11-25", 1], ["2026-11-26", 1]]);
  assert.deepEqual(keys(at(25, 9), at(25, 9, 1)), [["2026-11-25", 1]]);
  assert.deepEqual(keys(at(25, 9, 1), at(25, 23, 30)), []);
  assert.deepEqual(keys(at(25, 22), at(26, 2)), [["2026-11-25", 1], ["2026-11-26", 1]]);
  const models = f.ledger.history({ group: "model", from: at(25, 12), to: at(27, 0) });
  assert.deepEqual(models.rows.map((r) => [r.key, r.requests]), [
    ["gpt-5-mini", 1],
    ["claude-sonnet-4-5", 1],
    ["gemini-2.5-pro", 1],
  ]);
  assert.equal(models.total.cost_usd, 0.5);
});

Deno.test("Ledger.history() equals a naive sum for random ranges and groups", async () => {
  await using f = await ledgerFixture();
  let seed = 11;
  const next = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  const start = at(22, 0);
  const span = 6 * 24 * 60 * 60 * 1000;
  const events: UsageEvent[] = [];
  for (let i = 0; i < 400; i++) {
    const ts = start + Math.floor(next() * span);
    const cost = next() < 0.1 ? null : Math.floor(next() * 1e6) / 1e7;
    events.push(eventAt(ts, {
      provider: (["openai", "anthropic", "google"] as Provider[])[Math.floor(next() * 3)],
      model: ["a", "b", null][Math.floor(next() * 3)],
      client: ["sdk", "curl"][Math.floor(next() * 2)],
      project: ["website", "api", null][Math.floor(next() * 3)],
      input_tokens: Math.floor(next() * 1000),
      cost_usd: cost,
      // A quarter is plan traffic: summed as API-equivalent, never as billed cost.
      price_source: cost === null ? null : next() < 0.25 ? "subscription" : "bundled",
      estimated: next() < 0.1,
    }));
  }
  events.sort((a, b) => a.ts - b.ts);
  f.record(...events);
  const bound = () => {
    const r = next();
    if (r < 0.15) return undefined;
    const ms = start - 3_600_000 + Math.floor(next() * (span + 7_200_000));
    return r < 0.4 ? new Date(new Date(ms).setHours(0, 0, 0, 0)).getTime() : ms; // midnights too
  };
  for (let i = 0; i < 150; i++) {
    const group = HISTORY_GROUPS[i % HISTORY_GROUPS.length];
    let [from, to] = [bound(), bound()];
    if (from !== undefined && to !== undefined && from > to) [from, to] = [to, from];
    const got = f.ledger.history({ group, from, to });
    assert.deepEqual(got, expected(events, group, from, to), JSON.stringify({ group, from, to }));
  }
});

Deno.test("queryHistory() reads the same history read-only while the daemon's ledger runs", async () => {
  await using f = await ledgerFixture();
  f.record(...sample());
  for (const group of HISTORY_GROUPS) {
    const options = { group, from: at(25, 12), to: at(27, 9) };
    assert.deepEqual(queryHistory(f.home, options), f.ledger.history(options));
  }
  f.ledger.close();
  const reopened = queryHistory(f.home, { group: "day" }); // and with no daemon at all
  assert.equal(reopened.total.requests, 5);
  await f.reopen();
});

Deno.test("queryHistory() says there is no history yet, and refuses bad options", async () => {
  const home = await Deno.makeTempDir({ prefix: "lumen-history-test-" });
  try {
    for (const dir of [home, `${home}/missing`]) {
      assert.throws(
        () => queryHistory(dir, { group: "day" }),
        new ConfigError(`No Lumen history in ${dir} yet`),
      );
    }
    assert.throws(
      () => queryHistory(home, { group: "week" as HistoryGroup }),
      new TypeError(
        'Unknown history group "week": expected day, model, provider, client or project',
      ),
    );
    assert.throws(
      () => queryHistory(home, { group: "day", from: Number.NaN }),
      new TypeError('History "from" must be epoch milliseconds'),
    );
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("Ledger.history() groups by project, untagged events under UNTAGGED_PROJECT", async () => {
  await using f = await ledgerFixture();
  f.record(
    eventAt(at(25, 9), { project: "website", cost_usd: 0.1 }),
    eventAt(at(25, 10), { project: "website", cost_usd: 0.2 }),
    eventAt(at(26, 11), { project: "api", cost_usd: 0.05 }),
    eventAt(at(27, 8), { cost_usd: 0.01 }),
  );
  const rows = (from?: number) =>
    f.ledger.history({ group: "project", from }).rows.map((r) => [r.key, r.requests, r.cost_usd]);
  const all = [["website", 2, 0.3], ["api", 1, 0.05], [UNTAGGED_PROJECT, 1, 0.01]];
  assert.deepEqual(rows(), all);
  // From mid-day: the partial first day is read from `events`, the rest from `daily_totals`.
  assert.deepEqual(rows(at(25, 9, 30)), [["website", 1, 0.2], ["api", 1, 0.05], [
    UNTAGGED_PROJECT,
    1,
    0.01,
  ]]);
});
