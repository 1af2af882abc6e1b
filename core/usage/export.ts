// `GET /api/export`: every stored event as CSV or JSON, streamed from a statement iterator, so a
// million events cost the memory of one chunk, not of the whole file.
import type { UsageEvent } from "../types.ts";
import { EVENT_COLUMNS, EVENT_SELECT, eventFromRow } from "./event_row.ts";
import type { Database, SqlRow, SqlValue } from "./store.ts";

/** Export file formats. */
export type ExportFormat = "csv" | "json";

/** Every ExportFormat, for validating user input. */
export const EXPORT_FORMATS: readonly ExportFormat[] = ["csv", "json"];

/** Which events to export: `from` inclusive, `to` exclusive, epoch ms; omitted = unbounded. */
export interface ExportRange {
  from?: number;
  to?: number;
}

/** Rows encoded per chunk: big enough to amortize the per-chunk cost, small enough to stay light. */
const ROWS_PER_CHUNK = 500;

/**
 * Streams the events of `db` in `format`, oldest first, and closes `db` when the stream ends, fails
 * or is cancelled. Pass a connection of its own: in WAL mode it reads one consistent snapshot while
 * the daemon keeps writing. CSV follows RFC 4180 (header row, CRLF, quotes doubled); JSON is one
 * array of UsageEvent objects.
 */
export function exportEvents(
  db: Database,
  format: ExportFormat,
  range: ExportRange = {},
): ReadableStream<Uint8Array> {
  let rows: IterableIterator<SqlRow>;
  try {
    rows = db.iterate(...exportQuery(range));
  } catch (error) {
    db.close();
    throw error;
  }
  const encoder = new TextEncoder();
  let count = 0;
  const finish = () => {
    rows.return?.();
    db.close();
  };
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      try {
        let text = count === 0 ? (format === "csv" ? `${EVENT_COLUMNS.join(",")}\r\n` : "[") : "";
        for (let i = 0; i < ROWS_PER_CHUNK; i++) {
          const next = rows.next();
          if (next.done) {
            if (format === "json") text += count === 0 ? "]\n" : "\n]\n";
            controller.enqueue(encoder.encode(text));
            controller.close();
            finish();
            return;
          }
          const event = eventFromRow(next.value);
          text += format === "csv"
            ? csvLine(event)
            : `${count === 0 ? "\n" : ",\n"}${JSON.stringify(event)}`;
          count++;
        }
        controller.enqueue(encoder.encode(text));
      } catch (error) {
        finish();
        controller.error(error);
      }
    },
    cancel() {
      finish();
    },
  });
}

function exportQuery(range: ExportRange): [string, ...SqlValue[]] {
  if (range.from === undefined && range.to === undefined) {
    // The primary key's order: UUIDv7 ids sort by time, and no sort step is needed.
    return [`SELECT ${EVENT_SELECT} FROM events ORDER BY id`];
  }
  // The ts index's order, again without a sort step (a sort would buffer the whole range).
  return [
    `SELECT ${EVENT_SELECT} FROM events WHERE ts >= ? AND ts < ? ORDER BY ts`,
    range.from ?? Number.MIN_SAFE_INTEGER,
    range.to ?? Number.MAX_SAFE_INTEGER,
  ];
}

function csvLine(event: UsageEvent): string {
  return `${EVENT_COLUMNS.map((column) => csvField(event[column])).join(",")}\r\n`;
}

/** One RFC 4180 field: null is empty; text with a comma, quote, line break or edge space is quoted. */
export function csvField(value: string | number | boolean | null): string {
  if (value === null) return "";
  const text = String(value);
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
