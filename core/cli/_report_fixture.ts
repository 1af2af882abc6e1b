// Report rows for the table and report tests: a plausible week of Claude and OpenAI traffic.
import type { HistoryRow } from "../usage/history.ts";
import { emptyTotals } from "../usage/totals.ts";

/** A report row with the given figures; zero reasoning tokens. */
export function reportRow(
  key: string,
  figures: Partial<Omit<HistoryRow, "key">> = {},
): HistoryRow {
  return { key, ...emptyTotals(), ...figures };
}

/** Three days in date order, as queryHistory() returns them. */
export const DAY_ROWS: HistoryRow[] = [
  reportRow("2026-11-14", {
    requests: 41,
    input_tokens: 182_340,
    output_tokens: 23_112,
    cache_read_tokens: 1_204_551,
    cache_write_tokens: 88_210,
    cost_usd: 3.4921,
  }),
  reportRow("2026-11-15", {
    requests: 128,
    input_tokens: 1_402_118,
    output_tokens: 98_430,
    cache_read_tokens: 9_877_120,
    cache_write_tokens: 402_113,
    cost_usd: 21.873,
    unpriced_requests: 3,
  }),
  reportRow("2026-11-16", {
    requests: 7,
    input_tokens: 9_120,
    output_tokens: 1_877,
    cost_usd: 0.0141,
    estimated_requests: 2,
  }),
];

/** The sum of DAY_ROWS. */
export const DAY_TOTAL: HistoryRow = reportRow("total", {
  requests: 176,
  input_tokens: 1_593_578,
  output_tokens: 123_419,
  cache_read_tokens: 11_081_671,
  cache_write_tokens: 490_323,
  cost_usd: 25.3792,
  estimated_requests: 2,
  unpriced_requests: 3,
});
