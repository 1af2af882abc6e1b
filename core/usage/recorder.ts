// The write path, "visible ⇒ on disk": captured events are queued and written by group commit, one
// transaction per event-loop turn, and handed to the Aggregator (which publishes them on SSE and in
// the stats) only once that commit is on disk. The commit runs on the proxy's thread, its fsync on
// Deno's I/O threads (Database.deferSync). Under load commits are at least minCommitGapMs apart,
// so the batches grow instead of the commits. A failing write never reaches the proxy.
import { messageOf } from "../config.ts";
import type { PlanWindow, Provider, StoreHealth, UsageEvent } from "../types.ts";
import type { Aggregator } from "./aggregator.ts";
import { type BatchItem, writeBatch } from "./batch.ts";
import type { Database } from "./store.ts";

export type { StoreHealth };

/** Options of the Recorder. */
export interface RecorderOptions {
  now(): number;
  log(line: string): void;
  /** Most items kept in memory while writes fail; the oldest go first. Default 100 000. */
  maxPending?: number;
  /** First retry delay after a failure, doubled up to `retryMaxMs`. Default 250 ms. */
  retryMinMs?: number;
  /** Default 30 s. */
  retryMaxMs?: number;
  /**
   * Least time between two commits; default 20 ms. Alone, an event is committed in the next turn
   * of the event loop. When each commit's fsync still ran on the proxy's thread (about 1.7 ms
   * here), commits took 12.5 % of the daemon's time at 1,000 requests/s with no gap and 7.4 % with
   * 20 ms (CPU profiles, `deno task profile relay`); events reach the dashboard ≤ 20 ms later.
   */
  minCommitGapMs?: number;
  /**
   * Called inside each commit's transaction with the events it stores (the sync queue copies them
   * there, so an event is stored and queued together or not at all); throwing fails the write.
   */
  onWritten?(events: readonly UsageEvent[]): void;
}

interface Entry {
  item: BatchItem;
  /** Handed to the aggregator already (only ever ahead of the disk while writes fail). */
  shown: boolean;
}

/** Group-commit writer between the capture side and the Aggregator. */
export class Recorder {
  #db: Database;
  #aggregator: Aggregator;
  #options: Required<RecorderOptions>;
  #queue: Entry[] = [];
  /** Committed, waiting for the next fsync. */
  #committed: Entry[] = [];
  /** Committed, their fsync running. */
  #syncing: Entry[] | null = null;
  #syncFailed = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #failure: { at: number; message: string } | null = null;
  #retryMs: number;
  #dropped = 0;
  #closed = false;
  #lastCommitAt = -Infinity;

  constructor(db: Database, aggregator: Aggregator, options: RecorderOptions) {
    this.#db = db;
    this.#aggregator = aggregator;
    this.#options = {
      maxPending: 100_000,
      retryMinMs: 250,
      retryMaxMs: 30_000,
      minCommitGapMs: 20,
      onWritten: () => {},
      ...options,
    };
    this.#retryMs = this.#options.retryMinMs;
  }

  /** Queues `event`; it reaches the aggregator once it is on disk. Never throws. */
  record(event: UsageEvent): void {
    this.#enqueue({ kind: "event", event });
  }

  /** Queues subscription windows a response reported, like an event. Never throws. */
  recordPlanWindows(provider: Provider, windows: Record<string, PlanWindow>): void {
    const item = { kind: "plan", provider, windows: structuredClone(windows) } as const;
    this.#enqueue({ ...item, observed_at: this.#options.now() });
  }

  /**
   * Writes everything pending now, in one transaction, waits for it to reach the disk, then hands
   * it to the aggregator. Returns whether everything recorded so far is on disk; on failure the
   * items stay queued for a retry.
   */
  flush(): boolean {
    if (!this.#commit()) return false;
    try {
      this.#db.syncToDiskNow();
    } catch (error) {
      this.#syncError(error);
    }
    // Batches whose fsync still runs come first: they were committed first.
    const entries = [...this.#syncing ?? [], ...this.#committed];
    this.#committed = [];
    this.#show(entries.filter((entry) => !entry.shown));
    return true;
  }

  /** Commits what is queued; false, with the items kept for a retry, when the database refuses. */
  #commit(): boolean {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#queue.length === 0) return true;
    const batch = this.#queue;
    try {
      this.#db.transaction(() => {
        const written = writeBatch(this.#db, batch.map((entry) => entry.item));
        if (written.length > 0) this.#options.onWritten(written);
      });
    } catch (error) {
      this.#fail(error);
      return false;
    }
    this.#queue = [];
    this.#lastCommitAt = performance.now();
    if (this.#failure) {
      this.#options.log(`Usage is being saved to ${this.#db.path} again`);
      this.#failure = null;
      this.#retryMs = this.#options.retryMinMs;
    }
    for (const entry of batch) this.#committed.push(entry);
    return true;
  }

  /** The timer's write: commits now, shows the batch once an fsync off the event loop ends. */
  #commitLater(): void {
    if (this.#commit()) this.#syncCommitted();
  }

  #syncCommitted(): void {
    // One fsync at a time: one that starts after a commit covers it, and events show in order.
    if (this.#syncing || this.#committed.length === 0) return;
    const covered = this.#committed;
    this.#committed = [];
    this.#syncing = covered;
    this.#db.syncToDisk()
      .catch((error) => this.#syncError(error))
      .then(() => {
        this.#syncing = null;
        this.#show(covered.filter((entry) => !entry.shown));
        this.#syncCommitted();
      });
  }

  /** A committed batch whose fsync failed is shown all the same: it is in the database. */
  #syncError(error: unknown): void {
    if (this.#syncFailed) return;
    this.#syncFailed = true;
    this.#options.log(
      `Cannot flush ${this.#db.path} to disk (${messageOf(error)}); ` +
        "the last events may not survive a power cut",
    );
  }

  /** Events shown while writes fail and not on disk yet, oldest first. */
  unsaved(): UsageEvent[] {
    const events: UsageEvent[] = [];
    for (const { item, shown } of this.#queue) {
      if (shown && item.kind === "event") events.push(item.event);
    }
    return events;
  }

  /** The write path's state for `/api/health`. */
  health(): StoreHealth {
    return {
      ok: this.#failure === null,
      error: this.#failure && { ...this.#failure },
      pending: this.#queue.length,
      dropped: this.#dropped,
    };
  }

  /**
   * Flushes one last time and stops retrying; returns whether everything is on disk. Anything
   * recorded afterwards (a response that ended during shutdown) is ignored.
   */
  close(): boolean {
    if (this.#closed) return this.#queue.length === 0;
    const saved = this.flush();
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (!saved) {
      this.#options.log(
        `${this.#queue.length} usage records could not be saved: ${this.#failure?.message}`,
      );
    }
    return saved;
  }

  #enqueue(item: BatchItem): void {
    if (this.#closed) return;
    const entry = { item, shown: false };
    this.#queue.push(entry);
    if (this.#failure) {
      // Writes are failing and a retry is scheduled: show it now, from memory, so the user still
      // sees their usage; /api/health says it is not saved yet.
      this.#show([entry]);
      this.#bound();
    } else if (this.#timer === undefined) {
      // Everything recorded until this timer fires, typically all the responses that ended in
      // this turn of the event loop, goes into the same transaction.
      const wait = this.#lastCommitAt + this.#options.minCommitGapMs - performance.now();
      this.#timer = setTimeout(() => this.#commitLater(), Math.max(0, wait));
    }
  }

  #fail(error: unknown): void {
    const message = messageOf(error);
    if (!this.#failure) {
      this.#options.log(
        `Cannot save usage to ${this.#db.path} (${message}); ` +
          "keeping it in memory and retrying, proxying goes on",
      );
    }
    this.#failure = { at: this.#options.now(), message };
    this.#show(this.#queue.filter((entry) => !entry.shown));
    this.#bound();
    this.#timer = setTimeout(() => this.#commitLater(), this.#retryMs);
    this.#retryMs = Math.min(this.#retryMs * 2, this.#options.retryMaxMs);
  }

  #show(entries: Entry[]): void {
    let events: UsageEvent[] = [];
    for (const entry of entries) {
      entry.shown = true;
      const { item } = entry;
      if (item.kind === "event") {
        events.push(item.event);
        continue;
      }
      this.#aggregator.recordAll(events);
      events = [];
      this.#aggregator.recordPlanWindows(item.provider, item.windows, item.observed_at);
    }
    this.#aggregator.recordAll(events);
  }

  #bound(): void {
    const over = this.#queue.length - this.#options.maxPending;
    if (over <= 0) return;
    this.#queue.splice(0, over);
    this.#dropped += over;
  }
}
