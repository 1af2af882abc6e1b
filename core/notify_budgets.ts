// Wires spend budgets into the daemon: their figures join every stats document, a newly reached
// threshold becomes an SSE `event: budget` and a desktop notification, and with block_at_limit on
// the proxy's refuse() hook answers monitored requests with the provider's own 429 error shape.
import type { Provider } from "./types.ts";
import type { Aggregator } from "./usage/aggregator.ts";
import {
  type BudgetAlert,
  Budgets,
  type BudgetSettings,
  type BudgetStatus,
  PERIOD_NAMES,
} from "./usage/budgets.ts";
import { storedSpend } from "./usage/budgets_store.ts";
import { fileBudgetMemory } from "./usage/budgets_memory.ts";
import type { Database } from "./usage/store.ts";

/** Options of startBudgets(). */
export interface BudgetWiring {
  home: string;
  aggregator: Aggregator;
  db: Database;
  settings(): BudgetSettings;
  providerOf(host: string): Provider | null;
  notify(title: string, body: string): void;
  now(): number;
  log(line: string): void;
}

/** The proxy's refusal: a status and a JSON body. */
export interface Refusal {
  status: number;
  body: unknown;
}

/** Starts budgets; `check()` looks for newly reached thresholds now (e.g. after a settings change). */
export function startBudgets(wiring: BudgetWiring): {
  refuse(host: string, path: string): Refusal | null;
  check(): void;
  stop(): void;
} {
  const { aggregator } = wiring;
  const budgets = new Budgets({
    now: wiring.now,
    settings: wiring.settings,
    pastSpend: (from, to) => storedSpend(wiring.db, from, to),
    memory: fileBudgetMemory(wiring.home, wiring.log),
  });
  aggregator.setBudgets((today, lap) => budgets.status(today, lap));
  const announce = (alert: BudgetAlert) => {
    aggregator.publish({ type: "budget", data: alert });
    wiring.notify("Lumen budget", alert.message);
  };
  const checkStatuses = (statuses: readonly BudgetStatus[] | undefined) => {
    if (!statuses || statuses.length === 0) return;
    for (const alert of budgets.check(statuses, aggregator.currentLapId)) announce(alert);
  };
  const unsubscribe = aggregator.subscribe((message) => {
    // After the broadcast that carries the stats: an alert follows the figures that raised it.
    if (message.type === "stats") queueMicrotask(() => checkStatuses(message.data.budgets));
  });
  checkStatuses(aggregator.stats().budgets);
  return {
    refuse(host) {
      const settings = wiring.settings();
      if (!settings.block_at_limit) return null;
      const over = budgets.blocking(aggregator.stats().budgets ?? []);
      return over ? refusalFor(wiring.providerOf(host), over) : null;
    },
    check: () => checkStatuses(aggregator.stats().budgets),
    stop: unsubscribe,
  };
}

/** A 429 in the provider's error shape, naming the budget. */
export function refusalFor(provider: Provider | null, over: BudgetStatus): Refusal {
  const message = `Lumen: ${PERIOD_NAMES[over.period].toLowerCase()} budget of ` +
    `$${over.limit_usd} reached ($${over.spent_usd.toFixed(2)} spent); requests are blocked ` +
    `until it resets or "block at 100 %" is turned off in Lumen's settings`;
  if (provider === "anthropic" || provider === "claude_ai") {
    return { status: 429, body: { type: "error", error: { type: "rate_limit_error", message } } };
  }
  if (provider === "google") {
    return {
      status: 429,
      body: { error: { code: 429, message, status: "RESOURCE_EXHAUSTED" } },
    };
  }
  return {
    status: 429,
    body: { error: { message, type: "budget_exceeded", code: "lumen_budget", param: null } },
  };
}
