// Parses the `host:port` a proxy client names in CONNECT or an absolute-form URL.
import { isIP } from "node:net";

/** A proxy target: lower-case host name or IP literal (IPv6 without brackets) and port. */
export interface Authority {
  host: string;
  port: number;
}

// DNS labels (underscores allowed: some internal names use them), 253 characters at most.
const LABEL = "[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?";
const NAME_REGEXP = new RegExp(`^(?=.{1,253}$)${LABEL}(?:\\.${LABEL})*$`);

/** Parses `host:port` or `[v6]:port` (the CONNECT request-target); null when malformed. */
export function parseAuthority(target: string): Authority | null {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(target);
  if (!match) return null;
  const port = Number(match[3]);
  if (port < 1 || port > 65535) return null;
  if (match[1] !== undefined) {
    return isIP(match[1]) === 6 ? { host: match[1].toLowerCase(), port } : null;
  }
  const host = hostOf(match[2]);
  return host === null ? null : { host, port };
}

/** A lower-case IP literal or DNS name with one trailing dot dropped; null when neither. */
function hostOf(raw: string): string | null {
  const host = raw.toLowerCase().replace(/\.$/, "");
  return isIP(host) !== 0 || NAME_REGEXP.test(host) ? host : null;
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
  const host = hostOf(url.hostname.replace(/^\[|\]$/g, ""));
  const port = url.port ? Number(url.port) : secure ? 443 : 80;
  if (host === null || port === 0 || url.username || url.password) return null;
  return {
    authority: { host, port },
    origin: new URL(url.origin),
    pathWithQuery: `${url.pathname}${url.search}`,
  };
}

/**
 * True for a literal spelling of this machine (names that resolve here are caught on connect):
 * `localhost` and `*.localhost`, 127/8 and 0/8 in every IPv4 form getaddrinfo also accepts
 * (`127.1`, `2130706433`, `0x7f000001`, `0177.0.0.1`), `::1`, `::` and their IPv4-mapped forms.
 */
export function isLoopbackName(host: string): boolean {
  const name = host.toLowerCase().replace(/^\[|\]$/g, "").replace(/\.$/, "");
  if (name === "localhost" || name.endsWith(".localhost")) return true;
  const ip = canonicalIp(name);
  if (ip === null) return false;
  if (!ip.includes(":")) return ip.startsWith("127.") || ip.startsWith("0.");
  if (ip === "::1" || ip === "::") return true;
  // ::ffff:a.b.c.d is written ::ffff:XXYY:ZZWW once canonical; XX is the first IPv4 octet.
  const mapped = /^::ffff:([0-9a-f]{1,4}):[0-9a-f]{1,4}$/.exec(ip);
  const firstOctet = mapped ? parseInt(mapped[1], 16) >> 8 : -1;
  return firstOctet === 127 || firstOctet === 0;
}

/**
 * The canonical text of an IP literal (dotted quad, or compressed IPv6 without brackets), or null
 * for a name. The WHATWG URL host parser reads the same IPv4 shorthands as inet_aton(), so what is
 * canonical here is what a connect() to `host` would reach.
 */
function canonicalIp(host: string): string | null {
  if (!/^[0-9a-fx.:]+$/.test(host)) return null;
  let hostname: string;
  try {
    hostname = new URL(host.includes(":") ? `http://[${host}]/` : `http://${host}/`).hostname;
  } catch {
    return null; // e.g. 1.2.3.4.5: numeric-looking but no address, so no connect reaches it
  }
  if (hostname.startsWith("[")) return hostname.slice(1, -1);
  return /^\d+\.\d+\.\d+\.\d+$/.test(hostname) ? hostname : null;
}
