// Reads and validates Lumen's configuration once, at startup. See DESIGN.md "Contract: configuration".

/** A configuration problem the user must fix; main.ts prints its message and exits non-zero. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Validated configuration. */
export interface Config {
  /** Absolute path of the data directory (created 0700). */
  home: string;
  proxyPort: number;
  apiPort: number;
  /** Provider host → origin to connect to instead (tests, self-hosted gateways). */
  upstreamOverrides: Map<string, URL>;
  /** Extra PEM certificates trusted for upstream TLS, besides the system roots. */
  extraCaCerts: string[];
  /** Remote price list in LiteLLM's format, fetched daily and cached in `home`. */
  pricingUrl: URL;
}

/** LiteLLM's community price list, the default remote pricing source. */
export const DEFAULT_PRICING_URL =
  "https://raw.githubusercontent.com/BerriAI/litellm/main/model_prices_and_context_window.json";

/** Reads the environment (`LUMEN_*`, `HOME`, `USERPROFILE`) into a validated Config. */
export function loadConfig(env: (name: string) => string | undefined): Config {
  return {
    home: resolveHome(env),
    proxyPort: parsePort("LUMEN_PROXY_PORT", env("LUMEN_PROXY_PORT"), 9090),
    apiPort: parsePort("LUMEN_API_PORT", env("LUMEN_API_PORT"), 9091),
    upstreamOverrides: parseOverrides(env("LUMEN_UPSTREAM_OVERRIDES")),
    extraCaCerts: readExtraCaCerts(env("LUMEN_EXTRA_CA_CERTS")),
    pricingUrl: parsePricingUrl(env("LUMEN_PRICING_URL")),
  };
}

function resolveHome(env: (name: string) => string | undefined): string {
  const explicit = env("LUMEN_HOME");
  if (explicit) return explicit;
  const base = env("HOME") || env("USERPROFILE");
  if (!base) throw new ConfigError("Cannot find a home directory: set LUMEN_HOME or HOME");
  return `${base.replace(/[\\/]+$/, "")}/.lumen`;
}

function parsePort(name: string, raw: string | undefined, fallback: number): number {
  const text = raw?.trim() ?? "";
  if (text === "") return fallback;
  // Port 0 asks the OS for a free port; the daemon prints and reports the one it got.
  if (/^\d{1,5}$/.test(text) && Number(text) <= 65535) return Number(text);
  if (/[:[\]]|^[a-z]|\..*\./i.test(text)) {
    // An address (0.0.0.0:9090, 192.168.1.5:9090, [::]:9090, localhost:9090): never honoured.
    throw new ConfigError(
      `Invalid ${name} "${raw}": Lumen only listens on 127.0.0.1, so give a port number alone ` +
        `(e.g. ${fallback}); on any other address, other machines on the network could use the ` +
        `proxy and read or change Lumen's usage data and settings`,
    );
  }
  throw new ConfigError(`Invalid ${name} "${raw}": expected a port number from 0 to 65535`);
}

function parseOverrides(raw: string | undefined): Map<string, URL> {
  const overrides = new Map<string, URL>();
  for (const item of (raw ?? "").split(",")) {
    if (!item.trim()) continue;
    const eq = item.indexOf("=");
    const host = item.slice(0, eq).trim().toLowerCase();
    const origin = item.slice(eq + 1).trim();
    let url: URL | undefined;
    try {
      url = eq > 0 ? new URL(origin) : undefined;
    } catch {
      // Reported below with the whole item, which says more than URL's message.
    }
    if (!url || !host || !/^https?:$/.test(url.protocol) || url.pathname !== "/" || url.search) {
      throw new ConfigError(
        `Invalid LUMEN_UPSTREAM_OVERRIDES item "${item}": expected host=https://host:port`,
      );
    }
    overrides.set(host, url);
  }
  return overrides;
}

function parsePricingUrl(raw: string | undefined): URL {
  const text = raw?.trim() || DEFAULT_PRICING_URL;
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    // Reported below, naming the variable, which says more than URL's message.
  }
  if (!url || !/^https?:$/.test(url.protocol)) {
    // The value is not echoed: a private price list's URL may carry a token.
    throw new ConfigError("Invalid LUMEN_PRICING_URL: expected an http:// or https:// URL");
  }
  return url;
}

function readExtraCaCerts(path: string | undefined): string[] {
  if (!path) return [];
  let text: string;
  try {
    text = Deno.readTextFileSync(path);
  } catch (error) {
    throw new ConfigError(`Cannot read LUMEN_EXTRA_CA_CERTS "${path}": ${messageOf(error)}`);
  }
  const certs = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (certs.length === 0) {
    throw new ConfigError(`Cannot use LUMEN_EXTRA_CA_CERTS "${path}": no PEM certificate in it`);
  }
  return certs;
}

/** Creates the data directory with mode 0700 (tightening an existing one) and checks it is usable. */
export function prepareHome(home: string): void {
  try {
    Deno.mkdirSync(home, { recursive: true, mode: 0o700 });
    if (Deno.build.os !== "windows") Deno.chmodSync(home, 0o700);
    const probe = `${home}/.write-test-${crypto.randomUUID()}`;
    Deno.writeFileSync(probe, new Uint8Array(), { mode: 0o600 });
    Deno.removeSync(probe);
    for (const _ of Deno.readDirSync(home)) break;
  } catch (error) {
    throw new ConfigError(`Cannot use LUMEN_HOME "${home}": ${messageOf(error)}`);
  }
}

/** The message of an unknown thrown value. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
