// The :9091 API: `createApiHandler(deps)` returns `(req) => Promise<Response>`; no sockets here.
import type { Lap, UsageReader } from "../usage/aggregator.ts";
import { ApiError, json } from "./errors.ts";
import { streamEvents } from "./events.ts";
import { guardRequest } from "./guard.ts";

/** What the API reads and may change. */
export interface ApiDeps {
  reader: UsageReader;
  closeLap(name?: string): { closed: Lap; opened: Lap };
  version: string;
  proxyPort: number;
  apiPort: number;
  startedAt: number;
  now(): number;
}

const MAX_EVENTS_PAGE = 1000;

/** Creates the API request handler. */
export function createApiHandler(deps: ApiDeps): (req: Request) => Promise<Response> {
  const routes: Record<string, Partial<Record<string, (req: Request, url: URL) => unknown>>> = {
    "/api/health": {
      GET: () => ({
        ok: true,
        version: deps.version,
        proxy_port: deps.proxyPort,
        api_port: deps.apiPort,
        uptime_s: Math.floor((deps.now() - deps.startedAt) / 1000),
      }),
    },
    "/api/stats": { GET: () => deps.reader.stats() },
    "/stats": { GET: () => deps.reader.stats() },
    "/api/events": { GET: (_req, url) => ({ events: deps.reader.events(pageOf(url)) }) },
    "/api/events/stream": { GET: () => streamEvents(deps.reader) },
    "/api/laps": {
      GET: () => ({ laps: deps.reader.laps() }),
      POST: async (req) => {
        const body = await readJson(req);
        const name = body?.name;
        if (name !== undefined && (typeof name !== "string" || name.length > 200)) {
          throw new ApiError(400, "bad_request", "Lap name must be a string of at most 200 chars");
        }
        return deps.closeLap(name);
      },
    },
  };

  return async (req) => {
    try {
      guardRequest(req, deps.apiPort);
      const url = new URL(req.url);
      const route = routes[url.pathname];
      if (!route) throw new ApiError(404, "not_found", `No API route ${url.pathname}`);
      const method = req.method === "HEAD" ? "GET" : req.method;
      const handle = route[method];
      if (!handle) {
        throw new ApiError(405, "method_not_allowed", `${req.method} is not allowed here`);
      }
      const result = await handle(req, url);
      return result instanceof Response ? result : json(result);
    } catch (error) {
      if (error instanceof ApiError) return error.toResponse();
      console.error(`API error: ${error instanceof Error ? error.message : error}`);
      return new ApiError(500, "internal", "Internal error").toResponse();
    }
  };
}

function pageOf(url: URL): { limit: number; before?: string } {
  const rawLimit = url.searchParams.get("limit");
  const limit = rawLimit === null ? 100 : Number(rawLimit);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_EVENTS_PAGE) {
    throw new ApiError(400, "bad_request", `limit must be an integer from 1 to ${MAX_EVENTS_PAGE}`);
  }
  return { limit, before: url.searchParams.get("before") ?? undefined };
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
