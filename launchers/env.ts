// The variables that send a client's traffic through Lumen, per mode and per client. Pure.
import type { EnvName, LauncherDefinition, LaunchMode } from "./definitions.ts";

/** Where Lumen listens and where its trust files are. */
export interface EnvPaths {
  proxyPort: number;
  /** LUMEN_HOME/ca.pem: Lumen's CA alone, for variables that add to a trust store. */
  caPath: string;
  /** LUMEN_HOME/ca-bundle.pem: system roots plus Lumen's CA, for variables that replace one. */
  bundlePath: string;
}

/** Loopback in every spelling clients compare NO_PROXY against. */
export const LOOPBACK_NO_PROXY = "localhost,127.0.0.1,::1";

/**
 * Every variable of `mode`. Relay: each SDK's base URL on the relay, and NO_PROXY so that a proxy
 * the user already has does not catch loopback traffic. Proxy: HTTPS_PROXY in both cases (curl
 * reads only the lower-case one, most others either), Lumen's CA for Node (which adds it to its
 * roots) and the combined bundle for OpenSSL, Python requests and curl (which replace theirs).
 */
export function launchEnv(mode: LaunchMode, paths: EnvPaths): Partial<Record<EnvName, string>> {
  const origin = `http://127.0.0.1:${checkPort(paths.proxyPort)}`;
  const shared = { NO_PROXY: LOOPBACK_NO_PROXY, no_proxy: LOOPBACK_NO_PROXY };
  if (mode === "relay") {
    return {
      ANTHROPIC_BASE_URL: `${origin}/anthropic`,
      OPENAI_BASE_URL: `${origin}/openai/v1`,
      GOOGLE_GEMINI_BASE_URL: `${origin}/google`,
      ...shared,
    };
  }
  return {
    HTTPS_PROXY: origin,
    https_proxy: origin,
    ...shared,
    NODE_EXTRA_CA_CERTS: paths.caPath,
    NODE_USE_ENV_PROXY: "1",
    SSL_CERT_FILE: paths.bundlePath,
    REQUESTS_CA_BUNDLE: paths.bundlePath,
    CURL_CA_BUNDLE: paths.bundlePath,
  };
}

/**
 * The variables `launcher` reads in `mode`, in its definition's order; a mode it does not support
 * is a TypeError.
 */
export function envFor(
  launcher: LauncherDefinition,
  mode: LaunchMode,
  paths: EnvPaths,
): Record<string, string> {
  const names = launcher.variables[mode];
  if (!names) throw new TypeError(`${launcher.name} does not support ${mode} mode`);
  const all = launchEnv(mode, paths);
  if (launcher.anthropicBaseIncludesV1 && all.ANTHROPIC_BASE_URL) all.ANTHROPIC_BASE_URL += "/v1";
  const env: Record<string, string> = {};
  for (const name of names) {
    const value = all[name];
    if (value === undefined) throw new TypeError(`${name} is not a ${mode} mode variable`);
    env[name] = value;
  }
  return env;
}

/**
 * Adds the entries of an inherited NO_PROXY list to ours, so starting a client through Lumen
 * keeps the exclusions the user already had (a company's internal hosts, say).
 */
export function mergeNoProxy(
  env: Record<string, string>,
  inherited: string | undefined,
): Record<string, string> {
  if (!inherited || !("NO_PROXY" in env)) return env;
  const entries = [...env.NO_PROXY.split(","), ...inherited.split(",")]
    .map((entry) => entry.trim())
    .filter((entry, i, all) => entry !== "" && all.indexOf(entry) === i);
  const merged: Record<string, string> = { ...env, NO_PROXY: entries.join(",") };
  if ("no_proxy" in env) merged.no_proxy = merged.NO_PROXY;
  return merged;
}

function checkPort(port: number): number {
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new RangeError(
      `Cannot point clients at proxy port ${port}: set LUMEN_PROXY_PORT to the port Lumen listens on`,
    );
  }
  return port;
}
