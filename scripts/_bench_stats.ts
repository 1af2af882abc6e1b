// Percentiles and rounding for the benchmark's figures.

/** The `p`th percentile of `values` (nearest rank), or NaN for no values. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** `n` rounded to `digits` decimals. */
export function round(n: number, digits = 3): number {
  return Math.round(n * 10 ** digits) / 10 ** digits;
}

/** p50 and p99 of `values`, rounded. */
export function summarize(values: number[]): { p50: number; p99: number } {
  return { p50: round(percentile(values, 50)), p99: round(percentile(values, 99)) };
}
