// Budgets' one store query: spend on whole past days, from `daily_totals` (a few rows per day).
import type { Database } from "./store.ts";

/** USD spent on the local days `fromDay` (inclusive) to `toDay` (exclusive), from `daily_totals`. */
export function storedSpend(db: Database, fromDay: string, toDay: string): number {
  const row = db.get(
    "SELECT COALESCE(SUM(cost_nanos), 0) AS nanos FROM daily_totals WHERE day >= ? AND day < ?",
    fromDay,
    toDay,
  );
  return Number(row?.nanos ?? 0) / 1e9;
}
