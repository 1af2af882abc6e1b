import assert from "node:assert/strict";
import { ConfigError } from "../config.ts";
import { parseReportArgs, type QueryHistory, runReport } from "./report.ts";
import { DAY_ROWS, DAY_TOTAL, reportRow } from "./_report_fixture.ts";

// Local time, as the user's clock reads it: expectations are built the same way, so any TZ passes.
const NOW = new Date(2026, 10, 20, 15, 30);
const local = (y: number, m: number, d: number, h = 0, min = 0) =>
  new Date(y, m - 1, d, h, min).getTime();

Deno.test("parseReportArgs() defaults to today and the 6 days before, by day, as text", () => {
  assert.deepEqual(parseReportArgs([], NOW), {
    group: "day",
    json: false,
    from: local(2026, 11, 14),
    to: NOW.getTime(),
    sinceLabel: "2026-11-14",
    untilLabel: null,
  });
});

Deno.test("parseReportArgs() reads hours, days, weeks and dates, spaced or with =", () => {
  const from = (...args: string[]) => parseReportArgs(args, NOW).from;
  assert.equal(from("--since", "1d"), local(2026, 11, 20));
  assert.equal(from("--since=30d"), local(2026, 10, 22));
  assert.equal(from("--since", "2w"), local(2026, 11, 7));
  assert.equal(from("--since", "12h"), local(2026, 11, 20, 3, 30));
  assert.equal(from("--since", "2026-02-28"), local(2026, 2, 28));
  assert.equal(parseReportArgs(["--since", "12h"], NOW).sinceLabel, "2026-11-20 03:30");
});

Deno.test("parseReportArgs() ends --until at the end of the day it names", () => {
  const options = parseReportArgs(["--since", "2026-11-01", "--until", "2026-11-03"], NOW);
  assert.equal(options.to, local(2026, 11, 4));
  assert.equal(options.untilLabel, "2026-11-03");
  assert.equal(parseReportArgs(["--until", "2d"], NOW).to, local(2026, 11, 20));
  assert.equal(
    parseReportArgs(["--since", "2d", "--until", "1h"], NOW).to,
    local(2026, 11, 20, 14, 30),
  );
});

Deno.test("parseReportArgs() reads --group and --json, the last of a repeated flag winning", () => {
  for (const group of ["day", "model", "provider", "client"]) {
    assert.equal(parseReportArgs(["--group", group], NOW).group, group);
  }
  const options = parseReportArgs(["--json", "--group=model", "--group", "client"], NOW);
  assert.equal(options.json, true);
  assert.equal(options.group, "client");
});

Deno.test("parseReportArgs() refuses bad values with one clear ConfigError each", () => {
  const cases: [string[], string][] = [
    [
      ["--since", "7"],
      'Invalid --since "7": expected hours, days or weeks (12h, 7d, 2w) or a date',
    ],
    [["--since", "7m"], 'Invalid --since "7m": expected hours'],
    [["--since", "0d"], 'Invalid --since "0d": the number must be at least 1'],
    [["--until", "2026-02-30"], 'Invalid --until "2026-02-30": expected hours'],
    [["--since", "26-11-20"], 'Invalid --since "26-11-20": expected hours'],
    [["--since"], "--since needs a value, e.g. --since 7d"],
    [["--since", "--json"], "--since needs a value, e.g. --since 7d"],
    [["--group="], "--group needs a value, e.g. --group model"],
    [
      ["--group", "week"],
      'Invalid --group "week": expected day, model, provider, client or project',
    ],
    [["--since", "1d", "--until", "2d"], "Invalid range: --since 1d is not before --until 2d"],
    [["--json=yes"], 'Unexpected argument "--json=yes" for lumen report: use [--since 7d]'],
    [["today"], 'Unexpected argument "today" for lumen report'],
  ];
  for (const [args, message] of cases) {
    assert.throws(
      () => parseReportArgs(args, NOW),
      (error) => error instanceof ConfigError && error.message.startsWith(message),
      args.join(" "),
    );
  }
});

function capture(
  args: string[],
  query: QueryHistory,
): { code: number; text: string; calls: unknown[] } {
  const out: string[] = [];
  const calls: unknown[] = [];
  const code = runReport(args, {
    home: "/h",
    now: NOW,
    query: (home, options) => (calls.push({ home, ...options }), query(home, options)),
    write: (text) => out.push(text),
  });
  return { code, text: out.join("\n"), calls };
}

Deno.test("runReport() asks the store for the range and prints the table with a title", () => {
  const { code, text, calls } = capture([], () => ({ rows: DAY_ROWS, total: DAY_TOTAL }));
  assert.equal(code, 0);
  assert.deepEqual(calls, [{
    home: "/h",
    group: "day",
    from: local(2026, 11, 14),
    to: NOW.getTime(),
  }]);
  const lines = text.split("\n");
  assert.equal(lines[0], "LLM usage by day since 2026-11-14 (local time)");
  assert.deepEqual(lines.slice(4, 7).map((line) => line.slice(0, 10)), [
    "2026-11-14",
    "2026-11-15",
    "2026-11-16",
  ]);
});

Deno.test("runReport() names the range in the title and in the friendly empty line", () => {
  const empty = () => ({ rows: [], total: reportRow("total") });
  assert.equal(capture([], empty).text, "No LLM calls since 2026-11-14.");
  assert.equal(
    capture(["--since", "1d", "--until", "1d"], empty).text,
    "No LLM calls on 2026-11-20.",
  );
  assert.equal(
    capture(["--since", "2026-11-01", "--until", "2026-11-03"], empty).text,
    "No LLM calls from 2026-11-01 to 2026-11-03.",
  );
  const full = capture(["--group", "model", "--since", "3h"], () => ({
    rows: [reportRow("gpt-5", { requests: 1 })],
    total: reportRow("total", { requests: 1 }),
  }));
  assert.match(full.text, /^LLM usage by model since 2026-11-20 12:30 \(local time\)\n/);
});

Deno.test("runReport() --json prints the range, group, rows and total", () => {
  const { text } = capture(["--json", "--since", "2026-11-14", "--until", "2026-11-16"], () => ({
    rows: DAY_ROWS,
    total: DAY_TOTAL,
  }));
  const doc = JSON.parse(text);
  assert.deepEqual(Object.keys(doc), ["since", "until", "group", "rows", "total"]);
  assert.equal(Date.parse(doc.since), local(2026, 11, 14));
  assert.equal(Date.parse(doc.until), local(2026, 11, 17));
  assert.match(doc.since, /^2026-11-14T00:00:00\.000[+-]\d\d:\d\d$/);
  assert.equal(doc.group, "day");
  assert.deepEqual(doc.rows, DAY_ROWS);
  assert.deepEqual(doc.total, DAY_TOTAL);
  const empty = JSON.parse(capture(["--json"], () => ({ rows: [], total: reportRow("t") })).text);
  assert.deepEqual(empty.rows, []);
});

Deno.test("runReport() lets the store's ConfigError through for main.ts to print", () => {
  assert.throws(
    () =>
      capture([], () => {
        throw new ConfigError("No Lumen history in /h yet");
      }),
    { name: "ConfigError", message: "No Lumen history in /h yet" },
  );
});
