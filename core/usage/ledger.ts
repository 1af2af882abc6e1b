// The usage ledger: lumen.db plus the Aggregator rebuilt from it, behind one object. main.ts routes
// captured events in through record(); the API reads events, history, exports and health here.
import { ConfigError, messageOf } from "../config.ts";
import type { PlanWindow, Provider, UsageEvent } from "../types.ts";
import { Aggregator, type Lap, newestFirst } from "./aggregator.ts";
import { exportEvents, type ExportFormat, type ExportRange } from "./export.ts";
import { eventsPage, historyOf, type HistoryOptions, type HistoryResult } from "./history.ts";
import { ensureOpenLap, writeLapChange } from "./laps.ts";
import { Recorder, type StoreHealth } from "./recorder.ts";
import { applyRetention } from "./retention.ts";
import { loadSnapshot } from "./snapshot.ts";
import { type Database, DB_FILE, type OpenStore, openStore, openStoreReader } from "./store.ts";

/** What the API reads from the store. */
export interface StoreReader {
  /** Stored events newest first, older than the id `before` when given. */
  events(page: { limit: number; before?: string }): UsageEvent[];
  history(options: HistoryOptions): HistoryResult;
  /** A stream of every event in `range`; throws when the database cannot be read. */
  exportEvents(format: ExportFormat, range: ExportRange): ReadableStream<Uint8Array>;
  health(): StoreHealth;
}

/** Options of openLedger(). */
export interface LedgerOptions {
  now(): number;
  log(line: string): void;
  /** The retention_days setting, read at each run (null: keep forever). */
  retentionDays(): number | null;
}

/**
 * Runs inside the transactions that store new events and close laps (the sync queue); throwing
 * rolls the write back, and the recorder retries it as it does any failed write.
 */
export interface WriteHook {
  eventsWritten(events: readonly UsageEvent[]): void;
  lapClosed(lap: Lap): void;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Locks `home`, opens its lumen.db, applies retention and rebuilds the figures from it. Throws
 * ConfigError when another Lumen runs on `home` or the database is unusable.
 */
export async function openLedger(home: string, options: LedgerOptions): Promise<Ledger> {
  const store = openStore(home);
  let ledger: Ledger | undefined;
  try {
    // Writes only into a new database: an existing one always has its open lap.
    ensureOpenLap(store.db, options.now());
    ledger = new Ledger(home, store, options);
    await ledger.applyRetention();
    ledger.aggregator.load(loadSnapshot(store.db, options.now()));
    return ledger;
  } catch (error) {
    if (ledger) ledger.close();
    else store.close();
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(`Cannot use ${home}/${DB_FILE}: ${messageOf(error)}`);
  }
}

/** lumen.db and the live figures; create it with openLedger(). */
export class Ledger implements StoreReader {
  /** The live figures, rebuilt from the database at start. */
  readonly aggregator: Aggregator;
  #home: string;
  #store: OpenStore;
  #options: LedgerOptions;
  #recorder: Recorder;
  #retentionTimer: ReturnType<typeof setTimeout> | undefined;
  #hook: WriteHook | null = null;
  #closed = false;

  /** Use openLedger(). */
  constructor(home: string, store: OpenStore, options: LedgerOptions) {
    this.#home = home;
    this.#store = store;
    this.#options = options;
    this.aggregator = new Aggregator({ now: options.now });
    this.#recorder = new Recorder(store.db, this.aggregator, {
      ...options,
      onWritten: (events) => this.#hook?.eventsWritten(events),
    });
    this.#scheduleRetention();
  }

  /** The writing connection, for tests and diagnostics; everything else goes through methods. */
  get db(): Database {
    return this.#store.db;
  }

  /** Sets (or, with null, removes) the hook run inside every event and lap write. */
  setWriteHook(hook: WriteHook | null): void {
    this.#hook = hook;
  }

  /** Records a captured event: on disk first, then in the figures and on SSE. Never throws. */
  record(event: UsageEvent): void {
    this.#recorder.record(event);
  }

  /** Records subscription windows a response reported. Never throws. */
  recordPlanWindows(provider: Provider, windows: Record<string, PlanWindow>): void {
    this.#recorder.recordPlanWindows(provider, windows);
  }

  /** Writes everything recorded so far now; false when the database refused it. */
  flush(): boolean {
    return this.#recorder.flush();
  }

  /**
   * Closes the current lap with its totals and opens the next, both on disk before this returns.
   * Throws, changing nothing, when the database cannot be written.
   */
  closeLap(name?: string): { closed: Lap; opened: Lap } {
    // Events recorded before the close belong to the closing lap: they are written and counted
    // first, so the closed lap's stored totals include them.
    if (!this.#recorder.flush()) {
      throw new Error(`Cannot save usage: ${this.#recorder.health().error?.message}`);
    }
    const db = this.#store.db;
    return this.aggregator.closeLap(name, (closed, opened) => {
      db.transaction(() => {
        writeLapChange(db, closed, opened);
        this.#hook?.lapClosed(closed);
      });
      db.syncToDiskNow();
    });
  }

  events(page: { limit: number; before?: string }): UsageEvent[] {
    const stored = eventsPage(this.#store.db, page);
    const unsaved = this.#recorder.unsaved();
    if (unsaved.length === 0) return stored;
    // Writes are failing: events shown from memory are listed too, as the feed showed them.
    const ids = new Set(stored.map((event) => event.id));
    const newer = unsaved.filter((event) =>
      !ids.has(event.id) && (page.before === undefined || event.id < page.before)
    );
    return stored.concat(newer).sort(newestFirst).slice(0, page.limit);
  }

  history(options: HistoryOptions): HistoryResult {
    return historyOf(this.#store.db, options);
  }

  exportEvents(format: ExportFormat, range: ExportRange): ReadableStream<Uint8Array> {
    return exportEvents(openStoreReader(this.#home), format, range);
  }

  health(): StoreHealth {
    return this.#recorder.health();
  }

  /** Deletes events older than the retention setting; logs and returns 0 when that fails. */
  async applyRetention(): Promise<number> {
    if (this.#closed) return 0;
    const days = this.#options.retentionDays();
    try {
      const deleted = await applyRetention(this.#store.db, days, this.#options.now());
      if (deleted > 0) {
        this.#options.log(`Retention: deleted ${deleted} events older than ${days} days`);
      }
      return deleted;
    } catch (error) {
      // Closed half-way (shutdown) is no failure: the rest goes at the next start.
      if (!this.#closed) {
        this.#options.log(`Retention could not delete old events: ${messageOf(error)}`);
      }
      return 0;
    }
  }

  /** Writes what is pending, then closes the database and releases the home lock. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#retentionTimer);
    this.#retentionTimer = undefined;
    this.#recorder.close();
    this.#store.close();
  }

  #scheduleRetention(): void {
    const timer = setTimeout(() => {
      this.applyRetention().finally(() => {
        if (this.#retentionTimer !== undefined) this.#scheduleRetention();
      });
    }, DAY_MS);
    // The daily pass alone must not keep a stopping process alive.
    Deno.unrefTimer(timer);
    this.#retentionTimer = timer;
  }
}
