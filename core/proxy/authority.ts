// Parses the `host:port` a proxy client names in CONNECT or an absolute-form URL.

/** A proxy target: lower-case host name or IP literal (IPv6 without brackets) and port. */
export interface Authority {
  host: string;
  port: number;
}

const NAME_REGEXP = /^[a-z0-9_]([a-z0-9_.-]{0,251}[a-z0-9_.])?$/;

/** Parses `host:port` or `[v6]:port` (the CONNECT request-target); null when malformed. */
export function parseAuthority(target: string): Authority | null {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(target);
  if (!match) return null;
  const port = Number(match[3]);
  if (port < 1 || port > 65535) return null;
  if (match[1] !== undefined) return { host: match[1].toLowerCase(), port };
  const host = match[2].toLowerCase().replace(/\.$/, "");
  return NAME_REGEXP.test(host) ? { host, port } : null;
}

/** Parses an absolute-form request target (`http://host:port/path?q`); null when it is not one. */
export function parseAbsoluteTarget(
  target: string,
): { authority: Authority; origin: URL; pathWithQuery: string } | null {
  if (!/^https?:\/\//i.test(target)) return null;
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return null;
  }
  const secure = url.protocol === "https:";
  const host = url.hostname.replace(/^\[|\]$/g, "").toLowerCase().replace(/\.$/, "");
  if (!host || url.username || url.password) return null;
  return {
    authority: { host, port: url.port ? Number(url.port) : secure ? 443 : 80 },
    origin: new URL(url.origin),
    pathWithQuery: `${url.pathname}${url.search}`,
  };
}

/** True for a literal spelling of this machine (names that resolve here are caught on connect). */
export function isLoopbackName(host: string): boolean {
  return host === "localhost" || host.endsWith(".localhost") || host.startsWith("127.") ||
    host === "::1" || host === "0.0.0.0" || host === "::" || /^::ffff:127\./i.test(host);
}
