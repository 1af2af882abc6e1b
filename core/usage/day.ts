// Local calendar days: the "today" figure, history's day grouping and retention all cut time at
// the user's local midnight, computed with Date's local fields so DST days (23 h, 25 h) stay right.

/** The local calendar day of epoch-ms `ms`, e.g. "2026-11-27"; sorts like the days it names. */
export function localDay(ms: number): string {
  const d = new Date(ms);
  const month = String(d.getMonth() + 1).padStart(2, "0");
  const day = String(d.getDate()).padStart(2, "0");
  return `${String(d.getFullYear()).padStart(4, "0")}-${month}-${day}`;
}

/** Epoch ms of the local midnight that starts the day of `ms`. */
export function startOfLocalDay(ms: number): number {
  const d = new Date(ms);
  return new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
}

/** Epoch ms of the local midnight `days` calendar days after the one that starts the day of `ms`. */
export function addLocalDays(ms: number, days: number): number {
  const d = new Date(ms);
  return new Date(d.getFullYear(), d.getMonth(), d.getDate() + days).getTime();
}

/** `ms` itself when it is a local midnight, else the next local midnight. */
export function ceilLocalDay(ms: number): number {
  const start = startOfLocalDay(ms);
  return start === ms ? ms : addLocalDays(ms, 1);
}
