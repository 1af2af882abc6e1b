// claude.ai subscription windows (`message_limit.windows`, provider-formats.md §7): how much of
// each rolling window ("5h", "7d", …) is used and when it resets. The wire is loose about
// timestamps (epoch seconds, epoch ms or ISO text), so they are normalized to epoch ms here.

import type { PlanWindow } from "../types.ts";
import { isRecord } from "./_shared.ts";

// 1e11 ms is 1973 and 1e11 s is the year 5138: any real reset time below it is in seconds.
const SECONDS_BELOW = 1e11;
const NUMBER_REGEXP = /^\s*\d+(?:\.\d+)?\s*$/;

/**
 * Reads the windows of a message_limit object into `windows`, overwriting windows of the same
 * name (the latest report wins). A window without a status takes the limit's own `type`.
 *
 * @example
 * ```ts
 * const windows = new Map<string, PlanWindow>();
 * readPlanWindows({ type: "within_limit",
 *   windows: { "5h": { resets_at: 1764000000, utilization: 0.42 } } }, windows);
 * windows.get("5h"); // { utilization: 0.42, resets_at: 1764000000000, status: "within_limit" }
 * ```
 */
export function readPlanWindows(limit: unknown, windows: Map<string, PlanWindow>): void {
  if (!isRecord(limit) || !isRecord(limit.windows)) return;
  const fallback = typeof limit.type === "string" ? limit.type : null;
  for (const [name, window] of Object.entries(limit.windows)) {
    if (!isRecord(window)) continue;
    const utilization = window.utilization;
    windows.set(name, {
      utilization: typeof utilization === "number" && Number.isFinite(utilization)
        ? utilization
        : null,
      resets_at: epochMs(window.resets_at ?? window.resetsAt),
      status: typeof window.status === "string" ? window.status : fallback,
    });
  }
}

/**
 * Returns a timestamp given as epoch seconds, epoch ms (number or numeric text) or ISO 8601 text
 * as epoch ms, or null when it is none of these.
 */
export function epochMs(value: unknown): number | null {
  if (typeof value === "string") {
    if (!NUMBER_REGEXP.test(value)) {
      const parsed = Date.parse(value);
      return Number.isFinite(parsed) ? parsed : null;
    }
    value = Number(value);
  }
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) return null;
  return Math.round(value < SECONDS_BELOW ? value * 1000 : value);
}
