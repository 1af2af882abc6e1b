// Maps relay paths to provider hosts: `/openai/v1/chat/completions` → api.openai.com `/v1/chat/completions`.

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
}

/** Resolves a request target such as `/anthropic/v1/messages?beta=true`; null for unknown routes. */
export function resolveRelayRoute(target: string): RelayTarget | null {
  if (!target.startsWith("/")) return null;
  const end = target.slice(1).search(/[/?]/);
  const prefix = end === -1 ? target.slice(1) : target.slice(1, end + 1);
  const host = Object.hasOwn(RELAY_ROUTES, prefix) ? RELAY_ROUTES[prefix] : undefined;
  if (!host) return null;
  const rest = target.slice(prefix.length + 1);
  return { host, pathWithQuery: rest.startsWith("/") ? rest : `/${rest}` };
}
