// `deno task bench` (second part): the SQLite store. Sustained ingestion through the real write
// path (group commit, synchronous=FULL, then the aggregator), and history queries over 1M
// synthetic events spread across 30 days. Prints a table and writes bench-results/store.json.
// Not a test: nothing here asserts.
import { openLedger } from "../core/usage/ledger.ts";
import { writeBatch } from "../core/usage/batch.ts";
import { historyOf } from "../core/usage/history.ts";
import { eventAt } from "../core/usage/_store_fixture.ts";
import type { HistoryGroup } from "../core/usage/history.ts";
import type { UsageEvent } from "../core/types.ts";

const INGEST_EVENTS = 200_000;
const BURST = 1_000;
const SINGLE_EVENTS = 500;
const HISTORY_EVENTS = 1_000_000;
const HISTORY_DAYS = 30;
const QUERY_RUNS = 20;
const DAY_MS = 24 * 60 * 60 * 1000;
const MODELS = ["gpt-5-mini", "claude-sonnet-4-6", "gemini-2.5-flash", "gpt-5", "claude-haiku-4-5"];
const CLIENTS = ["claude-code", "cursor", "sdk", "curl", "opencode"];

const nextMacrotask = () => new Promise((resolve) => setTimeout(resolve, 0));
const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

function syntheticEvent(i: number, ts: number, lapId: string): UsageEvent {
  return eventAt(ts, {
    model: MODELS[i % MODELS.length],
    client: CLIENTS[(i >> 3) % CLIENTS.length],
    provider: i % 5 === 2 ? "google" : i % 5 === 1 || i % 5 === 4 ? "anthropic" : "openai",
    input_tokens: 100 + (i % 900),
    output_tokens: 20 + (i % 300),
    cache_read_tokens: i % 7 === 0 ? 2048 : 0,
    cost_usd: (i % 97) / 10_000,
    lap_id: lapId,
  });
}

async function withLedger<T>(
  run: (ledger: Awaited<ReturnType<typeof openLedger>>) => T | Promise<T>,
): Promise<T> {
  const home = await Deno.makeTempDir({ prefix: "lumen-bench-store-" });
  const ledger = await openLedger(home, {
    now: Date.now,
    log: (line) => console.error(line),
    retentionDays: () => null,
  });
  try {
    return await run(ledger);
  } finally {
    ledger.close();
    await Deno.remove(home, { recursive: true });
  }
}

/** Events arrive in bursts, each committed by the group commit before the next burst. */
async function ingest(): Promise<{ burst: number; single: number }> {
  return await withLedger(async (ledger) => {
    const lap = ledger.aggregator.currentLapId;
    const base = Date.now();
    const started = performance.now();
    for (let i = 0; i < INGEST_EVENTS; i++) {
      ledger.record(syntheticEvent(i, base + i, lap));
      if (i % BURST === BURST - 1) await nextMacrotask();
    }
    if (!ledger.flush()) throw new Error("The store refused the benchmark's events");
    const burst = INGEST_EVENTS / ((performance.now() - started) / 1000);
    // One event per commit: the rate when calls come one at a time (one fsync each).
    const singleStarted = performance.now();
    for (let i = 0; i < SINGLE_EVENTS; i++) {
      ledger.record(syntheticEvent(i, base + INGEST_EVENTS + i, lap));
      await nextMacrotask();
    }
    const single = SINGLE_EVENTS / ((performance.now() - singleStarted) / 1000);
    return { burst, single };
  });
}

/** 1M events over 30 days written in bulk, then each grouping queried over the 30 days. */
async function history(): Promise<Record<HistoryGroup, { p50: number; max: number }>> {
  return await withLedger((ledger) => {
    const db = ledger.db;
    const lap = ledger.aggregator.currentLapId;
    const to = Date.now();
    const from = to - HISTORY_DAYS * DAY_MS;
    const step = (to - from) / HISTORY_EVENTS;
    for (let start = 0; start < HISTORY_EVENTS; start += 10_000) {
      const items = Array.from({ length: 10_000 }, (_, k) => {
        const i = start + k;
        return {
          kind: "event" as const,
          event: syntheticEvent(i, Math.floor(from + i * step), lap),
        };
      });
      db.transaction(() => writeBatch(db, items));
    }
    const result = {} as Record<HistoryGroup, { p50: number; max: number }>;
    for (const group of ["day", "model", "provider", "client"] as const) {
      const times: number[] = [];
      for (let run = 0; run < QUERY_RUNS; run++) {
        const started = performance.now();
        const rows = historyOf(db, { group, from, to }).rows;
        times.push(performance.now() - started);
        if (group === "day" && rows.length < HISTORY_DAYS) throw new Error("Missing days");
      }
      times.sort((a, b) => a - b);
      result[group] = { p50: round(times[QUERY_RUNS >> 1], 2), max: round(times.at(-1)!, 2) };
    }
    return result;
  });
}

const rates = await ingest();
const queries = await history();
const results = {
  date: new Date().toISOString(),
  target: Deno.build.target,
  ingestion_events_per_s: {
    bursts_of_1000: round(rates.burst),
    one_at_a_time: round(rates.single),
  },
  history_query_ms: queries,
  targets: {
    "ingestion >= 20k events/s": rates.burst >= 20_000,
    "30-day day history <= 200 ms": queries.day.max <= 200,
  },
};
console.log(`\nLumen store benchmark (${results.date}, ${results.target})\n`);
console.log("| measure | value |\n|---|---|");
console.log(`| ingestion, bursts of ${BURST} | ${Math.round(rates.burst)} events/s |`);
console.log(`| ingestion, one event per commit | ${Math.round(rates.single)} events/s |`);
for (const [group, t] of Object.entries(queries)) {
  console.log(`| 30-day history by ${group}, 1M events | p50 ${t.p50} ms, max ${t.max} ms |`);
}
console.log(`\ntargets: ${JSON.stringify(results.targets)}`);
await Deno.mkdir("bench-results", { recursive: true });
await Deno.writeTextFile("bench-results/store.json", JSON.stringify(results, null, 2));
console.log("JSON: bench-results/store.json");
