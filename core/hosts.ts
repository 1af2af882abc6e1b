// Which hosts Lumen reads usage from: the built-in provider hosts plus the user's custom hosts.
import { ConfigError } from "./config.ts";
import type { HostEntry, Provider } from "./types.ts";

/** Where custom hosts are saved (ConfigFile in the daemon). */
export interface HostStore {
  /** Shown in the error about a bad saved host. */
  readonly path: string;
  readonly hosts: readonly string[];
  /** Saves `change(current)`; rejects when saving failed, leaving `hosts` as it was. */
  updateHosts(change: (hosts: readonly string[]) => readonly string[]): Promise<void>;
}

/** The outcome of `HostRegistry.add()`; `created` is false when the host was already custom. */
export type AddHostResult =
  | { ok: true; entry: HostEntry; created: boolean }
  | { ok: false; reason: string };

/** The outcome of `HostRegistry.remove()`. */
export type RemoveHostResult = "removed" | "not_found" | "built_in";

/** Hosts monitored out of the box. */
export const BUILT_IN_HOSTS: Readonly<Record<string, Provider>> = {
  "api.openai.com": "openai",
  "api.anthropic.com": "anthropic",
  "generativelanguage.googleapis.com": "google",
  // Cursor spreads its API over numbered and nested subdomains (api2., agent.api5., …).
  "*.cursor.sh": "cursor",
  "claude.ai": "claude_ai",
};

const HINT = "give a host name like llm.example.com, without https:// or a path";
const LABEL_REGEXP = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const IPV4_REGEXP =
  /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const BUILT_IN = indexHosts(Object.entries(BUILT_IN_HOSTS));

type HostCheck = { ok: true; host: string } | { ok: false; reason: string };

/**
 * Normalizes a custom host the user typed, or says why it cannot be added: DNS names, `*.`
 * wildcards over at least two labels, `localhost`, IPv4 and IPv6 literals; not built-in hosts.
 */
export function checkCustomHost(input: string): HostCheck {
  const checked = parseHost(input);
  if (checked.ok && lookup(checked.host, BUILT_IN)) {
    return { ok: false, reason: `"${checked.host}" is already monitored (built in)` };
  }
  return checked;
}

/** The built-in and custom hosts; `providerOf` runs for every request, so lookups are map hits. */
export class HostRegistry {
  #store: HostStore;
  #custom: HostIndex;

  /** Reads the saved custom hosts; throws ConfigError naming the file when one is invalid. */
  constructor(store: HostStore) {
    for (const host of store.hosts) {
      const checked = parseHost(host);
      if (!checked.ok) {
        throw new ConfigError(
          `Cannot use host "${host}" in ${store.path}: ${checked.reason}; fix it, or remove it`,
        );
      }
    }
    this.#store = store;
    this.#custom = indexCustomHosts(store.hosts);
  }

  /** The provider of `host` (any case, port, brackets or trailing dot), or null. */
  providerOf(host: string): Provider | null {
    const name = normalizeHost(host);
    return lookup(name, BUILT_IN) ?? lookup(name, this.#custom);
  }

  /** Every monitored host, built-in ones first. */
  list(): HostEntry[] {
    const entries = (index: HostIndex, built_in: boolean) =>
      [...index.providers].map(([host, provider]) => ({ host, provider, built_in }));
    return [...entries(BUILT_IN, true), ...entries(this.#custom, false)];
  }

  /** Validates and saves a custom host; it is monitored once the returned promise resolves. */
  async add(input: string): Promise<AddHostResult> {
    const checked = checkCustomHost(input);
    if (!checked.ok) return checked;
    let created = false;
    await this.#store.updateHosts((hosts) => {
      created = !hosts.some((saved) => sameHost(saved, checked.host));
      return created ? [...hosts, checked.host] : hosts;
    });
    this.#custom = indexCustomHosts(this.#store.hosts);
    return {
      ok: true,
      entry: { host: checked.host, provider: "custom", built_in: false },
      created,
    };
  }

  /** Removes a custom host and saves the change; built-in hosts cannot be removed. */
  async remove(input: string): Promise<RemoveHostResult> {
    const checked = parseHost(input);
    if (!checked.ok) return "not_found";
    if (Object.hasOwn(BUILT_IN_HOSTS, checked.host)) return "built_in";
    let found = false;
    await this.#store.updateHosts((hosts) => {
      const kept = hosts.filter((saved) => !sameHost(saved, checked.host));
      found = kept.length < hosts.length;
      return found ? kept : hosts;
    });
    this.#custom = indexCustomHosts(this.#store.hosts);
    return found ? "removed" : "not_found";
  }
}

function parseHost(input: string): HostCheck {
  const raw = input.trim().toLowerCase();
  const refuse = (problem: string) => ({ ok: false as const, reason: `${problem}: ${HINT}` });
  if (!raw) return refuse("The host is empty");
  if (/[/?#@\\]/.test(raw)) return refuse(`"${input.trim()}" is not a host name`);
  if (/\s/.test(raw)) return refuse(`"${input.trim()}" contains a space`);
  const bracketed = /^\[(.*)\]$/.exec(raw)?.[1];
  const colons = raw.split(":").length - 1;
  if (bracketed === undefined && (raw.startsWith("[") || colons === 1)) {
    return { ok: false, reason: `Drop the port from "${raw}": every port of a host is monitored` };
  }
  if (bracketed !== undefined || colons > 1) {
    const ip = canonicalIpv6(bracketed ?? raw);
    return ip
      ? { ok: true, host: ip }
      : { ok: false, reason: `"${raw}" is not a valid IPv6 address` };
  }
  const name = raw.endsWith(".") ? raw.slice(0, -1) : raw;
  const problem = dnsProblem(name);
  return problem ? { ok: false, reason: problem } : { ok: true, host: name };
}

function sameHost(saved: string, host: string): boolean {
  const checked = parseHost(saved);
  return checked.ok && checked.host === host;
}

/** Indexes saved custom hosts, skipping any that became built in after they were saved. */
function indexCustomHosts(hosts: readonly string[]): HostIndex {
  const entries: [string, Provider][] = [];
  for (const host of hosts) {
    const checked = parseHost(host);
    if (checked.ok && !lookup(checked.host, BUILT_IN)) entries.push([checked.host, "custom"]);
  }
  return indexHosts(entries);
}

interface HostIndex {
  /** Every name as listed, in insertion order. */
  providers: Map<string, Provider>;
  exact: Map<string, Provider>;
  /** Keyed by the part after `*.`. */
  wildcard: Map<string, Provider>;
}

function indexHosts(entries: [string, Provider][]): HostIndex {
  const index: HostIndex = { providers: new Map(), exact: new Map(), wildcard: new Map() };
  for (const [host, provider] of entries) {
    index.providers.set(host, provider);
    if (host.startsWith("*.")) index.wildcard.set(host.slice(2), provider);
    else index.exact.set(host, provider);
  }
  return index;
}

/** Exact names first, then wildcards from the closest parent domain outwards. */
function lookup(name: string, index: HostIndex): Provider | null {
  const exact = index.exact.get(name);
  if (exact) return exact;
  for (let dot = name.indexOf("."); dot !== -1; dot = name.indexOf(".", dot + 1)) {
    const hit = index.wildcard.get(name.slice(dot + 1));
    if (hit) return hit;
  }
  return null;
}

function normalizeHost(host: string): string {
  let name = host.toLowerCase();
  if (name.startsWith("[")) return canonicalIpv6(name.slice(1, name.indexOf("]"))) ?? name;
  const colon = name.indexOf(":");
  if (colon !== -1) {
    // One colon separates a port; more make a bare IPv6 literal.
    if (colon === name.lastIndexOf(":")) name = name.slice(0, colon);
    else return canonicalIpv6(name) ?? name;
  }
  return name.endsWith(".") ? name.slice(0, -1) : name;
}

/** The one spelling of an IPv6 literal (`0:0::1` → `::1`), or null when it is not one. */
function canonicalIpv6(literal: string): string | null {
  try {
    return new URL(`http://[${literal}]/`).hostname.slice(1, -1);
  } catch {
    return null; // Not an IPv6 literal; the caller says so.
  }
}

function dnsProblem(name: string): string | null {
  if (name.length > 253) return `"${name}" is longer than the 253 characters a host name may have`;
  const wildcard = name.startsWith("*.");
  const labels = (wildcard ? name.slice(2) : name).split(".");
  if (labels.some((label) => label.includes("*"))) {
    return `"${name}" has a misplaced "*": a wildcard is a whole first label, as in *.example.com`;
  }
  if (labels.includes("")) {
    return `"${name}" has an empty label (two dots in a row, or a leading dot)`;
  }
  if (wildcard && labels.length < 2) {
    return `"${name}" is too broad: a wildcard needs two labels after "*.", as in *.example.com`;
  }
  if (/^\d+$/.test(labels.at(-1)!)) {
    if (wildcard) return `"${name}" is not a domain: a wildcard needs a name, as in *.example.com`;
    return IPV4_REGEXP.test(name) ? null : `"${name}" is not a valid IPv4 address`;
  }
  for (const label of labels) {
    if (label.length > 63) return `"${name}" has a label longer than 63 characters`;
    if (/\P{ASCII}/u.test(label)) {
      return `"${name}" has non-ASCII letters: use its xn-- (punycode) form`;
    }
    if (!LABEL_REGEXP.test(label)) {
      return `"${name}" may only use letters, digits and "-" (not at a label's start or end)`;
    }
  }
  return null;
}
