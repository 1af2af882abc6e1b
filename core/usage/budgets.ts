// Spend budgets: per local day, ISO week (from Monday's local midnight), calendar month and the
// current lap. Figures are the aggregator's live today and lap plus, for week and month, the stored
// days before today (`daily_totals`, cached per day); crossing a threshold raises one alert per
// period instance, remembered across restarts by the injected memory. Spend is billed cost only
// (`cost_usd`): subscription traffic's API-equivalent price is the plan's, and moves no budget.
import type { BudgetLimits } from "../types.ts";
import { localDay, startOfLocalDay } from "./day.ts";
import type { Totals } from "./totals.ts";

/** A budget's period. */
export type BudgetPeriod = "daily" | "weekly" | "monthly" | "lap";

/** The periods in the order they are shown. */
export const BUDGET_PERIODS: readonly BudgetPeriod[] = ["daily", "weekly", "monthly", "lap"];

/** One set budget as `/api/stats` shows it under `budgets`. */
export interface BudgetStatus {
  period: BudgetPeriod;
  limit_usd: number;
  spent_usd: number;
  /** spent / limit (1 = at the limit). */
  ratio: number;
  /** The thresholds (percentages) reached in this period, ascending. */
  crossed: number[];
  /** Every configured threshold, ascending (the dashboard marks them on the bar). */
  thresholds: number[];
  /** When the period began (epoch ms): local midnight, Monday, the 1st, or the lap's start. */
  starts_at: number;
  /** When the next period begins (epoch ms); null for a lap, which ends when the user closes it. */
  resets_at: number | null;
}

/** The `event: budget` SSE message: a threshold was reached for the first time in a period. */
export interface BudgetAlert {
  period: BudgetPeriod;
  threshold: number;
  limit_usd: number;
  spent_usd: number;
  /** Which period instance, e.g. "2026-11-27", "week of 2026-11-23", "2026-11", a lap's id. */
  instance: string;
  /** A sentence for the user, e.g. "Daily budget: 80% reached ($0.81 of $1.00)". */
  message: string;
  at: number;
}

/** The settings budgets read. */
export interface BudgetSettings {
  budgets: BudgetLimits;
  budget_thresholds: readonly number[];
  block_at_limit: boolean;
}

/** Where reached thresholds are remembered (e.g. a file in LUMEN_HOME), so restarts stay quiet. */
export interface BudgetMemory {
  load(): string[];
  save(keys: string[]): void;
}

/** Options of new Budgets(). */
export interface BudgetsOptions {
  now(): number;
  settings(): BudgetSettings;
  /** USD spent on the local days `fromDay` (inclusive) to `toDay` (exclusive), from the store. */
  pastSpend(fromDay: string, toDay: string): number;
  memory: BudgetMemory;
}

/** Human names of the periods. */
export const PERIOD_NAMES: Record<BudgetPeriod, string> = {
  daily: "Daily",
  weekly: "Weekly",
  monthly: "Monthly",
  lap: "Lap",
};

/** The period instance containing `now`: its key and bounds (a lap's come from the lap). */
export function periodOf(
  period: Exclude<BudgetPeriod, "lap">,
  now: number,
): { key: string; start: number; end: number } {
  const d = new Date(now);
  const [y, m, date] = [d.getFullYear(), d.getMonth(), d.getDate()];
  if (period === "daily") {
    return {
      key: localDay(now),
      start: startOfLocalDay(now),
      end: new Date(y, m, date + 1).getTime(),
    };
  }
  if (period === "weekly") {
    const back = (d.getDay() + 6) % 7; // days since Monday (ISO 8601 weeks start on Monday)
    const start = new Date(y, m, date - back).getTime();
    return {
      key: `week of ${localDay(start)}`,
      start,
      end: new Date(y, m, date - back + 7).getTime(),
    };
  }
  const start = new Date(y, m, 1).getTime();
  return { key: localDay(start).slice(0, 7), start, end: new Date(y, m + 1, 1).getTime() };
}

/** The limits of `settings` that are set, in display order. */
export function setLimits(budgets: BudgetLimits): { period: BudgetPeriod; limit: number }[] {
  const out: { period: BudgetPeriod; limit: number }[] = [];
  for (const period of BUDGET_PERIODS) {
    const limit = budgets[`${period}_usd`];
    if (typeof limit === "number" && limit > 0) out.push({ period, limit });
  }
  return out;
}

/** Budget figures and threshold alerts; main.ts feeds it the aggregator's stats. */
export class Budgets {
  #options: BudgetsOptions;
  #past = new Map<string, number>();
  #pastDay = "";
  #alerted: Set<string>;

  constructor(options: BudgetsOptions) {
    this.#options = options;
    this.#alerted = new Set(options.memory.load());
  }

  /** Every set budget's figures, given the live today and current lap. */
  status(today: Totals, lap: { id: string; started_at: number; cost_usd: number }): BudgetStatus[] {
    const settings = this.#options.settings();
    const limits = setLimits(settings.budgets);
    if (limits.length === 0) return [];
    const now = this.#options.now();
    const thresholds = [...new Set(settings.budget_thresholds)].sort((a, b) => a - b);
    return limits.map(({ period, limit }) => {
      let spent: number;
      let starts_at: number;
      let resets_at: number | null;
      if (period === "lap") {
        [spent, starts_at, resets_at] = [lap.cost_usd, lap.started_at, null];
      } else {
        const bounds = periodOf(period, now);
        spent = today.cost_usd + (period === "daily" ? 0 : this.#pastOf(bounds.start, now));
        [starts_at, resets_at] = [bounds.start, bounds.end];
      }
      spent = round(spent);
      return {
        period,
        limit_usd: limit,
        spent_usd: spent,
        ratio: Math.round((spent / limit) * 10_000) / 10_000,
        crossed: thresholds.filter((t) => spent >= (limit * t) / 100 - 1e-12),
        thresholds,
        starts_at,
        resets_at,
      };
    });
  }

  /** The first budget at or over its limit when blocking is on, else null. */
  blocking(statuses: readonly BudgetStatus[]): BudgetStatus | null {
    if (!this.#options.settings().block_at_limit) return null;
    return statuses.find((s) => s.spent_usd >= s.limit_usd - 1e-12) ?? null;
  }

  /**
   * The thresholds `statuses` reached that were not reached before in the same period instance;
   * each is remembered (and saved) so it is raised once. `lapId` names the current lap's instance.
   */
  check(statuses: readonly BudgetStatus[], lapId: string): BudgetAlert[] {
    const now = this.#options.now();
    const alerts: BudgetAlert[] = [];
    const current = new Set<string>();
    for (const status of statuses) {
      const instance = status.period === "lap" ? lapId : periodOf(status.period, now).key;
      const prefix = `${status.period}:${instance}:`;
      current.add(prefix);
      for (const threshold of status.crossed) {
        const key = `${prefix}${threshold}`;
        if (this.#alerted.has(key)) continue;
        this.#alerted.add(key);
        alerts.push({
          period: status.period,
          threshold,
          limit_usd: status.limit_usd,
          spent_usd: status.spent_usd,
          instance,
          message: `${PERIOD_NAMES[status.period]} budget: ${threshold}% reached ` +
            `(${usd(status.spent_usd)} of ${usd(status.limit_usd)})`,
          at: now,
        });
      }
    }
    // Forget past instances' keys, so the memory stays a handful of lines.
    let pruned = false;
    for (const key of this.#alerted) {
      if (![...current].some((prefix) => key.startsWith(prefix))) {
        this.#alerted.delete(key);
        pruned = true;
      }
    }
    if (alerts.length > 0 || pruned) this.#options.memory.save([...this.#alerted]);
    // Only the highest new threshold per budget is worth telling: 50, 80 and 100 at once read as one.
    return alerts.filter((alert, i) => alerts[i + 1]?.period !== alert.period);
  }

  /** Spend on the stored days from `start`'s day to before today (cached for the day). */
  #pastOf(start: number, now: number): number {
    const today = localDay(now);
    if (today !== this.#pastDay) {
      this.#past.clear();
      this.#pastDay = today;
    }
    const from = localDay(start);
    let spent = this.#past.get(from);
    if (spent === undefined) {
      spent = from < today ? this.#options.pastSpend(from, today) : 0;
      this.#past.set(from, spent);
    }
    return spent;
  }
}

function round(usd: number): number {
  return Math.round(usd * 1e9) / 1e9;
}

function usd(value: number): string {
  return `$${value.toFixed(value < 1 ? 4 : 2).replace(/(\.\d{2}\d*?)0+$/, "$1")}`;
}
