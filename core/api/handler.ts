// The :9091 API: `createApiHandler(deps)` returns `(req) => Promise<Response>`; no sockets here.
import type { Lap, UsageReader } from "../usage/aggregator.ts";
import { reportLaps } from "../usage/lap_report.ts";
import type { StoreReader } from "../usage/ledger.ts";
import { type CaInfo, type CaTrustService, describeCa, downloadCa } from "./ca.ts";
import { armDebug, type DebugService } from "./debug.ts";
import { ApiError, json, storeUnavailable } from "./errors.ts";
import { streamEvents } from "./events.ts";
import { guardRequest } from "./guard.ts";
import { getExport, getHistory } from "./history.ts";
import { addHost, type HostsService, removeHost } from "./hosts.ts";
import { getEnv, launchClient, type LaunchersService, listLaunchers } from "./launchers.ts";
import { getPricing, type PricingService } from "./pricing.ts";
import { type SettingsService, updateSettings } from "./settings.ts";
import { createStaticHandler, DASHBOARD_BASE } from "./static.ts";
import { connectSync, syncCallback, type SyncService } from "./sync.ts";
import { getMetrics, type MetricsService } from "./metrics.ts";
import { statusBar } from "./statusbar.ts";

/** What the API reads and may change. */
export interface ApiDeps {
  /** The live figures: stats, laps, the SSE feed. */
  reader: UsageReader;
  /** lumen.db: stored events, history, exports and the write path's health. */
  store: StoreReader;
  /** Closes the current lap durably; throws when it cannot be saved. */
  closeLap(name?: string): { closed: Lap; opened: Lap };
  hosts: HostsService;
  settings: SettingsService;
  /** Price sources: their status, model lookups and a manual refresh. */
  pricing: PricingService;
  /** The opt-in debug capture. */
  debug: DebugService;
  /** The proxy-mode CA's certificate and facts (never its key). */
  ca: CaInfo;
  /** Whether the system trust store accepts the CA (a cached TLS handshake check). */
  caTrust: CaTrustService;
  /** Clients Lumen can start (launchers/), and the env lines for the rest. */
  launchers: LaunchersService;
  /** Team sync (DataGrout); without it the `/api/sync` routes answer 404. */
  sync?: SyncService;
  /** The Prometheus scrape (`GET /metrics`); without it that route answers 404. */
  metrics?: MetricsService;
  /** The built dashboard, served under /dashboard. */
  dashboardDir: string;
  /** Fires when the daemon shuts down: long-lived answers (the SSE feed) end then. */
  closing: AbortSignal;
  version: string;
  proxyPort: number;
  apiPort: number;
  startedAt: number;
  now(): number;
}

const MAX_EVENTS_PAGE = 1000;
/** A UUID is 36 characters; anything much longer is not a cursor this API handed out. */
const MAX_CURSOR_LENGTH = 64;
/** `/api/<name>/<param>/<action>`, e.g. `/api/launchers/cursor/launch`. */
const INNER_PARAM_REGEXP = /^(\/api\/[^/]+\/)([^/]+)(\/[^/]+)$/;

/** Method → handler; `param` is the URL-decoded last path segment of a `…/:param` route. */
type Route = Partial<Record<string, (req: Request, url: URL, param: string) => unknown>>;

/** Creates the API request handler. */
export function createApiHandler(deps: ApiDeps): (req: Request) => Promise<Response> {
  const routes: Record<string, Route> = {
    "/api/health": {
      GET: () => ({
        ok: true,
        version: deps.version,
        proxy_port: deps.proxyPort,
        api_port: deps.apiPort,
        uptime_s: Math.floor((deps.now() - deps.startedAt) / 1000),
        // `ok` above says the daemon answers (and proxies); `store.ok` whether usage is being saved.
        store: deps.store.health(),
      }),
    },
    "/api/stats": { GET: () => deps.reader.stats() },
    "/stats": { GET: () => deps.reader.stats() },
    "/api/events": { GET: (_req, url) => ({ events: deps.store.events(pageOf(url)) }) },
    "/api/events/stream": { GET: () => streamEvents(deps.reader, deps.closing) },
    "/api/history": { GET: (_req, url) => getHistory(deps.store, url) },
    "/api/export": { GET: (_req, url) => getExport(deps.store, url, deps.now()) },
    "/api/laps": {
      GET: () => ({ laps: reportLaps(deps.reader.laps(), deps.now()) }),
      POST: async (req) => {
        const body = await readJson(req);
        const name = body?.name;
        if (name !== undefined && (typeof name !== "string" || name.length > 200)) {
          throw new ApiError(400, "bad_request", "Lap name must be a string of at most 200 chars");
        }
        try {
          return deps.closeLap(name);
        } catch (error) {
          throw storeUnavailable("close the lap", error);
        }
      },
    },
    "/api/hosts": {
      GET: () => ({ hosts: deps.hosts.list() }),
      POST: async (req) => addHost(deps.hosts, await readJson(req)),
    },
    "/api/settings": {
      GET: () => ({ settings: deps.settings.settings }),
      PUT: async (req) => updateSettings(deps.settings, await readJson(req)),
    },
    "/api/pricing": { GET: (_req, url) => getPricing(deps.pricing, url) },
    // 200 even when the refresh failed: the answer is the status, which carries the error.
    "/api/pricing/refresh": { POST: () => deps.pricing.refresh() },
    "/api/debug/arm": { POST: async (req) => armDebug(deps.debug, await readJson(req)) },
    "/api/debug/disarm": { POST: () => deps.debug.disarm() },
    "/api/debug/captures": { GET: () => deps.debug.list() },
    "/api/ca": { GET: (_req, url) => describeCa(deps.ca, deps.caTrust, url) },
    "/api/ca.pem": { GET: () => downloadCa(deps.ca) },
    "/api/launchers": { GET: () => listLaunchers(deps.launchers) },
    "/api/statusbar": {
      GET: () =>
        statusBar({
          stats: deps.reader.stats(),
          store: deps.store.health(),
          launchers: deps.launchers.list(),
          apiPort: deps.apiPort,
        }),
    },
    "/api/env": { GET: (_req, url) => getEnv(deps.launchers, url) },
    ...(deps.sync ? syncRoutes(deps.sync) : {}),
    ...(deps.metrics ? { "/metrics": { GET: () => getMetrics(deps.metrics!) } } : {}),
    "/": {
      GET: () => new Response(null, { status: 302, headers: { location: `${DASHBOARD_BASE}/` } }),
    },
  };
  const serveDashboard = createStaticHandler(deps.dashboardDir);
  /** Keyed by the path up to the parameter, e.g. `/api/hosts/` for `/api/hosts/:host`. */
  const paramRoutes: Record<string, Route> = {
    "/api/hosts/": { DELETE: (_req, _url, host) => removeHost(deps.hosts, host) },
  };
  /** Routes whose parameter is a middle segment, keyed with `:id` in its place. */
  const innerParamRoutes: Record<string, Route> = {
    "/api/launchers/:id/launch": {
      POST: async (req, _url, id) => launchClient(deps.launchers, id, await readJson(req)),
    },
  };

  function findRoute(pathname: string): { route: Route; param: string } | null {
    if (Object.hasOwn(routes, pathname)) return { route: routes[pathname], param: "" };
    const inner = INNER_PARAM_REGEXP.exec(pathname);
    const innerKey = inner ? `${inner[1]}:id${inner[3]}` : "";
    if (inner && Object.hasOwn(innerParamRoutes, innerKey)) {
      return { route: innerParamRoutes[innerKey], param: decodeSegment(inner[2]) };
    }
    const cut = pathname.lastIndexOf("/") + 1;
    const prefix = pathname.slice(0, cut);
    if (cut === pathname.length || !Object.hasOwn(paramRoutes, prefix)) return null;
    return { route: paramRoutes[prefix], param: decodeSegment(pathname.slice(cut)) };
  }

  return async (req) => {
    try {
      guardRequest(req, deps.apiPort);
      const url = new URL(req.url);
      if (url.pathname === DASHBOARD_BASE || url.pathname.startsWith(`${DASHBOARD_BASE}/`)) {
        if (req.method !== "GET" && req.method !== "HEAD") {
          throw new ApiError(405, "method_not_allowed", `${req.method} is not allowed here`);
        }
        return await serveDashboard(url.pathname);
      }
      const found = findRoute(url.pathname);
      if (!found) throw new ApiError(404, "not_found", `No API route ${url.pathname}`);
      const method = req.method === "HEAD" ? "GET" : req.method;
      const handle = found.route[method];
      if (!handle) {
        throw new ApiError(405, "method_not_allowed", `${req.method} is not allowed here`);
      }
      const result = await handle(req, url, found.param);
      return result instanceof Response ? result : json(result);
    } catch (error) {
      if (error instanceof ApiError) return error.toResponse();
      console.error(`API error: ${error instanceof Error ? error.message : error}`);
      return new ApiError(500, "internal", "Internal error").toResponse();
    }
  };
}

function syncRoutes(sync: SyncService): Record<string, Route> {
  return {
    "/api/sync": { GET: () => sync.status() },
    "/api/sync/connect": { POST: async (req) => connectSync(sync, await readJson(req)) },
    // A GET the browser makes when the authorization server redirects it back: no Origin, but
    // the Host check above still applies, and the service accepts each `state` once.
    "/api/sync/callback": { GET: (_req, url) => syncCallback(sync, url) },
    "/api/sync/disconnect": { POST: () => sync.disconnect() },
  };
}

function pageOf(url: URL): { limit: number; before?: string } {
  const rawLimit = url.searchParams.get("limit");
  const limit = rawLimit === null ? 100 : Number(rawLimit);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_EVENTS_PAGE) {
    throw new ApiError(400, "bad_request", `limit must be an integer from 1 to ${MAX_EVENTS_PAGE}`);
  }
  const before = url.searchParams.get("before") ?? undefined;
  if (before !== undefined && (before === "" || before.length > MAX_CURSOR_LENGTH)) {
    throw new ApiError(400, "bad_request", "before must be an event id");
  }
  return { limit, before };
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new ApiError(400, "bad_request", `Malformed percent-encoding in "${segment}"`);
  }
}

async function readJson(req: Request): Promise<Record<string, unknown> | null> {
  const text = await req.text();
  if (!text.trim()) return null;
  try {
    const value = JSON.parse(text);
    if (value && typeof value === "object" && !Array.isArray(value)) return value;
  } catch {
    // Answered below with one message for both cases.
  }
  throw new ApiError(400, "bad_request", "Body must be a JSON object");
}
