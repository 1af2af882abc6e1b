// The `retention_days` setting: events older than that many local days are deleted, at start and
// daily. Only per-event rows go: `daily_totals` and the laps' totals stay, so no total, lap or past
// day's sums change; what is lost is each old request's detail (its row in /api/events, exports and
// the partial days at the edges of a history range).
import { addLocalDays } from "./day.ts";
import type { Database } from "./store.ts";

/** Rows deleted per transaction, so the writer and the proxy get the event loop in between. */
const ROWS_PER_CHUNK = 5_000;

/**
 * The first instant kept when keeping `days` days: the local midnight `days` calendar days before
 * today's, so today and the `days` full days before it are kept; null when nothing can be old.
 */
function retentionCutoff(now: number, days: number): number | null {
  const cutoff = addLocalDays(now, -days);
  return Number.isFinite(cutoff) && cutoff > 0 ? cutoff : null;
}

/**
 * Deletes the events older than `days` days (null: keep forever) in chunks, yielding between them;
 * returns how many were deleted. Throws when the database cannot be written.
 */
export async function applyRetention(
  db: Database,
  days: number | null,
  now: number,
): Promise<number> {
  if (days === null) return 0;
  const cutoff = retentionCutoff(now, days);
  if (cutoff === null) return 0;
  let deleted = 0;
  for (;;) {
    const count = db.transaction(() =>
      db.run(
        "DELETE FROM events WHERE id IN (SELECT id FROM events WHERE ts < ? LIMIT ?)",
        cutoff,
        ROWS_PER_CHUNK,
      )
    );
    deleted += count;
    // Every pass but the last deletes a full chunk, so this ends.
    if (count < ROWS_PER_CHUNK) return deleted;
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
}
