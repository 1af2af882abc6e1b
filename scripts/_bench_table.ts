// Prints the benchmarks' markdown tables with padded columns, so they read in a terminal too.

/** A cell: a number not measured (NaN) prints as "–". */
export type Cell = string | number;

/** Prints `rows` under `header` as a markdown table. */
export function printTable(header: string[], rows: Cell[][]): void {
  const text = rows.map((row) => row.map(formatCell));
  const widths = header.map((title, i) =>
    Math.max(3, title.length, ...text.map((row) => (row[i] ?? "").length))
  );
  const line = (cells: string[]) =>
    `| ${cells.map((cell, i) => cell.padEnd(widths[i])).join(" | ")} |`;
  console.log(line(header));
  console.log(`|${widths.map((width) => "-".repeat(width + 2)).join("|")}|`);
  for (const row of text) console.log(line(row));
}

/** A number with at most 3 decimals; NaN (not measured) as "–". */
export function formatCell(cell: Cell): string {
  if (typeof cell === "string") return cell;
  return Number.isFinite(cell) ? String(Math.round(cell * 1000) / 1000) : "–";
}
