import assert from "node:assert/strict";
import { formatUsd as dashboardFormatUsd } from "../../dashboard/src/lib/format.ts";
import { createLauncherService } from "../../launchers/service.ts";
import type { BudgetStatus } from "../usage/budgets.ts";
import { usageEvent as event } from "../usage/_event_fixture.ts";
import { apiFixture, PORT } from "./_handler_fixture.ts";
import { formatUsd, statusBar, type StatusBarInput } from "./statusbar.ts";
import type { StatusBar, StatusBarItem } from "./types.ts";

/** Linux with `cursor` (a GUI app) and `claude` (a terminal one) installed; starts are recorded. */
function cursorInstalled() {
  const started: string[] = [];
  const launchers = createLauncherService({
    os: "linux",
    env: (name) => ({ PATH: "/opt/bin", HOME: "/home/u" } as Record<string, string>)[name],
    isExecutable: (path) => path === "/opt/bin/cursor" || path === "/opt/bin/claude",
    paths: { proxyPort: 9090, caPath: "/h/ca.pem", bundlePath: "/h/ca-bundle.pem" },
    start: (plan) => {
      started.push(plan.command);
      return 321;
    },
  });
  return { launchers, started };
}

function item(bar: StatusBar, id: string): StatusBarItem {
  const found = bar.menu.find((i) => i.id === id);
  assert.ok(found, `no menu item "${id}" in ${bar.menu.map((i) => i.id).join(", ")}`);
  return found;
}

/** Performs an item's POST action as the menu bar app does: JSON body, no Origin header. */
function perform(
  api: { call(path: string, init?: RequestInit): Promise<Response> },
  i: StatusBarItem,
) {
  assert.ok(i.action && "method" in i.action, `${i.id} is not a POST action`);
  return api.call(i.action.path, {
    method: i.action.method,
    headers: { "content-type": "application/json" },
    body: JSON.stringify(i.action.body),
  });
}

Deno.test("GET /api/statusbar answers $0.00 and the fixed menu on a fresh install", async () => {
  await using api = await apiFixture();
  const { status, body } = await api.json("/api/statusbar");
  assert.equal(status, 200);
  const bar: StatusBar = body;
  assert.equal(bar.title, "$0.00");
  assert.equal(bar.state, "ok");
  assert.equal(bar.tooltip, "Lumen: $0.00 today (0 requests)");
  assert.deepEqual(bar.menu.map((i) => [i.id, i.kind, i.enabled]), [
    ["today", "info", false],
    ["lap", "info", false],
    ["total", "info", false],
    ["separator-actions", "separator", false],
    ["new-lap", "action", true],
    ["open-dashboard", "link", true],
    ["separator-quit", "separator", false],
    ["quit", "action", true],
  ]);
  assert.deepEqual(item(bar, "new-lap").action, { method: "POST", path: "/api/laps", body: {} });
  assert.deepEqual(item(bar, "open-dashboard").action, {
    open: `http://127.0.0.1:${PORT}/dashboard/`,
  });
  assert.deepEqual(item(bar, "quit").action, { quit: true });
  assert.equal(item(bar, "lap").label, "This lap (Lap 1): $0.00");
});

Deno.test("GET /api/statusbar shows today's billed spend, the lap, the total and plan traffic", async () => {
  await using api = await apiFixture();
  api.record(
    event({ cost_usd: 1.2 }),
    event({ cost_usd: 0.034 }),
    event({ ts: 1_700_000_000_000, cost_usd: 10 }), // an earlier day: total only
    event({ provider: "claude_ai", price_source: "subscription", cost_usd: 2.5 }),
  );
  const bar: StatusBar = (await api.json("/api/statusbar")).body;
  assert.equal(bar.title, "$1.23");
  assert.equal(bar.state, "ok");
  assert.equal(bar.tooltip, "Lumen: $1.23 today (3 requests)");
  assert.equal(item(bar, "today").label, "Today: $1.23 · 3 requests");
  assert.equal(item(bar, "total").label, "Total: $11.23");
  assert.equal(item(bar, "api-equivalent").label, "+ $2.50 API-equivalent today");
  assert.equal(bar.menu.some((i) => i.id === "budget"), false, "no budget is set");
});

Deno.test("GET /api/statusbar's New lap action closes the lap when performed as written", async () => {
  await using api = await apiFixture();
  api.record(event({ cost_usd: 0.5 }));
  const before: StatusBar = (await api.json("/api/statusbar")).body;
  assert.equal(item(before, "lap").label, "This lap (Lap 1): $0.500");
  const res = await perform(api, item(before, "new-lap"));
  assert.equal(res.status, 200);
  assert.equal((await res.json()).closed.name, "Lap 1");
  const after: StatusBar = (await api.json("/api/statusbar")).body;
  assert.equal(item(after, "lap").label, "This lap (Lap 2): $0.00");
  assert.equal(after.title, "$0.500", "today is not reset by a lap");
});

Deno.test("GET /api/statusbar lists launchable GUI apps only, and their action starts them", async () => {
  const machine = cursorInstalled();
  await using api = await apiFixture({ launchers: machine.launchers });
  const bar: StatusBar = (await api.json("/api/statusbar")).body;
  const launches = bar.menu.filter((i) => i.id.startsWith("launch-"));
  assert.deepEqual(launches, [{
    id: "launch-cursor",
    label: "Launch Cursor",
    kind: "action",
    enabled: true,
    action: { method: "POST", path: "/api/launchers/cursor/launch", body: {} },
  }]);
  const ids = bar.menu.map((i) => i.id);
  assert.deepEqual(ids.slice(ids.indexOf("open-dashboard")), [
    "open-dashboard",
    "separator-launchers",
    "launch-cursor",
    "separator-quit",
    "quit",
  ]);
  const res = await perform(api, launches[0]);
  assert.equal(res.status, 202);
  await res.body?.cancel();
  assert.deepEqual(machine.started, ["/opt/bin/cursor"]);
});

Deno.test("GET /api/statusbar refuses other methods", async () => {
  await using api = await apiFixture();
  const res = await api.call("/api/statusbar", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: "{}",
  });
  assert.equal(res.status, 405);
  await res.body?.cancel();
});

/** A snapshot as the aggregator gives it, with `budgets` and the store's health set. */
async function snapshot(budgets: BudgetStatus[], storeOk = true): Promise<StatusBarInput> {
  await using api = await apiFixture();
  api.record(event({ cost_usd: 0.81 }));
  return {
    stats: { ...api.aggregator.stats(), budgets },
    store: storeOk
      ? { ok: true, error: null, pending: 0, dropped: 0 }
      : { ok: false, error: { at: 1, message: "disk full" }, pending: 3, dropped: 0 },
    launchers: [],
    apiPort: 9555,
  };
}

function budget(period: BudgetStatus["period"], spent: number, limit: number): BudgetStatus {
  const thresholds = [50, 80, 100];
  return {
    period,
    limit_usd: limit,
    spent_usd: spent,
    ratio: spent / limit,
    crossed: thresholds.filter((t) => spent >= (limit * t) / 100),
    thresholds,
    starts_at: 0,
    resets_at: null,
  };
}

Deno.test("statusBar() shows the budget nearest its limit and warns once a threshold is crossed", async () => {
  const quiet = statusBar(await snapshot([budget("daily", 0.81, 10), budget("lap", 0.2, 1)]));
  assert.equal(quiet.state, "ok");
  assert.equal(quiet.title, "$0.810");
  assert.equal(item(quiet, "budget").label, "Lap budget: $0.200 of $1.00 (20%)");
  assert.deepEqual(item(quiet, "open-dashboard").action, {
    open: "http://127.0.0.1:9555/dashboard/",
  });

  const warned = statusBar(await snapshot([budget("daily", 0.81, 1), budget("weekly", 0.81, 5)]));
  assert.equal(warned.state, "budget-warning");
  assert.equal(warned.title, "⚠ $0.810");
  assert.equal(
    warned.tooltip,
    "Lumen: $0.810 today (1 request)\nDaily budget: $0.810 of $1.00 (81%)",
  );

  const reached = statusBar(await snapshot([budget("monthly", 12, 10)]));
  assert.equal(reached.state, "budget-reached");
  assert.equal(item(reached, "budget").label, "Monthly budget: $12.00 of $10.00 (120%)");
});

Deno.test("statusBar() puts a store that refuses writes first and disables New lap", async () => {
  const bar = statusBar(await snapshot([budget("daily", 2, 1)], false));
  assert.equal(bar.state, "offline-store");
  assert.equal(bar.title, "⚠ $0.810");
  assert.equal(item(bar, "store").label, "Not saving usage: disk full");
  assert.match(bar.tooltip, /\nNot saving usage: disk full$/);
  assert.equal(item(bar, "new-lap").enabled, false);
});

Deno.test("formatUsd() formats money exactly as the dashboard does", () => {
  const values = [
    0,
    0.0000123,
    0.000999,
    0.004,
    0.009999,
    0.01,
    0.0123,
    0.5,
    0.999,
    1,
    1.005,
    1.234,
    12.5,
    999.994,
    999.996,
    1000,
    1234.5,
    1_234_567.89,
    -0.5,
    -3.21,
    Number.NaN,
    Infinity,
  ];
  for (const value of values) assert.equal(formatUsd(value), dashboardFormatUsd(value), `${value}`);
});
