// Anthropic's subscription windows from response headers. A call made with a Claude plan (an OAuth
// token, as Claude Code sends) is answered with the `anthropic-ratelimit-unified-*` family:
//   anthropic-ratelimit-unified-status: allowed | allowed_warning | rejected
//   anthropic-ratelimit-unified-representative-claim: five_hour | seven_day | seven_day_sonnet …
//   anthropic-ratelimit-unified-5h-utilization: 0.42      (fraction used)
//   anthropic-ratelimit-unified-5h-reset: 1764003600      (epoch seconds; ISO text is taken too)
//   anthropic-ratelimit-unified-5h-status: allowed
// and the same for `7d` and the per-model weekly windows (`7d_sonnet`, `7d_opus`, …). They come on
// rejected (429) answers too. Pure and fail-open: a value that does not parse is left out.

import { epochMs } from "../parse/mod.ts";
import type { PlanWindow } from "../types.ts";

const PREFIX = "anthropic-ratelimit-unified-";
/** `<window>-<field>`: windows are a length and a unit (5h, 7d), optionally `_<model>`. */
const WINDOW_HEADER = /^(\d{1,3}[hd](?:_[a-z0-9]{1,32})?)-(utilization|reset|status)$/;
const NUMBER = /^\s*\d+(?:\.\d+)?\s*$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;
const STATUS = /^[a-z][a-z0-9_]{0,40}$/;
/** More windows than any plan has: a guard against a header flood, not a real limit. */
const MAX_WINDOWS = 16;

/** The representative claim's names for windows, e.g. `seven_day_opus` → `7d_opus`. */
const CLAIM_WINDOWS = new Map([["five_hour", "5h"], ["seven_day", "7d"]]);

/**
 * Reads the unified rate-limit windows from response headers (any name case), by window name.
 * A window's status is its own `-status` header, else the overall status when the representative
 * claim names that window, else null. Returns an empty object when the headers carry none.
 *
 * @example
 * ```ts
 * readUnifiedRateLimits({
 *   "anthropic-ratelimit-unified-5h-utilization": "0.42",
 *   "anthropic-ratelimit-unified-5h-reset": "1764003600",
 *   "anthropic-ratelimit-unified-5h-status": "allowed",
 * }); // { "5h": { utilization: 0.42, resets_at: 1764003600000, status: "allowed" } }
 * ```
 */
export function readUnifiedRateLimits(
  headers: Record<string, string>,
): Record<string, PlanWindow> {
  const windows = new Map<string, PlanWindow>();
  let overall: string | null = null;
  let claim: string | null = null;
  for (const [rawName, rawValue] of Object.entries(headers)) {
    if (typeof rawValue !== "string") continue;
    const name = rawName.toLowerCase();
    if (!name.startsWith(PREFIX)) continue;
    const rest = name.slice(PREFIX.length);
    const value = rawValue.trim();
    if (rest === "status") {
      overall = statusOf(value);
      continue;
    }
    if (rest === "representative-claim") {
      claim = claimWindow(value);
      continue;
    }
    const match = WINDOW_HEADER.exec(rest);
    if (!match) continue;
    const [, window, field] = match;
    const parsed = fieldValue(field, value);
    if (parsed === null) continue;
    let entry = windows.get(window);
    if (!entry) {
      if (windows.size >= MAX_WINDOWS) continue;
      entry = { utilization: null, resets_at: null, status: null };
      windows.set(window, entry);
    }
    if (field === "utilization") entry.utilization = parsed as number;
    else if (field === "reset") entry.resets_at = parsed as number;
    else entry.status = parsed as string;
  }
  if (overall !== null && claim !== null) {
    const entry = windows.get(claim);
    if (entry && entry.status === null) entry.status = overall;
  }
  return Object.fromEntries(windows);
}

/** True when the response carries any `anthropic-ratelimit-unified-*` header (plan traffic). */
export function hasUnifiedRateLimits(headers: Record<string, string>): boolean {
  return Object.keys(headers).some((name) => name.toLowerCase().startsWith(PREFIX));
}

/**
 * True when a request to Anthropic authenticates with a Claude plan's OAuth access token
 * (`Authorization: Bearer sk-ant-oat…`) rather than an API key. Only the prefix is looked at; the
 * token is never kept.
 */
export function usesSubscriptionToken(headers: Record<string, string>): boolean {
  const auth = headers["authorization"];
  return typeof auth === "string" && /^\s*bearer\s+sk-ant-oat/i.test(auth);
}

function fieldValue(field: string, value: string): number | string | null {
  if (field === "status") return statusOf(value);
  // Epoch seconds on the wire; epoch ms and ISO text are taken too.
  if (field === "reset") return NUMBER.test(value) || ISO_DATE.test(value) ? epochMs(value) : null;
  if (!NUMBER.test(value)) return null;
  const utilization = Number(value);
  return Number.isFinite(utilization) ? utilization : null;
}

function statusOf(value: string): string | null {
  const status = value.toLowerCase();
  return STATUS.test(status) ? status : null;
}

/** `five_hour` → `5h`, `seven_day_sonnet` → `7d_sonnet`; null for anything else. */
function claimWindow(value: string): string | null {
  const claim = value.toLowerCase();
  const known = CLAIM_WINDOWS.get(claim);
  if (known) return known;
  const model = /^seven_day_([a-z0-9]{1,32})$/.exec(claim);
  return model ? `7d_${model[1]}` : null;
}
