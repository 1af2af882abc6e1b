// The API's documents as the dashboard reads them. Types only (the dashboard imports this file
// across the HTTP boundary, so it must never pull runtime code into the bundle), and every module
// reached from here stays free of Deno and Node APIs: the dashboard type-checks what it reaches.
import type { StoreHealth } from "../types.ts";

export type {
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

/** `GET /api/ca`; `trusted` is null until the trust check runs. */
export interface CaStatus {
  subject: string;
  fingerprint_sha256: string;
  not_after: number;
  cert_path: string;
  trusted: boolean | null;
}

/** `{ error: { code, message } }`, the body of every API error. */
export interface ApiErrorBody {
  error: { code: string; message: string };
}
