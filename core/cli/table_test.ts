import assert from "node:assert/strict";
import { describeCaveats, formatInteger, formatReportTable, formatUsd } from "./table.ts";
import { DAY_ROWS, DAY_TOTAL, reportRow } from "./_report_fixture.ts";

Deno.test("formatReportTable() aligns a day report with separators, a total and a note", () => {
  const text = formatReportTable(DAY_ROWS, DAY_TOTAL, { group: "day", title: "LLM usage by day" });
  assert.equal(
    text,
    `LLM usage by day

Date        Requests      Input   Output  Cache read  Cache write  Cost (USD)
----------  --------  ---------  -------  ----------  -----------  ----------
2026-11-14        41    182,340   23,112   1,204,551       88,210       $3.49
2026-11-15       128  1,402,118   98,430   9,877,120      402,113      $21.87
2026-11-16         7      9,120    1,877           0            0       $0.01
----------  --------  ---------  -------  ----------  -----------  ----------
Total            176  1,593,578  123,419  11,081,671      490,323      $25.38

Note: 3 requests unpriced (not in the total cost), 2 with estimated token counts.`,
  );
});

Deno.test("formatReportTable() shows 4 decimals under $10 and marks wholly unpriced rows", () => {
  const rows = [
    reportRow("claude-haiku-4-5", { requests: 2, input_tokens: 1_200, cost_usd: 0.0123 }),
    reportRow("llama3.2", {
      requests: 1,
      input_tokens: 40,
      output_tokens: 9,
      unpriced_requests: 1,
    }),
    reportRow("", { requests: 1, cost_usd: 0.00001 }),
  ];
  const total = reportRow("total", {
    requests: 4,
    input_tokens: 1_240,
    output_tokens: 9,
    cost_usd: 0.01231,
    unpriced_requests: 1,
  });
  assert.equal(
    formatReportTable(rows, total, { group: "model", title: "T" }),
    `T

Model             Requests  Input  Output  Cache read  Cache write  Cost (USD)
----------------  --------  -----  ------  ----------  -----------  ----------
claude-haiku-4-5         2  1,200       0           0            0     $0.0123
llama3.2                 1     40       9           0            0         n/a
(unknown)                1      0       0           0            0    <$0.0001
----------------  --------  -----  ------  ----------  -----------  ----------
Total                    4  1,240       9           0            0     $0.0123

Note: 1 request unpriced (not in the total cost).`,
  );
});

Deno.test("formatReportTable() adds an API-equiv. column and a note only for plan traffic", () => {
  const rows = [
    reportRow("anthropic", {
      requests: 12,
      input_tokens: 30_000,
      output_tokens: 4_000,
      api_equivalent_usd: 1.2345,
    }),
    reportRow("openai", { requests: 3, input_tokens: 900, output_tokens: 80, cost_usd: 0.0456 }),
  ];
  const total = reportRow("total", {
    requests: 15,
    input_tokens: 30_900,
    output_tokens: 4_080,
    cost_usd: 0.0456,
    api_equivalent_usd: 1.2345,
  });
  assert.equal(
    formatReportTable(rows, total, { group: "provider", title: "T" }),
    `T

Provider   Requests   Input  Output  Cache read  Cache write  Cost (USD)  API-equiv.
---------  --------  ------  ------  ----------  -----------  ----------  ----------
anthropic        12  30,000   4,000           0            0     $0.0000     $1.2345
openai            3     900      80           0            0     $0.0456     $0.0000
---------  --------  ------  ------  ----------  -----------  ----------  ----------
Total            15  30,900   4,080           0            0     $0.0456     $1.2345

API-equiv.: subscription (plan) traffic at API prices, paid by the plan, not in Cost.`,
  );
});

Deno.test("formatReportTable() cuts long keys so that lines fit the width", () => {
  const key = "an-openai-compatible-gateway-model-with-a-very-long-name-indeed-and-then-some";
  const rows = [reportRow(key, { requests: 1, cost_usd: 1 })];
  const text = formatReportTable(rows, rows[0], { group: "model", title: "T" });
  const lines = text.split("\n");
  assert.ok(lines.every((line) => line.length <= 100), text);
  assert.equal(lines[2].length, 100);
  assert.match(lines[4], /^an-openai-compatible-gateway-model-wi… +1 /);
  const narrow = formatReportTable(rows, rows[0], { group: "model", title: "T", width: 20 });
  assert.match(narrow.split("\n")[4], /^an-openai-c… +1 /, "the key keeps at least 12 columns");
});

Deno.test("formatInteger() groups thousands whatever the locale", () => {
  assert.deepEqual(
    [0, 7, 999, 1_000, 12_345, 1_234_567, 1e12].map(formatInteger),
    ["0", "7", "999", "1,000", "12,345", "1,234,567", "1,000,000,000,000"],
  );
});

Deno.test("formatUsd() rounds to the given decimals and never shows a real cost as zero", () => {
  assert.equal(formatUsd(0, 4), "$0.0000");
  assert.equal(formatUsd(0.01234, 4), "$0.0123");
  assert.equal(formatUsd(1234.5, 2), "$1,234.50");
  assert.equal(formatUsd(0.004, 2), "<$0.01");
  assert.equal(formatUsd(0.005, 2), "$0.01");
});

Deno.test("describeCaveats() counts unpriced and estimated requests, or returns null", () => {
  assert.equal(describeCaveats(reportRow("t", { requests: 5 })), null);
  assert.equal(
    describeCaveats(reportRow("t", { requests: 20, unpriced_requests: 3, estimated_requests: 12 })),
    "Note: 3 requests unpriced (not in the total cost), 12 with estimated token counts.",
  );
  assert.equal(
    describeCaveats(reportRow("t", { requests: 20, estimated_requests: 1 })),
    "Note: 1 request with estimated token counts.",
  );
});
