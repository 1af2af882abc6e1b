// The only module that talks to the daemon: every fetch and the one EventSource live here.
import type {
  CaStatus,
  DebugCaptureRecord,
  DebugStatus,
  EnvLines,
  Health,
  HistoryGroup,
  HistoryResult,
  HostEntry,
  Lap,
  LapReport,
  LauncherInfo,
  PricingStatus,
  RefreshResult,
  Settings,
  Stats,
  SyncStatus,
  UsageEvent,
} from "#lib/types.ts";

/** An error the API answered, or a daemon that could not be reached (status 0). */
export class ApiError extends Error {
  override name = "ApiError";
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

/** A client Lumen can start with its environment (`GET /api/launchers`). */
export type Launcher = LauncherInfo;

/** Shells `lumen env` writes for. */
export type Shell = EnvLines["shell"];

async function call<T>(path: string, init?: RequestInit & { json?: unknown }): Promise<T> {
  const headers: Record<string, string> = {};
  let body: BodyInit | undefined;
  if (init?.json !== undefined) {
    headers["content-type"] = "application/json";
    body = JSON.stringify(init.json);
  }
  let res: Response;
  try {
    res = await fetch(path, { ...init, headers, body });
  } catch {
    throw new ApiError(0, "offline", "Lumen is not running or cannot be reached");
  }
  const text = await res.text();
  const parsed = text ? safeJson(text) : null;
  if (!res.ok) {
    const error = (parsed as { error?: { code?: string; message?: string } } | null)?.error;
    throw new ApiError(res.status, error?.code ?? "http_error", error?.message ?? res.statusText);
  }
  return parsed as T;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** Returns null when the daemon has no such endpoint (an optional feature it does not offer). */
async function optional<T>(path: string): Promise<T | null> {
  try {
    return await call<T>(path);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return null;
    throw error;
  }
}

export const getHealth = () => call<Health>("/api/health");
export const getStats = () => call<Stats>("/api/stats");
export const getEvents = (limit = 100, before?: string) =>
  call<{ events: UsageEvent[] }>(
    `/api/events?limit=${limit}${before ? `&before=${encodeURIComponent(before)}` : ""}`,
  ).then((r) => r.events);
export const getLaps = () => call<{ laps: LapReport[] }>("/api/laps").then((r) => r.laps);
export const newLap = (name?: string) =>
  call<{ closed: Lap; opened: Lap }>("/api/laps", { method: "POST", json: name ? { name } : {} });
export function getHistory(group: HistoryGroup, range: { from?: number; to?: number } = {}) {
  const query = new URLSearchParams({ group });
  if (range.from !== undefined) query.set("from", String(range.from));
  if (range.to !== undefined) query.set("to", String(range.to));
  return call<HistoryResult & { group: HistoryGroup }>(`/api/history?${query}`);
}
/** Where the browser downloads every stored event from. */
export const exportUrl = (format: "csv" | "json") => `/api/export?format=${format}`;
export const getHosts = () => call<{ hosts: HostEntry[] }>("/api/hosts").then((r) => r.hosts);
export const addHost = (host: string) =>
  call<{ host: HostEntry }>("/api/hosts", { method: "POST", json: { host } });
export const removeHost = (host: string) =>
  call<{ removed: string }>(`/api/hosts/${encodeURIComponent(host)}`, { method: "DELETE" });
export const getSettings = () =>
  call<{ settings: Settings }>("/api/settings").then((r) => r.settings);
export const putSettings = (patch: Partial<Settings>) =>
  call<{ settings: Settings }>("/api/settings", { method: "PUT", json: patch }).then((r) =>
    r.settings
  );
export const getPricing = () => call<PricingStatus>("/api/pricing");
export const refreshPricing = () =>
  call<RefreshResult>("/api/pricing/refresh", { method: "POST", json: {} });
/** The CA; with `check`, after a fresh trust check (a TLS handshake through the proxy). */
export const getCa = (check = false) => call<CaStatus>(`/api/ca${check ? "?check=1" : ""}`);
/** Where the browser downloads the CA certificate from. */
export const CA_PEM_URL = "/api/ca.pem";
export const getDebug = () =>
  call<DebugStatus & { captures: DebugCaptureRecord[] }>("/api/debug/captures");
export const armDebug = (minutes?: number) =>
  call<DebugStatus>("/api/debug/arm", { method: "POST", json: minutes ? { minutes } : {} });
export const disarmDebug = () =>
  call<DebugStatus>("/api/debug/disarm", { method: "POST", json: {} });
/** The launchers, or null when this daemon has none. */
export const getLaunchers = () =>
  optional<{ launchers: Launcher[] }>("/api/launchers").then((r) => r?.launchers ?? null);
export const launch = (id: string, mode?: "relay" | "proxy") =>
  call<{ launched: string; pid: number }>(`/api/launchers/${encodeURIComponent(id)}/launch`, {
    method: "POST",
    json: mode ? { mode } : {},
  });
/** The lines `lumen env` prints for `mode` in `shell`. */
export const getEnv = (mode: "relay" | "proxy", shell: Shell) =>
  call<EnvLines>(`/api/env?mode=${mode}&shell=${shell}`).then((r) => r.lines);
/** The team sync status, or null when this daemon has no sync. */
export const getSync = () => optional<SyncStatus>("/api/sync");
/** Starts signing in to a team sync server (URL or DataGrout UUID): the URL to open. */
export const connectSync = (server: string) =>
  call<{ authorize_url: string }>("/api/sync/connect", { method: "POST", json: { server } });
/** Revokes and forgets the team sync connection: the status after. */
export const disconnectSync = () =>
  call<SyncStatus>("/api/sync/disconnect", { method: "POST", json: {} });

/** What the live stream delivers. */
export interface LiveHandlers {
  usage(event: UsageEvent): void;
  stats(stats: Stats): void;
  lap(lap: Lap): void;
  /** The stream is (re)connected; the first message after this is a full stats document. */
  open(): void;
  /** The stream dropped; it reconnects by itself. */
  down(): void;
}

const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 5_000;

/**
 * Follows `/api/events/stream` until the returned function is called. EventSource retries dropped
 * connections itself; when it gives up (the daemon answered with an error, say) a new one is opened
 * after a backoff, so the dashboard recovers whenever the daemon comes back.
 */
export function followLive(handlers: LiveHandlers): () => void {
  let source: EventSource | null = null;
  let retryMs = RETRY_MIN_MS;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;

  const parse = <T>(listener: (value: T) => void) => (message: MessageEvent<string>) => {
    // A malformed message is skipped, never fatal.
    const value = safeJson(message.data);
    if (value !== null) listener(value as T);
  };

  function connect() {
    if (closed) return;
    source = new EventSource("/api/events/stream");
    source.addEventListener("usage", parse(handlers.usage));
    source.addEventListener("stats", parse(handlers.stats));
    source.addEventListener("lap", parse(handlers.lap));
    source.onopen = () => {
      retryMs = RETRY_MIN_MS;
      handlers.open();
    };
    source.onerror = () => {
      handlers.down();
      if (source?.readyState === EventSource.CLOSED) {
        source = null;
        timer = setTimeout(connect, retryMs);
        retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
      }
    };
  }

  connect();
  return () => {
    closed = true;
    clearTimeout(timer);
    source?.close();
  };
}
