// Date ranges in local calendar days, as the API cuts them: `from` is a local midnight (inclusive)
// and `to` the midnight after the last day (exclusive). Pure apart from Date's local time zone.
import type { HistoryRow, Totals } from "#lib/types.ts";

/** The range presets, in days ending today; "all" is unbounded. */
export const PRESETS = ["7", "30", "90", "all"] as const;

/** A preset, or "custom" when the user picked the days. */
export type Preset = (typeof PRESETS)[number] | "custom";

/** A query range in epoch ms; an absent bound is open. */
export interface Range {
  from?: number;
  to?: number;
}

/** One day of the daily chart: a "YYYY-MM-DD" key and its sums (zero when nothing happened). */
export interface DaySpend {
  key: string;
  totals: Totals;
}

/** The longest daily series drawn, so a typo in a year cannot make a million bars. */
const MAX_DAYS = 3660;

/** The range of the last `days` local days, today included, as of `now`. */
export function lastDays(days: number, now: number): Range {
  const today = startOfDay(now);
  return { from: addDays(today, 1 - days), to: addDays(today, 1) };
}

/** The range of a preset (never "custom") as of `now`. */
export function presetRange(
  preset: Exclude<Preset, "custom">,
  now: number,
): Range {
  return preset === "all" ? {} : lastDays(Number(preset), now);
}

/**
 * The range from two date inputs ("YYYY-MM-DD", both days inclusive; "" leaves that side open),
 * or an error message when they make no range.
 */
export function customRange(fromDay: string, toDay: string): Range | string {
  const from = fromDay ? parseDay(fromDay) : undefined;
  const last = toDay ? parseDay(toDay) : undefined;
  if (from === null || last === null) return "Enter dates as YYYY-MM-DD";
  if (from !== undefined && last !== undefined && from > last) {
    return "The first day must be on or before the last day";
  }
  return { from, to: last === undefined ? undefined : addDays(last, 1) };
}

/** What the date inputs show for a range: its first day and its last (inclusive) day. */
export function inputDays(range: Range): { from: string; to: string } {
  return {
    from: range.from === undefined ? "" : dayKey(range.from),
    to: range.to === undefined ? "" : dayKey(addDays(range.to, -1)),
  };
}

/**
 * Every day of `range` up to today, in order, with the rows' sums and zeros between them, so the
 * chart's axis is continuous. An open start begins at the first day with data.
 */
export function fillDays(
  rows: HistoryRow[],
  range: Range,
  now: number,
): DaySpend[] {
  const byDay = new Map(rows.map((row) => [row.key, row]));
  const tomorrow = addDays(startOfDay(now), 1);
  const end = Math.min(range.to ?? tomorrow, tomorrow);
  const firstKey = rows[0]?.key;
  let day = range.from ?? (firstKey ? parseDay(firstKey) : null) ??
    startOfDay(now);
  day = Math.max(day, addDays(end, -MAX_DAYS));
  const days: DaySpend[] = [];
  for (; day < end; day = addDays(day, 1)) {
    const key = dayKey(day);
    days.push({ key, totals: byDay.get(key) ?? emptyTotals() });
  }
  return days;
}

/** All tokens of a totals row: uncached input, output, cache reads and cache writes. */
export function tokensOf(totals: Totals): number {
  return totals.input_tokens + totals.output_tokens + totals.cache_read_tokens +
    totals.cache_write_tokens;
}

/** Whether `now` falls inside `range`, so new events change what it shows. */
export function includesNow(range: Range, now: number): boolean {
  return (range.from === undefined || range.from <= now) &&
    (range.to === undefined || now < range.to);
}

/** Epoch ms of the local midnight of a "YYYY-MM-DD" day, or null when it is not one. */
export function parseDay(key: string): number | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(key);
  if (!match) return null;
  const [year, month, day] = match.slice(1).map(Number);
  const date = new Date(year, month - 1, day);
  return date.getMonth() === month - 1 && date.getDate() === day ? date.getTime() : null;
}

/** The local "YYYY-MM-DD" of `ms`. */
export function dayKey(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${String(d.getFullYear()).padStart(4, "0")}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

// Calendar arithmetic through Date's local fields, so 23- and 25-hour DST days stay whole days.
function startOfDay(ms: number): number {
  const d = new Date(ms);
  return new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
}

function addDays(ms: number, days: number): number {
  const d = new Date(ms);
  return new Date(d.getFullYear(), d.getMonth(), d.getDate() + days).getTime();
}

function emptyTotals(): Totals {
  return {
    requests: 0,
    input_tokens: 0,
    output_tokens: 0,
    cache_read_tokens: 0,
    cache_write_tokens: 0,
    reasoning_tokens: 0,
    cost_usd: 0,
    api_equivalent_usd: 0,
    estimated_requests: 0,
    unpriced_requests: 0,
  };
}
