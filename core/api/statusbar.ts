// `GET /api/statusbar`: everything the macOS menu bar item shows (scripts/macos/), computed here so
// the Swift app stays dumb: it shows `title` and `tooltip`, builds its menu from `menu` as given and
// performs each item's action as written (a POST with the JSON body, a URL to open, or quit).
import type { Stats } from "../usage/aggregator.ts";
import type { BudgetStatus } from "../usage/budgets.ts";
import type { Totals } from "../usage/totals.ts";
import type { LauncherInfo, StatusBar, StatusBarItem, StoreHealth } from "./types.ts";

/** What the menu bar is computed from: one snapshot of the daemon's figures. */
export interface StatusBarInput {
  stats: Stats;
  store: StoreHealth;
  launchers: LauncherInfo[];
  /** The API's port: the dashboard link points at it. */
  apiPort: number;
}

const GROUPED = new Intl.NumberFormat("en-US");
const PERIODS: Record<BudgetStatus["period"], string> = {
  daily: "Daily",
  weekly: "Weekly",
  monthly: "Monthly",
  lap: "Lap",
};
/** Marks the title when something needs a look (budget, store), so it shows without a click. */
const ATTENTION = "⚠ ";

/** Builds the menu bar document from one snapshot of the figures. */
export function statusBar(input: StatusBarInput): StatusBar {
  const { stats, store } = input;
  const budget = topBudget(stats.budgets ?? []);
  const state: StatusBar["state"] = !store.ok
    ? "offline-store"
    : budget && budget.spent_usd >= budget.limit_usd - 1e-12
    ? "budget-reached"
    : budget && budget.crossed.length > 0
    ? "budget-warning"
    : "ok";
  const today = formatUsd(stats.today.cost_usd);
  const lines = [`Lumen: ${today} today (${requests(stats.today)})`];
  if (budget && state !== "ok") lines.push(budgetLine(budget));
  if (!store.ok) lines.push(storeLine(store));

  const summary: StatusBarItem[] = [
    info("today", `Today: ${today} · ${requests(stats.today)}`),
    info("lap", `This lap (${stats.lap.name}): ${formatUsd(stats.lap.cost_usd)}`),
    info("total", `Total: ${formatUsd(stats.total.cost_usd)}`),
  ];
  if (stats.today.api_equivalent_usd > 0) {
    summary.push(
      info("api-equivalent", `+ ${formatUsd(stats.today.api_equivalent_usd)} API-equivalent today`),
    );
  }
  if (budget) summary.push(info("budget", budgetLine(budget)));
  if (!store.ok) summary.push(info("store", storeLine(store)));

  const launchable = input.launchers.filter((l) => l.launchable);
  return {
    title: state === "ok" ? today : `${ATTENTION}${today}`,
    tooltip: lines.join("\n"),
    state,
    menu: [
      ...summary,
      separator("separator-actions"),
      {
        id: "new-lap",
        label: "New lap",
        kind: "action",
        // Closing a lap must be saved; while the store refuses writes the API would answer 503.
        enabled: store.ok,
        action: { method: "POST", path: "/api/laps", body: {} },
      },
      {
        id: "open-dashboard",
        label: "Open dashboard",
        kind: "link",
        enabled: true,
        action: { open: `http://127.0.0.1:${input.apiPort}/dashboard/` },
      },
      ...(launchable.length > 0 ? [separator("separator-launchers")] : []),
      ...launchable.map((l): StatusBarItem => ({
        id: `launch-${l.id}`,
        label: `Launch ${l.name}`,
        kind: "action",
        enabled: true,
        action: {
          method: "POST",
          path: `/api/launchers/${encodeURIComponent(l.id)}/launch`,
          body: {},
        },
      })),
      separator("separator-quit"),
      { id: "quit", label: "Quit Lumen", kind: "action", enabled: true, action: { quit: true } },
    ],
  };
}

/**
 * US dollars as the dashboard shows them (dashboard/src/lib/format.ts `formatUsd`, which core may
 * not import; statusbar_test.ts checks both agree): cents from $1 up, three decimals down to one
 * cent, two significant digits below that.
 */
export function formatUsd(value: number): string {
  if (!Number.isFinite(value)) return "—";
  const sign = value < 0 ? "−" : "";
  const abs = Math.abs(value);
  if (abs === 0) return "$0.00";
  if (abs >= 1000) return `${sign}$${GROUPED.format(Math.round(abs))}`;
  if (abs >= 1) return `${sign}$${abs.toFixed(2)}`;
  if (abs >= 0.01) return `${sign}$${abs.toFixed(3)}`;
  return `${sign}$${abs.toPrecision(2).replace(/0+$/, "").replace(/\.$/, "")}`;
}

/** The budget closest to (or furthest past) its limit. */
function topBudget(budgets: readonly BudgetStatus[]): BudgetStatus | null {
  let top: BudgetStatus | null = null;
  for (const budget of budgets) if (!top || budget.ratio > top.ratio) top = budget;
  return top;
}

function budgetLine(budget: BudgetStatus): string {
  return `${PERIODS[budget.period]} budget: ${formatUsd(budget.spent_usd)} of ` +
    `${formatUsd(budget.limit_usd)} (${Math.round(budget.ratio * 100)}%)`;
}

function storeLine(store: StoreHealth): string {
  return `Not saving usage: ${store.error?.message ?? "the store refuses writes"}`;
}

function requests(totals: Totals): string {
  return `${GROUPED.format(totals.requests)} request${totals.requests === 1 ? "" : "s"}`;
}

function info(id: string, label: string): StatusBarItem {
  return { id, label, kind: "info", enabled: false };
}

function separator(id: string): StatusBarItem {
  return { id, label: "", kind: "separator", enabled: false };
}
