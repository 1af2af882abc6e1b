// Composition root and the `lumen` CLI (see USAGE). The only file that imports everything.
import { findDashboardDir } from "./assets.ts";
import { createApiHandler } from "./api/handler.ts";
import { createTapFactory } from "./capture/usage_tap.ts";
import { composeTapFactories } from "./capture/compose_tap.ts";
import { DebugCapture } from "./capture/debug_capture.ts";
import { createDebugTapFactory } from "./capture/debug_tap.ts";
import { type Config, ConfigError, loadConfig, messageOf, prepareHome } from "./config.ts";
import { openConfigFile } from "./config_file.ts";
import { createNotifier } from "./notify.ts";
import { startBudgets } from "./notify_budgets.ts";
import { HostRegistry } from "./hosts.ts";
import { createPriceSources } from "./price_sources.ts";
import { CaError, type CertificateAuthority, createLeafCache, loadOrCreateCa } from "./tls/mod.ts";
import { startProxyListener } from "./proxy/listener.ts";
import { createUpstreamClient } from "./proxy/upstream.ts";
import { openLedger } from "./usage/ledger.ts";
import { queryHistory } from "./usage/history.ts";
import { runLap } from "./cli/lap.ts";
import { runReport } from "./cli/report.ts";
import { runStatus } from "./cli/status.ts";
import { runCa } from "./cli/ca.ts";
import { createTrustMonitor, selfCommand } from "./trust/mod.ts";
import { type ClientEnvDeps, runEnv } from "./cli/env.ts";
import { runLaunch } from "./cli/launch.ts";
import { CA_BUNDLE_NAME, writeCaBundle } from "./ca_bundle.ts";
import { createLauncherService, isExecutableFile, launcherOs } from "../launchers/mod.ts";
import { SyncConnection } from "./sync/connection.ts";
import { DEFAULT_SERVER_TEMPLATE } from "./sync/discovery.ts";
import type { QueueStatus } from "./sync/auth.ts";
import { settingsPayload } from "./sync/payload.ts";
import { SyncQueue } from "./sync/queue.ts";
import { intervalFromEnv, SyncSender } from "./sync/sender.ts";
import {
  encodeOtlp,
  encodePrometheus,
  MetricsRegistry,
  otlpConfigFromEnv,
  OtlpPusher,
} from "./metrics/mod.ts";

/** Lumen's version, reported by `/api/health` and `lumen version`. */
export const VERSION = "0.1.0";

const USAGE = `Usage: lumen [command]

Commands:
  serve          run the daemon (default)
  status         show today's and the current lap's figures from a running daemon
  lap [name]     close the current lap and start a new one
  report [--since 7d] [--until DATE] [--group day|model|provider|client|project] [--json]
                 print usage history from the database, whether or not the daemon runs;
                 --since/--until take 12h, 7d, 2w or YYYY-MM-DD (days count from local midnight)
  env [--shell bash|zsh|fish|powershell] [--mode relay|proxy]
                 print the variables that send a shell's clients through Lumen (default: your
                 shell, proxy mode): eval "$(lumen env)"; fish: lumen env | source;
                 PowerShell: lumen env | Out-String | Invoke-Expression
  launch <client> [--mode relay|proxy] [-- args]
                 start a client with those variables: claude-code, opencode, codex, gemini-cli
                 (in this terminal), cursor, claude-desktop (detached), shell
  ca trust|untrust [--print]
                 add Lumen's CA to the system trust store, or remove it (--print: only print
                 the commands; on Linux, run them as root or with the sudo lines it prints)
  ca status      the CA's fingerprint and expiry, and whether the system trusts it, checked by
                 a TLS handshake through the running proxy (exit 0 trusted, 1 not, 2 unknown)
  version        print the version`;

async function serve(config: Config): Promise<void> {
  prepareHome(config.home);
  const configFile = openConfigFile(config.home);
  const now = () => Date.now();
  // Before anything opens: a bad LUMEN_OTLP_* value stops the start with one clear line.
  const otlpConfig = otlpConfigFromEnv((name) => Deno.env.get(name));
  // First after the home: it takes the one-daemon-per-home lock (a second daemon stops here, with
  // one clear line) and rebuilds every figure from lumen.db before anything is served.
  const ledger = await openLedger(config.home, {
    now,
    log: (line) => console.error(line),
    retentionDays: () => configFile.settings.retention_days,
  });
  const aggregator = ledger.aggregator;
  const hosts = new HostRegistry(configFile);
  // Spend budgets: figures in every stats document, alerts on SSE and the desktop, optional blocking.
  const budgets = startBudgets({
    home: config.home,
    aggregator,
    db: ledger.db,
    settings: () => configFile.settings,
    providerOf: (host) => hosts.providerOf(host),
    notify: createNotifier({ os: Deno.build.os, log: (line) => console.error(line) }),
    now,
    log: (line) => console.error(line),
  });
  // Reads LUMEN_HOME/pricing-remote.json and pricing.json now; problems are logged, never thrown.
  const pricing = createPriceSources({
    home: config.home,
    url: config.pricingUrl,
    log: (line) => console.error(line),
  });
  const ca = await loadCa(config.home).catch((error) => {
    ledger.close();
    throw error;
  });
  const leaves = createLeafCache(ca);
  // For SSL_CERT_FILE and the like (`lumen env`): current with the CA and the system's roots.
  await writeCaBundle(config.home, ca.certPem).catch((error) => {
    console.error(`Cannot write ${CA_BUNDLE_NAME} in ${config.home}: ${messageOf(error)}`);
  });
  const startedAt = Date.now();
  // `/metrics` and the OTLP push count from this start (Prometheus and collectors handle resets);
  // every event the ledger commits reaches the registry through the aggregator's feed.
  const metrics = new MetricsRegistry({ startedAt, version: VERSION });
  aggregator.subscribe((message) => {
    if (message.type === "usage") metrics.record(message.data);
  });
  const otlpPusher = otlpConfig &&
    new OtlpPusher({
      ...otlpConfig,
      collect: () => encodeOtlp(metrics.collect(), { startedAt, now: now(), version: VERSION }),
      log: (line) => console.error(line),
    });
  let apiPort = config.apiPort;
  let proxyPort = config.proxyPort;
  const upstream = createUpstreamClient({
    overrides: config.upstreamOverrides,
    extraCaCerts: config.extraCaCerts,
    ownPorts: () => [proxyPort, apiPort],
  });
  const onTapError = firstCalls(5, (error: unknown) => {
    // Messages carry no content; only the first few, so a parser bug cannot flood the log.
    console.error(`Usage capture failed for one response: ${messageOf(error)}`);
  });
  const usageTaps = createTapFactory({
    now,
    providerOf: (host) => hosts.providerOf(host),
    includeStreamUsage: () => configFile.settings.include_stream_usage,
    price: (provider, usage) => pricing.pricer().price(provider, usage),
    lapId: () => aggregator.currentLapId,
    // On disk first, then in the figures and on SSE (the ledger's group commit).
    onEvent: (event) => ledger.record(event),
    onPlanWindows: (provider, windows) => ledger.recordPlanWindows(provider, windows),
    onError: onTapError,
  });
  // Opt-in, memory only, auto-disarming: its tap joins the usage tap only while it is armed.
  const debug = new DebugCapture({ now });
  const tapFor = composeTapFactories([
    usageTaps,
    createDebugTapFactory(debug, { now, onError: onTapError }),
  ], onTapError);
  const untrusted = new Set<string>();
  // Created once the proxy listens (it checks through it); read by the TLS error log before.
  let caTrust: ReturnType<typeof createTrustMonitor> | undefined = undefined;

  const proxy = await startProxyListener(config.proxyPort, {
    upstream,
    tapFor,
    now,
    onTapError,
    refuse: (host, path) => budgets.refuse(host, path),
    isMonitored: (host) => hosts.providerOf(host) !== null,
    leafFor: (host) => leaves.get(host),
    ownPorts: () => [proxyPort, apiPort],
    onClientTlsError(host, error) {
      // Lumen's own trust check fails this way while the CA is untrusted: that is its answer, and
      // the dashboard shows it; only clients' failures belong in the log.
      if (caTrust?.checking) return;
      // Once per host: the usual cause is a client that does not trust Lumen's CA yet.
      if (untrusted.has(host) || untrusted.size > 100) return;
      untrusted.add(host);
      console.error(
        `TLS handshake with a client for ${host} failed (${error.message}); ` +
          `if the client refused Lumen's certificate, make it trust ${ca.certPath}`,
      );
    },
    onInterceptError: firstCalls(5, (host: string, error: unknown) => {
      console.error(`Cannot intercept ${host}: ${messageOf(error)}`);
    }),
  }).catch((error) => {
    pricing.close();
    ledger.close();
    throw listenError("LUMEN_PROXY_PORT", config.proxyPort, error);
  });

  proxyPort = proxy.port;
  // A TLS handshake through the proxy in a child process; the API keeps its last verdict.
  caTrust = createTrustMonitor({ proxyPort, self: selfCommand(import.meta.url), now });
  const closing = new AbortController();
  // Team sync's OAuth side; `GET /api/sync` shows the delivery queue's figures.
  const queueStatus = (): QueueStatus => syncSender.status();
  const sync = new SyncConnection({
    home: config.home,
    apiPort: () => apiPort,
    serverTemplate: Deno.env.get("LUMEN_DATAGROUT_URL_TEMPLATE") || DEFAULT_SERVER_TEMPLATE,
    clientId: Deno.env.get("LUMEN_SYNC_CLIENT_ID") || undefined,
    scope: Deno.env.get("LUMEN_SYNC_SCOPE") || undefined,
    queueStatus,
    onConnected: () => syncSender.settingsChanged(),
    onDisconnected: () => syncQueue.clear(),
    now,
    log: (line) => console.error(line),
  });
  // Team sync's delivery side: while connected, events and closed laps are queued in lumen.db in
  // the transactions that store them (the hook runs at write time, after sync.start() below).
  const syncQueue = new SyncQueue(ledger.db);
  const syncSender = new SyncSender(syncQueue, sync, {
    now,
    log: (line) => console.error(line),
    intervalMs: intervalFromEnv(Deno.env.get("LUMEN_SYNC_INTERVAL_MS")),
    settings: () => settingsPayload(configFile.settings),
  });
  ledger.setWriteHook(syncSender.writeHook());
  const handler = createApiHandler({
    reader: aggregator,
    store: ledger,
    closeLap: (name) => ledger.closeLap(name),
    hosts,
    settings: {
      get settings() {
        return configFile.settings;
      },
      // A changed DataGrout toggle reaches the team server at once.
      updateSettings: (patch) =>
        configFile.updateSettings(patch).finally(() => {
          syncSender.settingsChanged();
          budgets.check(); // a lowered limit may have been reached already
        }),
    },
    pricing,
    debug,
    ca,
    caTrust,
    sync,
    metrics: { prometheusText: () => encodePrometheus(metrics.collect()) },
    launchers: createLauncherService({
      ...clientEnvDeps(config, proxy.port),
      isExecutable: isExecutableFile,
    }),
    closing: closing.signal,
    dashboardDir: findDashboardDir(),
    version: VERSION,
    proxyPort: proxy.port,
    get apiPort() {
      return apiPort;
    },
    startedAt,
    now,
  });
  let api: Deno.HttpServer<Deno.NetAddr>;
  try {
    api = Deno.serve({ hostname: "127.0.0.1", port: config.apiPort, onListen() {} }, handler);
  } catch (error) {
    pricing.close();
    await proxy.close();
    upstream.close();
    ledger.close();
    throw listenError("LUMEN_API_PORT", config.apiPort, error);
  }
  apiPort = api.addr.port;

  let stopping: Promise<void> | undefined;
  const shutdown = () =>
    stopping ??= (async () => {
      sync.close(); // its refresh timer
      budgets.stop();
      await syncSender.stop(); // abandons a request in flight: its rows keep their key
      debug.disarm(); // forgets the captures and clears the expiry timer
      caTrust.close(); // kills a running trust check's process
      closing.abort(); // ends the SSE feeds, which api.shutdown() would otherwise wait for
      pricing.close();
      await Promise.all([proxy.close(), api.shutdown()]);
      upstream.close();
      // After the proxy: the last responses' events are in the queue, and this writes them.
      ledger.close();
      // After the ledger: the final push carries the last events (bounded, never throws).
      await otlpPusher?.stop();
    })();
  // Before the start line: whoever reads it may signal at once (tests and wrappers do).
  const signals: Deno.Signal[] = Deno.build.os === "windows" ? ["SIGINT"] : ["SIGINT", "SIGTERM"];
  for (const signal of signals) Deno.addSignalListener(signal, () => void shutdown());
  console.log(
    `Lumen ${VERSION}: relay and proxy on http://127.0.0.1:${proxy.port}, ` +
      `API on http://127.0.0.1:${apiPort}, data in ${config.home}`,
  );
  console.log(`Proxy mode CA: ${ca.certPath} (SHA-256 ${ca.fingerprintSha256})`);
  sync.start(); // loads sync.json; refreshes its tokens when they near expiry
  syncSender.start(); // delivers the queue now, then every 30 s and on each closed lap
  otlpPusher?.start(); // LUMEN_OTLP_ENDPOINT: first push one interval from now
  pricing.start(); // after both listeners are up: the first download must not delay them
  void caTrust.check(); // the proxy listens now; the dashboard shows this first verdict

  await api.finished;
  // The API finishes as the shutdown begins: wait for the rest of it (the store's last write)
  // before the process exits.
  await shutdown();
}

/** What `lumen env`, `lumen launch` and the launcher API need, for clients of `proxyPort`. */
function clientEnvDeps(config: Config, proxyPort: number): ClientEnvDeps {
  return {
    os: launcherOs(Deno.build.os),
    env: (name) => Deno.env.get(name),
    paths: {
      proxyPort,
      caPath: `${config.home}/ca.pem`,
      bundlePath: `${config.home}/${CA_BUNDLE_NAME}`,
    },
    async ensureTrustFiles() {
      prepareHome(config.home);
      const ca = await loadCa(config.home);
      await writeCaBundle(config.home, ca.certPem).catch((error) => {
        throw new ConfigError(
          `Cannot write ${CA_BUNDLE_NAME} in ${config.home}: ${messageOf(error)}`,
        );
      });
    },
  };
}

/** The install's CA, created on first use; a CA problem the user can fix is a ConfigError. */
function loadCa(home: string): Promise<CertificateAuthority> {
  return loadOrCreateCa(home).catch((error) => {
    throw error instanceof CaError ? new ConfigError(error.message) : error;
  });
}

/** Wraps `fn` so that only its first `limit` calls run. */
function firstCalls<A extends unknown[]>(
  limit: number,
  fn: (...args: A) => void,
): (...args: A) => void {
  let calls = 0;
  return (...args) => {
    if (++calls <= limit) fn(...args);
  };
}

function listenError(variable: string, port: number, error: unknown): ConfigError {
  const why = error instanceof Deno.errors.AddrInUse || /EADDRINUSE|in use/i.test(messageOf(error))
    ? "the port is already in use (is another Lumen running?)"
    : messageOf(error);
  return new ConfigError(`Cannot listen on 127.0.0.1:${port} (${variable}): ${why}`);
}

async function run(args: string[]): Promise<number> {
  const [command = "serve", ...rest] = args;
  const config = loadConfig((name) => Deno.env.get(name));
  switch (command) {
    case "serve":
      await serve(config);
      return 0;
    case "status":
      return await runStatus(config.apiPort);
    case "lap":
      return await runLap(config.apiPort, rest);
    case "report":
      return runReport(rest, { home: config.home, query: queryHistory });
    case "ca":
      return await runCa(rest, {
        home: config.home,
        apiPort: config.apiPort,
        self: selfCommand(import.meta.url),
      });
    case "env":
      return await runEnv(rest, clientEnvDeps(config, config.proxyPort));
    case "launch":
      return await runLaunch(rest, {
        ...clientEnvDeps(config, config.proxyPort),
        isExecutable: isExecutableFile,
      });
    case "version":
      console.log(VERSION);
      return 0;
    case "help":
    case "--help":
    case "-h":
      console.log(USAGE);
      return 0;
    default:
      console.error(`Unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}

if (import.meta.main) {
  try {
    Deno.exit(await run(Deno.args));
  } catch (error) {
    // One clear line for problems the user can fix; a stack only for our own bugs.
    console.error(error instanceof ConfigError ? `lumen: ${error.message}` : error);
    Deno.exit(1);
  }
}
