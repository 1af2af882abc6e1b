// `lumen report`'s text output: pure formatting of history rows into a plain, aligned table.
import type { HistoryGroup, HistoryRow } from "../usage/history.ts";
import type { Totals } from "../usage/totals.ts";

const HEADERS: Record<HistoryGroup, string> = {
  day: "Date",
  model: "Model",
  provider: "Provider",
  client: "Client",
  project: "Project",
};
const THOUSANDS_REGEXP = /\B(?=(\d{3})+(?!\d))/g;
const GAP = "  ";
const MIN_KEY_WIDTH = 12;

/**
 * Renders `rows` and their `total` as a table of at most `width` columns (default 100). The
 * "API-equiv." column (subscription traffic at API prices, not billed) shows only when the range
 * has any.
 */
export function formatReportTable(
  rows: HistoryRow[],
  total: HistoryRow,
  options: { group: HistoryGroup; title: string; width?: number },
): string {
  const decimals = total.cost_usd >= 10 ? 2 : 4;
  const plan = total.api_equivalent_usd > 0;
  const planDecimals = total.api_equivalent_usd >= 10 ? 2 : 4;
  const cells = (row: HistoryRow, key: string) => [
    key,
    formatInteger(row.requests),
    formatInteger(row.input_tokens),
    formatInteger(row.output_tokens),
    formatInteger(row.cache_read_tokens),
    formatInteger(row.cache_write_tokens),
    row.requests > 0 && row.unpriced_requests === row.requests
      ? "n/a"
      : formatUsd(row.cost_usd, decimals),
    ...(plan ? [formatUsd(row.api_equivalent_usd, planDecimals)] : []),
  ];
  const header = [
    HEADERS[options.group],
    "Requests",
    "Input",
    "Output",
    "Cache read",
    "Cache write",
    "Cost (USD)",
    ...(plan ? ["API-equiv."] : []),
  ];
  const body = rows.map((row) => cells(row, row.key || "(unknown)"));
  const foot = cells(total, "Total");
  const widths = header.map((_, i) => Math.max(...[header, ...body, foot].map((r) => r[i].length)));
  // Only the key column gives way: numbers are never cut. Long model or client names are.
  const numbersWidth = widths.slice(1).reduce((sum, w) => sum + w + GAP.length, 0);
  widths[0] = Math.min(widths[0], Math.max(MIN_KEY_WIDTH, (options.width ?? 100) - numbersWidth));

  const line = (row: string[]) =>
    row.map((cell, i) =>
      i === 0 ? truncate(cell, widths[0]).padEnd(widths[0]) : cell.padStart(widths[i])
    )
      .join(GAP).trimEnd();
  const rule = widths.map((w) => "-".repeat(w)).join(GAP);
  const lines = [options.title, "", line(header), rule, ...body.map(line), rule, line(foot)];
  const note = describeCaveats(total);
  if (note) lines.push("", note);
  return lines.join("\n");
}

/** Formats a whole number with comma thousands separators, whatever the user's locale. */
export function formatInteger(n: number): string {
  return String(Math.round(n)).replace(THOUSANDS_REGEXP, ",");
}

/** Formats dollars with `decimals` places and separators; a cost too small to show reads "<$0.01". */
export function formatUsd(usd: number, decimals: number): string {
  const fixed = usd.toFixed(decimals);
  if (usd > 0 && Number(fixed) === 0) return `<$${(10 ** -decimals).toFixed(decimals)}`;
  const [whole, fraction] = fixed.split(".");
  return `$${whole.replace(THOUSANDS_REGEXP, ",")}.${fraction}`;
}

/**
 * Says how many requests are missing from the cost or have estimated tokens, and what API-equivalent
 * means when there is some, or null when there is nothing to say.
 */
export function describeCaveats(total: Totals): string | null {
  const parts: string[] = [];
  const requests = (n: number) => `${formatInteger(n)} request${n === 1 ? "" : "s"}`;
  if (total.unpriced_requests > 0) {
    parts.push(`${requests(total.unpriced_requests)} unpriced (not in the total cost)`);
  }
  if (total.estimated_requests > 0) {
    const count = parts.length
      ? formatInteger(total.estimated_requests)
      : requests(total.estimated_requests);
    parts.push(`${count} with estimated token counts`);
  }
  const notes = parts.length ? [`Note: ${parts.join(", ")}.`] : [];
  if (total.api_equivalent_usd > 0) {
    notes.push(
      "API-equiv.: subscription (plan) traffic at API prices, paid by the plan, not in Cost.",
    );
  }
  return notes.length ? notes.join("\n") : null;
}

function truncate(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}
