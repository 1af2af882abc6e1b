// Test support: a ledger over a real lumen.db in a temp LUMEN_HOME, with a clock the test moves, and
// events with time-ordered ids.
import type { UsageEvent } from "../types.ts";
import { uuidv7 } from "../uuid.ts";
import { usageEvent } from "./_event_fixture.ts";
import { type Ledger, openLedger } from "./ledger.ts";

/** A stored-looking event at `ts` (UUIDv7 id of that time); `overrides` replace any field. */
export function eventAt(ts: number, overrides: Partial<UsageEvent> = {}): UsageEvent {
  return usageEvent({ id: uuidv7(ts), ts, ...overrides });
}

/** Options of ledgerFixture(). */
export interface LedgerFixtureOptions {
  /** Start of the test clock; default 2026-11-27 12:00 local time. */
  start?: number;
  retentionDays?: number | null;
}

/** A temp home with an open ledger; `reopen()` closes it and opens the home again (a restart). */
export async function ledgerFixture(options: LedgerFixtureOptions = {}) {
  const home = await Deno.makeTempDir({ prefix: "lumen-store-test-" });
  const clock = { now: options.start ?? new Date(2026, 10, 27, 12, 0, 0).getTime() };
  const logs: string[] = [];
  const settings = { retentionDays: options.retentionDays ?? null };
  const open = () =>
    openLedger(home, {
      now: () => clock.now,
      log: (line) => logs.push(line),
      retentionDays: () => settings.retentionDays,
    });
  let ledger: Ledger | null = await open();
  return {
    home,
    clock,
    logs,
    settings,
    get ledger(): Ledger {
      if (!ledger) throw new Error("The ledger is closed");
      return ledger;
    },
    /** Records `events` (an empty lap_id becomes the current lap's) and writes them at once. */
    record(...events: UsageEvent[]): void {
      const lap_id = this.ledger.aggregator.currentLapId;
      for (const event of events) this.ledger.record(event.lap_id ? event : { ...event, lap_id });
      if (!this.ledger.flush()) throw new Error("The store refused the events");
    },
    /** Closes the ledger and opens the same home again. */
    async reopen(): Promise<Ledger> {
      ledger?.close();
      ledger = null;
      ledger = await open();
      return ledger;
    },
    async [Symbol.asyncDispose]() {
      ledger?.close();
      await Deno.remove(home, { recursive: true });
    },
  };
}
