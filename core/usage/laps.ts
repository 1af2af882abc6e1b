// Laps in lumen.db: one row each, totals written when the lap closes.
import { uuidv7 } from "../uuid.ts";
import type { Lap } from "./aggregator.ts";
import { totalsFromRow, totalsParams } from "./event_row.ts";
import type { Database, SqlRow } from "./store.ts";

/** Every stored lap, oldest first; the open lap's totals are left at zero for the caller. */
export function loadLaps(db: Database): Lap[] {
  return db.all("SELECT * FROM laps ORDER BY seq").map(lapFromRow);
}

/** Makes sure the last lap is open, opening "Lap N" when none is (a new database). */
export function ensureOpenLap(db: Database, now: number): void {
  const last = db.get("SELECT ended_at FROM laps ORDER BY seq DESC LIMIT 1");
  if (last && last.ended_at === null) return;
  const count = Number(db.get("SELECT COUNT(*) AS n FROM laps")?.n ?? 0);
  db.transaction(() => {
    db.run(
      "INSERT INTO laps (id, name, started_at) VALUES (?, ?, ?)",
      uuidv7(now),
      `Lap ${count + 1}`,
      now,
    );
  });
}

/** Writes `closed` with its totals and inserts `opened`; call inside a transaction. */
export function writeLapChange(db: Database, closed: Lap, opened: Lap): void {
  db.run(
    `INSERT INTO laps (id, name, started_at, ended_at, requests, input_tokens, output_tokens,
       cache_read_tokens, cache_write_tokens, reasoning_tokens, cost_nanos, estimated_requests,
       unpriced_requests, api_equivalent_nanos)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET ended_at = excluded.ended_at, requests = excluded.requests,
       input_tokens = excluded.input_tokens, output_tokens = excluded.output_tokens,
       cache_read_tokens = excluded.cache_read_tokens,
       cache_write_tokens = excluded.cache_write_tokens,
       reasoning_tokens = excluded.reasoning_tokens, cost_nanos = excluded.cost_nanos,
       estimated_requests = excluded.estimated_requests,
       unpriced_requests = excluded.unpriced_requests,
       api_equivalent_nanos = excluded.api_equivalent_nanos`,
    closed.id,
    closed.name,
    closed.started_at,
    closed.ended_at,
    ...totalsParams(closed),
  );
  db.run(
    "INSERT INTO laps (id, name, started_at) VALUES (?, ?, ?)",
    opened.id,
    opened.name,
    opened.started_at,
  );
}

function lapFromRow(row: SqlRow): Lap {
  return {
    id: String(row.id),
    name: String(row.name),
    started_at: Number(row.started_at),
    ended_at: row.ended_at === null ? null : Number(row.ended_at),
    ...totalsFromRow(row),
  };
}
