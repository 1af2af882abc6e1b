// lumen.db's schema and its forward migrations, keyed on `PRAGMA user_version`.
//
// Rules: a migration is appended, never edited once released; each one runs in its own transaction
// together with the user_version bump, so a crash mid-migration leaves the previous version intact.
// A database whose user_version is above SCHEMA_VERSION was written by a newer Lumen: it is refused,
// never "migrated" down or half-understood. No table holds content (prompts, completions, keys).
import { ConfigError } from "../config.ts";
import type { Database } from "./store.ts";

/**
 * Version 1:
 * - `events`: every UsageEvent field as a column. WITHOUT ROWID, keyed on the UUIDv7 id: ids sort
 *   by time, so inserts append at the right edge of one B-tree (no separate unique index to keep),
 *   and `/api/events?before=` pages walk the primary key. `events_ts` serves range queries
 *   (history's partial days, retention, ranged export). No lap_id or per-column index: lap and
 *   group totals come from `daily_totals`, and every extra index costs ingestion throughput.
 * - `daily_totals`: sums per (local day, lap, provider, model, client), updated in the same
 *   transaction as the events. It is what makes the startup rebuild and the history queries cheap at
 *   millions of events (a few thousand rows, not a scan of every event) and it survives retention,
 *   so deleting old events never changes a total, a lap or a past day's history. `day` is the
 *   event's local day when it was recorded; `model` is "unknown" for events without one, as in
 *   `/api/stats`. Money is integer nano-dollars so sums are exact.
 * - `laps`: one row per lap, in the order they were opened (`seq`: two laps may share a
 *   millisecond); the totals are written when the lap closes (null while open).
 * - `plan_windows`: the latest subscription windows per provider, as `/api/stats` shows them.
 * - `sync_queue`: usage events and laps (JSON, no content) waiting for the team sync server; the
 *   sync module fills and drains it.
 */
const V1 = `
CREATE TABLE events (
  id TEXT NOT NULL PRIMARY KEY,
  ts INTEGER NOT NULL,
  provider TEXT NOT NULL,
  host TEXT NOT NULL,
  path TEXT NOT NULL,
  model TEXT,
  client TEXT NOT NULL,
  mode TEXT NOT NULL,
  status INTEGER NOT NULL,
  streamed INTEGER NOT NULL,
  input_tokens INTEGER NOT NULL,
  output_tokens INTEGER NOT NULL,
  cache_read_tokens INTEGER NOT NULL,
  cache_write_tokens INTEGER NOT NULL,
  reasoning_tokens INTEGER NOT NULL,
  cost_usd REAL,
  price_source TEXT,
  priced_model TEXT,
  estimated INTEGER NOT NULL,
  latency_ms INTEGER NOT NULL,
  ttfb_ms INTEGER NOT NULL,
  lap_id TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX events_ts ON events (ts);

CREATE TABLE daily_totals (
  day TEXT NOT NULL,
  lap_id TEXT NOT NULL,
  provider TEXT NOT NULL,
  model TEXT NOT NULL,
  client TEXT NOT NULL,
  requests INTEGER NOT NULL,
  input_tokens INTEGER NOT NULL,
  output_tokens INTEGER NOT NULL,
  cache_read_tokens INTEGER NOT NULL,
  cache_write_tokens INTEGER NOT NULL,
  reasoning_tokens INTEGER NOT NULL,
  cost_nanos INTEGER NOT NULL,
  estimated_requests INTEGER NOT NULL,
  unpriced_requests INTEGER NOT NULL,
  PRIMARY KEY (day, lap_id, provider, model, client)
) WITHOUT ROWID;

CREATE TABLE laps (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  started_at INTEGER NOT NULL,
  ended_at INTEGER,
  requests INTEGER,
  input_tokens INTEGER,
  output_tokens INTEGER,
  cache_read_tokens INTEGER,
  cache_write_tokens INTEGER,
  reasoning_tokens INTEGER,
  cost_nanos INTEGER,
  estimated_requests INTEGER,
  unpriced_requests INTEGER
);

CREATE TABLE plan_windows (
  provider TEXT NOT NULL PRIMARY KEY,
  observed_at INTEGER NOT NULL,
  windows TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE sync_queue (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('event', 'lap')),
  payload TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  delivered_at INTEGER
);
CREATE INDEX sync_queue_due ON sync_queue (next_attempt_at) WHERE delivered_at IS NULL;
`;

/**
 * Version 2: `sync_queue.batch_key`, the Idempotency-Key of the delivery an item belongs to. It is
 * written (committed) before the request goes out, so a delivery cut short by a crash is sent
 * again with the same items under the same key, and the server keeps it once.
 */
const V2 = `
ALTER TABLE sync_queue ADD COLUMN batch_key TEXT;
CREATE INDEX sync_queue_batch ON sync_queue (batch_key) WHERE batch_key IS NOT NULL;
`;

/**
 * Version 3: project tags (`X-Lumen-Project`, `/p/<project>/…`). `events.project` is null for
 * untagged events (every event stored before). `daily_totals` gains `project` in its key, so it is
 * rebuilt (SQLite cannot change a primary key in place): its rows move over unchanged with project
 * '' (untagged; a key column cannot be NULL in a WITHOUT ROWID table), so every total stays.
 */
const V3 = `
ALTER TABLE events ADD COLUMN project TEXT;
CREATE TABLE daily_totals_v3 (
  day TEXT NOT NULL,
  lap_id TEXT NOT NULL,
  provider TEXT NOT NULL,
  model TEXT NOT NULL,
  client TEXT NOT NULL,
  project TEXT NOT NULL,
  requests INTEGER NOT NULL,
  input_tokens INTEGER NOT NULL,
  output_tokens INTEGER NOT NULL,
  cache_read_tokens INTEGER NOT NULL,
  cache_write_tokens INTEGER NOT NULL,
  reasoning_tokens INTEGER NOT NULL,
  cost_nanos INTEGER NOT NULL,
  estimated_requests INTEGER NOT NULL,
  unpriced_requests INTEGER NOT NULL,
  PRIMARY KEY (day, lap_id, provider, model, client, project)
) WITHOUT ROWID;
INSERT INTO daily_totals_v3 (day, lap_id, provider, model, client, project, requests,
    input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, reasoning_tokens,
    cost_nanos, estimated_requests, unpriced_requests)
  SELECT day, lap_id, provider, model, client, '', requests, input_tokens, output_tokens,
    cache_read_tokens, cache_write_tokens, reasoning_tokens, cost_nanos, estimated_requests,
    unpriced_requests
  FROM daily_totals;
DROP TABLE daily_totals;
ALTER TABLE daily_totals_v3 RENAME TO daily_totals;
`;

/**
 * Version 4: subscription traffic (price_source "subscription": claude.ai, Anthropic with a plan's
 * token) is not billed, so its API-equivalent price is summed apart from the billed cost:
 * `daily_totals.api_equivalent_nanos` and `laps.api_equivalent_nanos`, and `cost_nanos` holds only
 * billed spend from here on. Nothing is recomputed: rows written before this version keep their
 * totals as they were (0 API-equivalent; any subscription cost recorded before stays in cost_nanos),
 * since daily_totals outlives retention and cannot be rebuilt from the events left.
 */
const V4 = `
ALTER TABLE daily_totals ADD COLUMN api_equivalent_nanos INTEGER NOT NULL DEFAULT 0;
ALTER TABLE laps ADD COLUMN api_equivalent_nanos INTEGER;
`;

/** Migration `i` takes a database from user_version `i` to `i + 1` (exported for upgrade tests). */
export const MIGRATIONS: readonly string[] = [V1, V2, V3, V4];

/** The schema version this Lumen writes and reads. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/** The database's schema version (`PRAGMA user_version`); 0 for a new, empty file. */
export function schemaVersion(db: Database): number {
  return Number(db.get("PRAGMA user_version")?.user_version ?? 0);
}

/** Throws ConfigError when `db` (at `path`) was written by a newer Lumen. */
export function refuseNewer(db: Database, path: string): void {
  const version = schemaVersion(db);
  if (version > SCHEMA_VERSION) {
    throw new ConfigError(
      `Cannot use ${path}: it was written by a newer Lumen (schema version ${version}, this ` +
        `Lumen knows up to ${SCHEMA_VERSION}); upgrade Lumen`,
    );
  }
}

/** Brings `db` up to SCHEMA_VERSION, one transaction per migration; refuses a newer database. */
export function migrate(db: Database, path: string): void {
  refuseNewer(db, path);
  for (let version = schemaVersion(db); version < SCHEMA_VERSION; version++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[version]);
      // PRAGMA takes no bound parameters; `version` is our own integer.
      db.exec(`PRAGMA user_version = ${version + 1}`);
    });
  }
}
