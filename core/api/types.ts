// The API's documents as the dashboard reads them. Types only (the dashboard imports this file
// across the HTTP boundary, so it must never pull runtime code into the bundle), and every module
// reached from here stays free of Deno and Node APIs: the dashboard type-checks what it reaches.
import type { StoreHealth } from "../types.ts";

export type {
  BudgetLimits,
  HostEntry,
  PlanWindow,
  PriceSource,
  Provider,
  Settings,
  StoreHealth,
  UsageEvent,
} from "../types.ts";
export type { Totals } from "../usage/totals.ts";
export type { Lap, PlanWindows, Stats } from "../usage/aggregator.ts";
export type { BudgetAlert, BudgetPeriod, BudgetStatus } from "../usage/budgets.ts";
export type { LapDelta, LapReport } from "../usage/lap_report.ts";
export type { HistoryGroup, HistoryResult, HistoryRow } from "../usage/history_types.ts";
export type { LayerStatus, PricingStatus, RefreshResult } from "../price_status_types.ts";
export type { DebugStatus } from "./debug.ts";
export type { CapturedBody, DebugCaptureRecord } from "../capture/debug_capture.ts";

/** `GET /api/health`. */
export interface Health {
  ok: boolean;
  version: string;
  proxy_port: number;
  api_port: number;
  uptime_s: number;
  store: StoreHealth;
}

/**
 * `GET /api/ca` (`?check=1` checks afresh). `trusted` is the system trust store's verdict from a
 * TLS handshake through the proxy: null until a check finished, or when it could not be made.
 */
export interface CaStatus {
  subject: string;
  fingerprint_sha256: string;
  not_after: number;
  cert_path: string;
  trusted: boolean | null;
  /** When the verdict was reached (epoch ms); null before the first check finished. */
  checked_at: number | null;
  /** Why the CA is not trusted, or why the check could not be made; null when trusted. */
  trust_error: string | null;
}

/** `{ error: { code, message } }`, the body of every API error. */
export interface ApiErrorBody {
  error: { code: string; message: string };
}

/** One entry of `GET /api/launchers` (`{ launchers: LauncherInfo[] }`): a client Lumen can start. */
export interface LauncherInfo {
  id: string;
  name: string;
  description: string;
  /** "either": the caller picks (the plain shell; proxy by default). */
  mode: "relay" | "proxy" | "either";
  /** GUI apps start detached; terminal programs only from a terminal, through the CLI. */
  kind: "gui" | "terminal";
  installed: boolean;
  /** Where it was found, or null. */
  path: string | null;
  /** Whether `POST /api/launchers/:id/launch` can start it: installed GUI apps only. */
  launchable: boolean;
  /** Why it is not launchable (not found: where Lumen looked and how to install it), else null. */
  reason: string | null;
  /** The variables it is started with (its default mode's). */
  env: Record<string, string>;
  /** The CLI equivalent, e.g. `lumen launch claude-code`. */
  command: string;
}

/** `GET /api/env?mode=&shell=`. */
export interface EnvLines {
  mode: "relay" | "proxy";
  shell: "bash" | "zsh" | "fish" | "powershell";
  /** Exactly what `lumen env` prints: one line per variable, each ending in a newline. */
  lines: string;
}

/** `GET /api/sync` (and the answer to `POST /api/sync/disconnect`): team sync as it stands. */
export interface SyncStatus {
  /** "connecting": an authorization is under way in the browser (until its callback or expiry). */
  state: "disconnected" | "connecting" | "connected" | "reconnect_needed";
  /** The team sync server's base URL; null when disconnected. */
  server: string | null;
  /** Who the user signed in as (email, username or subject), when the server told. */
  account: string | null;
  /** Epoch ms of the last delivery the server accepted; null before the first. */
  last_sync_at: number | null;
  /** Events and laps waiting to be delivered. */
  queue_depth: number;
  /** The latest failure (sign-in, refresh or delivery), without secrets; null when none. */
  last_error: { at: number; message: string } | null;
}

/**
 * `GET /api/statusbar`: what the macOS menu bar item shows, ready to display (scripts/macos/):
 * `title` beside the icon, `tooltip` on hover, `menu` on right click, in order.
 */
export interface StatusBar {
  /** Today's billed spend as the dashboard formats it, e.g. "$1.23"; "⚠ $1.23" unless state is ok. */
  title: string;
  tooltip: string;
  /** offline-store: usage is not being saved; budget-*: the top budget's threshold or limit. */
  state: "ok" | "offline-store" | "budget-warning" | "budget-reached";
  menu: StatusBarItem[];
}

/** One menu entry; `action` is present on "action" and "link" items only. */
export interface StatusBarItem {
  /** Stable across refreshes, e.g. "today", "new-lap", "launch-cursor". */
  id: string;
  label: string;
  kind: "info" | "action" | "link" | "separator";
  enabled: boolean;
  action?: StatusBarAction;
}

/**
 * What choosing an item does: a POST to the API (path relative to the API's origin, JSON body, no
 * Origin header, as a native client), a URL to open in the browser, or quitting the app.
 */
export type StatusBarAction =
  | { method: "POST"; path: string; body: Record<string, never> }
  | { open: string }
  | { quit: true };
