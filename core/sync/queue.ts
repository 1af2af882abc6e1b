// The durable sync queue: rows of `sync_queue` in lumen.db, filled in the same transaction as the
// events and laps they copy, and drained by the SyncSender. Each delivery's Idempotency-Key is
// committed on its rows before the request leaves, so after a crash the same rows go again under
// the same key; rows are deleted once the server has acknowledged them.
import type { UsageEvent } from "../types.ts";
import type { Lap } from "../usage/aggregator.ts";
import type { Database } from "../usage/store.ts";
import { uuidv7 } from "../uuid.ts";
import { eventPayload, lapPayload } from "./payload.ts";

/** What a queue row holds. */
export type QueueKind = "event" | "lap";

/** One delivery: the rows sent together under one Idempotency-Key. */
export interface QueueBatch {
  key: string;
  kind: QueueKind;
  /** The allow-listed payloads, as stored (oldest first). */
  items: unknown[];
  /** Failed attempts so far. */
  attempts: number;
}

const INSERT_SQL =
  "INSERT INTO sync_queue (kind, payload, created_at, next_attempt_at) VALUES (?, ?, ?, ?)";

/** The sync_queue table of one open database. */
export class SyncQueue {
  #db: Database;

  constructor(db: Database) {
    this.#db = db;
  }

  /** Queues the payloads of `events`; call inside the transaction that stores them. */
  addEvents(events: readonly UsageEvent[], now: number): void {
    for (const event of events) {
      this.#db.run(INSERT_SQL, "event", JSON.stringify(eventPayload(event)), now, now);
    }
  }

  /** Queues the payload of the closed `lap`; call inside the transaction that closes it. */
  addLap(lap: Lap, now: number): void {
    this.#db.run(INSERT_SQL, "lap", JSON.stringify(lapPayload(lap)), now, now);
  }

  /**
   * The next delivery of `kind` due at `now`: a keyed one not yet acknowledged (the same rows and
   * key as before), else up to `limit` unkeyed rows given a new key, committed before this
   * returns. Null when nothing of `kind` is due.
   */
  next(kind: QueueKind, limit: number, now: number): QueueBatch | null {
    const keyed = this.#db.get(
      `SELECT batch_key FROM sync_queue WHERE kind = ? AND batch_key IS NOT NULL
         AND delivered_at IS NULL AND next_attempt_at <= ? ORDER BY id LIMIT 1`,
      kind,
      now,
    );
    if (keyed) return this.#batch(String(keyed.batch_key), kind);
    const key = uuidv7(now);
    const claimed = this.#db.transaction(() =>
      this.#db.run(
        `UPDATE sync_queue SET batch_key = ? WHERE id IN (SELECT id FROM sync_queue
           WHERE kind = ? AND batch_key IS NULL AND delivered_at IS NULL AND next_attempt_at <= ?
           ORDER BY id LIMIT ?)`,
        key,
        kind,
        now,
        limit,
      )
    );
    return claimed === 0 ? null : this.#batch(key, kind);
  }

  /** The server acknowledged `key`: its rows are done and deleted. */
  delivered(key: string): void {
    this.#db.transaction(() => this.#db.run("DELETE FROM sync_queue WHERE batch_key = ?", key));
  }

  /** Delivering `key` failed: its rows wait until `retryAt` and count one more attempt. */
  failed(key: string, retryAt: number): void {
    this.#db.transaction(() =>
      this.#db.run(
        "UPDATE sync_queue SET attempts = attempts + 1, next_attempt_at = ? WHERE batch_key = ?",
        retryAt,
        key,
      )
    );
  }

  /** Items waiting for delivery. */
  depth(): number {
    return Number(
      this.#db.get("SELECT COUNT(*) AS n FROM sync_queue WHERE delivered_at IS NULL")?.n ?? 0,
    );
  }

  /** Deletes every waiting item (the user disconnected and the data is not for the next server). */
  clear(): void {
    this.#db.transaction(() => this.#db.run("DELETE FROM sync_queue"));
  }

  #batch(key: string, kind: QueueKind): QueueBatch {
    const rows = this.#db.all(
      "SELECT payload, attempts FROM sync_queue WHERE batch_key = ? ORDER BY id",
      key,
    );
    return {
      key,
      kind,
      items: rows.map((row) => JSON.parse(String(row.payload))),
      attempts: Math.max(0, ...rows.map((row) => Number(row.attempts))),
    };
  }
}
