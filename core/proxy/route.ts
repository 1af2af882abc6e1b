// Maps relay paths to provider hosts: `/openai/v1/chat/completions` → api.openai.com `/v1/chat/completions`.
//
// The prefix alone picks the host, and the rest of the path goes to that host byte for byte (never
// decoded, never normalized), so nothing after the prefix can choose another host:
// - `/openai@evil.com/v1`, `/openai\…`, `//evil.com/openai/v1`: no known prefix → null (404).
// - `@`, `%2F`, `:` or a whole URL after the prefix (`/openai/http://evil.com/`) are path data
//   for the provider host: forwarded as they are.
// - Refused (null → 404), because servers disagree on what they mean, so the path the provider
//   serves could differ from the path Lumen reads usage for: dot segments (`/openai/../x`), also
//   percent-encoded (`%2e%2e`) or split by an encoded separator (`..%2F`, `..%5C`); any backslash;
//   and a rest starting with `//`, which a server resolving it as a URL reads as another host.
//   Normalizing instead would be a trap: applied to the whole target it turns
//   `/openai/../anthropic/v1/messages` into another provider's route.
// A project prefix goes first: `/p/website/anthropic/v1/messages` is `/anthropic/v1/messages`
// tagged "website". The tag must be a project name (project.ts), so it holds no `/`, `%`, `\` and
// is no dot segment; only one `/p/` prefix is read.
import { isProjectName } from "./project.ts";

/** Relay prefix → upstream host. */
export const RELAY_ROUTES: Readonly<Record<string, string>> = {
  openai: "api.openai.com",
  anthropic: "api.anthropic.com",
  google: "generativelanguage.googleapis.com",
};

/** Where a relay request goes. */
export interface RelayTarget {
  host: string;
  /** Path and query to request upstream, starting with `/`. */
  pathWithQuery: string;
  /** The project of a `/p/<project>/…` prefix; absent without one. */
  project?: string;
}

/** The project prefix's first segment. */
const PROJECT_PREFIX = "/p/";

/** A `.` or `..` segment, once `%2e` is read as a dot and `%2f`/`%5c` as separators. */
const DOT_SEGMENT_REGEXP = /(?:^|\/)\.{1,2}(?:\/|$)/;

/**
 * Resolves a request target such as `/anthropic/v1/messages?beta=true`; null for unknown routes
 * and for paths that could mean something else upstream (see the top of this file).
 */
export function resolveRelayRoute(target: string): RelayTarget | null {
  if (!target.startsWith(PROJECT_PREFIX)) return resolveProviderRoute(target);
  const end = target.indexOf("/", PROJECT_PREFIX.length);
  if (end === -1) return null;
  const project = target.slice(PROJECT_PREFIX.length, end);
  if (!isProjectName(project)) return null;
  const route = resolveProviderRoute(target.slice(end));
  return route && { ...route, project };
}

function resolveProviderRoute(target: string): RelayTarget | null {
  if (!target.startsWith("/")) return null;
  const end = target.slice(1).search(/[/?]/);
  const prefix = end === -1 ? target.slice(1) : target.slice(1, end + 1);
  const host = Object.hasOwn(RELAY_ROUTES, prefix) ? RELAY_ROUTES[prefix] : undefined;
  if (!host) return null;
  const rest = target.slice(prefix.length + 1);
  const pathWithQuery = rest.startsWith("/") ? rest : `/${rest}`;
  return isAmbiguousPath(pathWithQuery) ? null : { host, pathWithQuery };
}

function isAmbiguousPath(pathWithQuery: string): boolean {
  const queryAt = pathWithQuery.indexOf("?");
  const path = queryAt === -1 ? pathWithQuery : pathWithQuery.slice(0, queryAt);
  if (path.startsWith("//") || path.includes("\\")) return true;
  const decoded = path.replace(/%2e/gi, ".").replace(/%2f|%5c/gi, "/");
  return DOT_SEGMENT_REGEXP.test(decoded);
}
