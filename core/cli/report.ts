// `lumen report`: usage history per day, model, provider, client or project, read straight from the database.
import { ConfigError } from "../config.ts";
import { addLocalDays, localDay } from "../usage/day.ts";
import {
  HISTORY_GROUPS,
  type HistoryGroup,
  type HistoryOptions,
  type HistoryResult,
} from "../usage/history.ts";
import { formatReportTable } from "./table.ts";

/** What `lumen report`'s arguments ask for, with the time range resolved to epoch ms. */
export interface ReportOptions {
  group: HistoryGroup;
  json: boolean;
  /** Inclusive start of the range. */
  from: number;
  /** Exclusive end of the range: the end of the `--until` day, or now. */
  to: number;
  /** `from` as the user thinks of it: a local date, or a local date and time for hours. */
  sinceLabel: string;
  /** The last day or moment included, or null when the range runs to now. */
  untilLabel: string | null;
}

/** Reads the history database: the store's `queryHistory`, injected so tests need no database. */
export type QueryHistory = (home: string, options: HistoryOptions) => HistoryResult;

const SPAN_REGEXP = /^(\d{1,6})([hdw])$/;
const DATE_REGEXP = /^(\d{4})-(\d{2})-(\d{2})$/;
const HOUR_MS = 3_600_000;
const EXAMPLES: Record<string, string> = {
  "--since": "7d",
  "--until": "2026-01-31",
  "--group": "model",
};
const SYNTAX = "expected hours, days or weeks (12h, 7d, 2w) or a date (YYYY-MM-DD)";

/** Parses `[--since 7d] [--until …] [--group day|model|provider|client|project] [--json]` at time `now`. */
export function parseReportArgs(args: string[], now: Date): ReportOptions {
  let since = "7d";
  let until: string | undefined;
  let group: HistoryGroup = "day";
  let json = false;
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = args[i].startsWith("--") && args[i].includes("=")
      ? [args[i].slice(0, args[i].indexOf("=")), args[i].slice(args[i].indexOf("=") + 1)]
      : [args[i], undefined];
    const value = () => {
      const next = inline ?? args[++i];
      if (next === undefined || next === "" || (inline === undefined && next.startsWith("--"))) {
        throw new ConfigError(`${flag} needs a value, e.g. ${flag} ${EXAMPLES[flag]}`);
      }
      return next;
    };
    if (flag === "--json" && inline === undefined) json = true;
    else if (flag === "--since") since = value();
    else if (flag === "--until") until = value();
    else if (flag === "--group") {
      const raw = value();
      if (!HISTORY_GROUPS.includes(raw as HistoryGroup)) {
        throw new ConfigError(
          `Invalid --group "${raw}": expected day, model, provider, client or project`,
        );
      }
      group = raw as HistoryGroup;
    } else {
      throw new ConfigError(
        `Unexpected argument "${args[i]}" for lumen report: ` +
          "use [--since 7d] [--until DATE] [--group day|model|provider|client|project] [--json]",
      );
    }
  }
  const start = resolveBound("--since", since, now);
  const end = until === undefined ? null : resolveBound("--until", until, now);
  if (end && end.ms <= start.ms) {
    throw new ConfigError(`Invalid range: --since ${since} is not before --until ${until}`);
  }
  return {
    group,
    json,
    from: start.ms,
    to: end?.ms ?? now.getTime(),
    sinceLabel: start.label,
    untilLabel: end?.label ?? null,
  };
}

/**
 * Resolves a bound. Hours count back from `now`; days and weeks name a whole local day ("1d" is today,
 * "7d" six days before it), like a date: `--since` takes its first moment, `--until` its end.
 */
function resolveBound(flag: string, raw: string, now: Date): { ms: number; label: string } {
  const span = raw.match(SPAN_REGEXP);
  const date = raw.match(DATE_REGEXP);
  if (span && Number(span[1]) < 1) {
    throw new ConfigError(`Invalid ${flag} "${raw}": the number must be at least 1`);
  }
  if (span?.[2] === "h") {
    const ms = now.getTime() - Number(span[1]) * HOUR_MS;
    return { ms, label: localDateTime(ms) };
  }
  let day = NaN;
  if (span) {
    const days = Number(span[1]) * (span[2] === "w" ? 7 : 1);
    day = addLocalDays(now.getTime(), 1 - days);
  } else if (date) {
    const [year, month, dayOfMonth] = date.slice(1).map(Number);
    day = new Date(year, month - 1, dayOfMonth).getTime();
    // Date rolls 2026-02-30 over into March; a date that does not round-trip does not exist.
    if (localDay(day) !== raw) day = NaN;
  }
  if (Number.isNaN(day)) throw new ConfigError(`Invalid ${flag} "${raw}": ${SYNTAX}`);
  const label = localDay(day);
  return { ms: flag === "--since" ? day : addLocalDays(day, 1), label };
}

/** Runs `lumen report` and returns its exit code; errors the user can fix throw ConfigError. */
export function runReport(
  args: string[],
  deps: { home: string; query: QueryHistory; now?: Date; write?: (text: string) => void },
): number {
  const now = deps.now ?? new Date();
  const write = deps.write ?? ((text: string) => console.log(text));
  const options = parseReportArgs(args, now);
  const { rows, total } = deps.query(deps.home, {
    group: options.group,
    from: options.from,
    to: options.to,
  });
  if (options.json) {
    write(JSON.stringify(
      {
        since: localIso(options.from),
        until: localIso(options.to),
        group: options.group,
        rows,
        total,
      },
      null,
      2,
    ));
    return 0;
  }
  const range = options.untilLabel === null
    ? `since ${options.sinceLabel}`
    : options.untilLabel === options.sinceLabel
    ? `on ${options.sinceLabel}`
    : `from ${options.sinceLabel} to ${options.untilLabel}`;
  if (total.requests === 0) {
    write(`No LLM calls ${range}.`);
    return 0;
  }
  const title = `LLM usage by ${options.group} ${range} (local time)`;
  write(formatReportTable(rows, total, { group: options.group, title }));
  return 0;
}

function localDateTime(ms: number): string {
  const d = new Date(ms);
  return `${localDay(ms)} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** ISO 8601 in local time with its UTC offset, e.g. 2026-11-14T00:00:00.000+01:00. */
function localIso(ms: number): string {
  const d = new Date(ms);
  const offset = -d.getTimezoneOffset();
  const sign = offset < 0 ? "-" : "+";
  const zone = `${sign}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`;
  return `${localDateTime(ms)}:${pad(d.getSeconds())}.${
    String(d.getMilliseconds()).padStart(3, "0")
  }`
    .replace(" ", "T") + zone;
}

function pad(n: number): string {
  return String(n).padStart(2, "0");
}
