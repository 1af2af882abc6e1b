// `/api/history` (sums by day, model, provider, client or project over a range) and `/api/export` (every
// event as a CSV or JSON download): query parsing and the responses; the store does the work.
import { localDay } from "../usage/day.ts";
import { EXPORT_FORMATS, type ExportFormat } from "../usage/export.ts";
import { HISTORY_GROUPS, type HistoryGroup } from "../usage/history.ts";
import type { StoreReader } from "../usage/ledger.ts";
import { ApiError, storeUnavailable } from "./errors.ts";

/** `GET /api/history?group=day|model|provider|client|project&from=&to=` (from inclusive, to exclusive). */
export function getHistory(store: StoreReader, url: URL): unknown {
  const group = (url.searchParams.get("group") ?? "day") as HistoryGroup;
  if (!HISTORY_GROUPS.includes(group)) {
    throw new ApiError(400, "bad_request", `group must be one of ${HISTORY_GROUPS.join(", ")}`);
  }
  const range = rangeOf(url);
  return {
    group,
    from: range.from ?? null,
    to: range.to ?? null,
    ...store.history({ group, ...range }),
  };
}

/** `GET /api/export?format=csv|json&from=&to=`: a streamed download of the stored events. */
export function getExport(store: StoreReader, url: URL, now: number): Response {
  const format = (url.searchParams.get("format") ?? "csv") as ExportFormat;
  if (!EXPORT_FORMATS.includes(format)) {
    throw new ApiError(400, "bad_request", `format must be one of ${EXPORT_FORMATS.join(", ")}`);
  }
  const range = rangeOf(url);
  let body: ReadableStream<Uint8Array>;
  try {
    body = store.exportEvents(format, range);
  } catch (error) {
    throw storeUnavailable("read the stored events", error);
  }
  return new Response(body, {
    headers: {
      "content-type": format === "csv"
        ? "text/csv; charset=utf-8"
        : "application/json; charset=utf-8",
      "content-disposition": `attachment; filename="lumen-events-${localDay(now)}.${format}"`,
      "cache-control": "no-store",
    },
  });
}

function rangeOf(url: URL): { from?: number; to?: number } {
  const from = epochMs(url, "from");
  const to = epochMs(url, "to");
  if (from !== undefined && to !== undefined && from > to) {
    throw new ApiError(400, "bad_request", "from must not be after to");
  }
  return { from, to };
}

function epochMs(url: URL, name: string): number | undefined {
  const raw = url.searchParams.get(name);
  if (raw === null || raw === "") return undefined;
  const value = Number(raw);
  if (!/^-?\d+$/.test(raw) || !Number.isSafeInteger(value)) {
    throw new ApiError(400, "bad_request", `${name} must be epoch milliseconds`);
  }
  return value;
}
