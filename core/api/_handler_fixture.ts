// Test support: the real API handler over real parts (the ledger — lumen.db and its aggregator —,
// host registry, settings, price sources) in a temp LUMEN_HOME, and a way to call it as a loopback
// client would.
import { DebugCapture, type DebugCaptureOptions } from "../capture/debug_capture.ts";
import { openConfigFile } from "../config_file.ts";
import { HostRegistry } from "../hosts.ts";
import { createPriceSources, type PriceSources } from "../price_sources.ts";
import type { UsageEvent } from "../types.ts";
import { openLedger } from "../usage/ledger.ts";
import { encodePrometheus, MetricsRegistry } from "../metrics/mod.ts";
import { createLauncherService } from "../../launchers/service.ts";
import type { CaTrustService, TrustVerdict } from "./ca.ts";
import { createApiHandler } from "./handler.ts";
import type { LaunchersService } from "./launchers.ts";
import type { SyncOutcome, SyncService } from "./sync.ts";
import type { SyncStatus } from "./types.ts";

/** The port the handler believes it serves; its Host check expects it. */
export const PORT = 9091;

/** A price source URL that fails at once without touching the network (fetch blocks port 9). */
export const DEAD_PRICING_URL = new URL("http://127.0.0.1:9/prices.json");

/** Options of apiFixture(). */
export interface ApiFixtureOptions {
  /** The clock; default a fixed instant. */
  now?: () => number;
  /** Where the remote price list is fetched; default DEAD_PRICING_URL. */
  pricingUrl?: URL;
  /** Options of the debug capture (its clock defaults to `now`). */
  debug?: DebugCaptureOptions;
  /** The dashboard build to serve; default a directory that does not exist. */
  dashboardDir?: string;
  /** The CA trust check; default fakeCaTrust() with its defaults. */
  caTrust?: CaTrustService;
  /** The launchers; default the real definitions on a Linux where nothing is installed. */
  launchers?: LaunchersService;
  /** Team sync; default none (its routes answer 404). */
  sync?: SyncService;
}

/** The fixture's default launchers: every definition, none installed, nothing ever started. */
export function noLaunchers(): LaunchersService {
  return createLauncherService({
    os: "linux",
    env: () => undefined,
    isExecutable: () => false,
    paths: {
      proxyPort: 9090,
      caPath: "/lumen-home/ca.pem",
      bundlePath: "/lumen-home/ca-bundle.pem",
    },
    start: () => {
      throw new Error("The API fixture starts no program");
    },
  });
}

/** What `/api/ca` shows in these tests: a stand-in certificate, since no proxy runs here. */
export const TEST_CA = {
  certPem: "-----BEGIN CERTIFICATE-----\nTEST\n-----END CERTIFICATE-----\n",
  certPath: "/lumen-home/ca.pem",
  fingerprintSha256: "AB:CD",
  notAfter: new Date(1_900_000_000_000),
  subject: "CN=Lumen test CA",
};

/**
 * A stand-in for the daemon's trust check (which starts a process): `latest` until a check, then
 * each check() answers the next of `results` (the last one repeating) and counts itself.
 */
export function fakeCaTrust(
  latest: TrustVerdict = { trusted: null, checkedAt: null, error: null },
  ...results: TrustVerdict[]
): CaTrustService & { checks: number } {
  let current = latest;
  return {
    checks: 0,
    latest: () => current,
    check() {
      current = results[Math.min(this.checks++, results.length - 1)] ??
        { trusted: null, checkedAt: 1, error: "The API fixture runs no trust check" };
      return Promise.resolve(current);
    },
  };
}

/** Builds the handler; dispose it to close the price sources and remove the temp home. */
export async function apiFixture(options: ApiFixtureOptions = {}) {
  const now = options.now ?? (() => 1_800_000_000_000);
  const home = await Deno.makeTempDir({ prefix: "lumen-api-test-" });
  const configFile = openConfigFile(home);
  const hosts = new HostRegistry(configFile);
  const ledger = await openLedger(home, {
    now,
    log: () => {},
    retentionDays: () => configFile.settings.retention_days,
  });
  const aggregator = ledger.aggregator;
  const pricing: PriceSources = createPriceSources({
    home,
    url: options.pricingUrl ?? DEAD_PRICING_URL,
    log: () => {},
    timeoutMs: 2_000,
  });
  const debug = new DebugCapture({ now, ...options.debug });
  const metrics = new MetricsRegistry({ startedAt: now(), version: "test" });
  aggregator.subscribe((message) => {
    if (message.type === "usage") metrics.record(message.data);
  });
  const closing = new AbortController();
  const handler = createApiHandler({
    reader: aggregator,
    store: ledger,
    closeLap: (name) => ledger.closeLap(name),
    hosts,
    settings: configFile,
    pricing,
    debug,
    ca: TEST_CA,
    caTrust: options.caTrust ?? fakeCaTrust(),
    launchers: options.launchers ?? noLaunchers(),
    sync: options.sync,
    // The real registry, fed like main.ts feeds it: `/metrics` shows what the ledger records.
    metrics: { prometheusText: () => encodePrometheus(metrics.collect()) },
    closing: closing.signal,
    dashboardDir: options.dashboardDir ?? `${home}/no-dashboard`,
    version: "test",
    proxyPort: 9090,
    apiPort: PORT,
    startedAt: now(),
    now,
  });
  return {
    home,
    ledger,
    /** The ledger's live figures; recording here directly skips the database. */
    aggregator,
    hosts,
    configFile,
    pricing,
    /** The debug capture behind `/api/debug/*`. */
    debug,
    handler,
    /** Calls the handler with a loopback Host header unless `init` sets one. */
    call(path: string, init: RequestInit = {}): Promise<Response> {
      const headers = new Headers(init.headers);
      if (!headers.has("host")) headers.set("host", `127.0.0.1:${PORT}`);
      return handler(new Request(`http://127.0.0.1:${PORT}${path}`, { ...init, headers }));
    },
    /** Records `events` through the store, as captured ones are, and writes them at once. */
    record(...events: UsageEvent[]): void {
      for (const event of events) ledger.record(event);
      if (!ledger.flush()) throw new Error("The fixture's store refused the events");
    },
    /** Calls the handler like call() and answers the status with the parsed JSON body. */
    async json(path: string, init: RequestInit = {}) {
      const res = await this.call(path, init);
      return { status: res.status, body: await res.json() };
    },
    /** Signals shutdown, as main.ts does on SIGTERM. */
    close(): void {
      closing.abort();
    },
    async [Symbol.asyncDispose]() {
      debug.disarm(); // clears its expiry timer
      pricing.close();
      ledger.close();
      await Deno.remove(home, { recursive: true });
    },
  };
}

export const DISCONNECTED: SyncStatus = {
  state: "disconnected",
  server: null,
  account: null,
  last_sync_at: null,
  queue_depth: 0,
  last_error: null,
};

/** A sync service that records calls and answers what each test sets. */
export function fakeSync(answers: {
  connect?: SyncOutcome<{ authorize_url: string }>;
  callback?: SyncOutcome<{ server: string; account: string | null }>;
} = {}) {
  const calls: string[] = [];
  const service: SyncService = {
    status: () => DISCONNECTED,
    connect(server) {
      calls.push(`connect ${server}`);
      return Promise.resolve(
        answers.connect ?? { ok: true, value: { authorize_url: "https://as.test/authorize?x=1" } },
      );
    },
    callback(params) {
      calls.push(`callback ${params.get("state")}`);
      return Promise.resolve(
        answers.callback ?? { ok: true, value: { server: "https://s.test", account: "a@b.test" } },
      );
    },
    disconnect() {
      calls.push("disconnect");
      return Promise.resolve(DISCONNECTED);
    },
  };
  return { service, calls };
}
