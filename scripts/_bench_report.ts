// Turns the load phases' samples into the printed markdown tables and their part of the results
// JSON: every path's figures, what each adds to direct, and Lumen beside its peer.
import type { FirstRequestTimes } from "./_bench_first_request.ts";
import { type PathName, PATHS } from "./_bench_paths.ts";
import type { Samples } from "./_bench_phases.ts";
import { percentile, round, summarize } from "./_bench_stats.ts";
import { formatCell, printTable } from "./_bench_table.ts";

/** CONNECTs the proxy path sent in a phase, against the requests it made. */
export interface TunnelUse {
  phase: string;
  connects: number;
  requests: number;
  /** Connections the agent may open: more CONNECTs than this means tunnels were not reused. */
  pooled: number;
}

/** Everything the load phases measured, in ms unless named otherwise; NaN where not measured. */
export interface Measured {
  latency: Samples;
  ttfc: Samples;
  gaps: Samples;
  /** Requests per second with `connections` keep-alive connections. */
  throughput: Record<PathName, number>;
  /** CPU time of the path's proxy process per request during the throughput phase. */
  cpuMsPerRequest: Record<PathName, number>;
  /** VmHWM of the path's proxy process (nginx: master plus worker) after the streams phase. */
  peakRssMb: Record<PathName, number>;
  connections: number;
  /** Usage event received on the feed minus the end of the response, as the client saw it. */
  pushDelay: { relay: number[]; proxy: number[] };
  tunnelUse: TunnelUse[];
  first: FirstRequestTimes;
  newHosts: number;
  /** The daemon's VmHWM at the end of every phase above, first requests included. */
  daemonPeakRssMb: number;
}

/** A metric per path, and what each path adds to direct. */
export interface Row {
  metric: string;
  unit: string;
  values: Record<PathName, number>;
}

const ADDED_PATHS = PATHS.filter((path) => path !== "direct");

/** Prints the tables and returns the results JSON of the load phases. */
export function reportBench(m: Measured): Record<string, unknown> {
  const at = (samples: Samples, p: number) =>
    Object.fromEntries(PATHS.map((path) => [path, percentile(samples[path], p)])) as Record<
      PathName,
      number
    >;
  const timed: Row[] = [
    { metric: "latency p50 (keep-alive, sequential)", unit: "ms", values: at(m.latency, 50) },
    { metric: "latency p99", unit: "ms", values: at(m.latency, 99) },
    { metric: "time to first chunk p50", unit: "ms", values: at(m.ttfc, 50) },
    { metric: "time to first chunk p99", unit: "ms", values: at(m.ttfc, 99) },
    { metric: "inter-chunk gap p50", unit: "ms", values: at(m.gaps, 50) },
    { metric: "inter-chunk gap p99", unit: "ms", values: at(m.gaps, 99) },
  ];
  const load: Row[] = [
    { metric: `throughput (${m.connections} conns)`, unit: "req/s", values: m.throughput },
    { metric: "CPU per request (proxy process)", unit: "ms", values: m.cpuMsPerRequest },
    { metric: "peak RSS (proxy process)", unit: "MB", values: m.peakRssMb },
  ];
  const ratios: Record<string, number> = {
    relay_vs_nginx: round(m.throughput.relay / m.throughput.nginx),
    relay_vs_floor: round(m.throughput.relay / m.throughput.floor),
    proxy_vs_mitmdump: round(m.throughput.proxy / m.throughput.mitmdump),
    ...Object.fromEntries(
      ADDED_PATHS.map((
        path,
      ) => [`${path}_vs_direct`, round(m.throughput[path] / m.throughput.direct)]),
    ),
  };
  const cpuRatios = {
    relay_vs_nginx: round(m.cpuMsPerRequest.relay / m.cpuMsPerRequest.nginx),
    relay_vs_floor: round(m.cpuMsPerRequest.relay / m.cpuMsPerRequest.floor),
    proxy_vs_mitmdump: round(m.cpuMsPerRequest.proxy / m.cpuMsPerRequest.mitmdump),
  };
  const push = { relay: summarize(m.pushDelay.relay), proxy: summarize(m.pushDelay.proxy) };
  const tunnelsReused = m.tunnelUse.every((use) => use.connects <= use.pooled);
  const { first } = m;
  // Per host: its two proxy requests and the direct one of the same round, so the differences
  // are paired and drift between rounds cancels.
  const firstMs = {
    direct: summarize(first.direct),
    proxy_new_host: summarize(first.newHost),
    proxy_cached_leaf: summarize(first.cachedLeaf),
    mint: summarize(first.newHost.map((ms, i) => ms - first.cachedLeaf[i])),
    cached_added: summarize(first.cachedLeaf.map((ms, i) => ms - first.direct[i])),
  };

  console.log(`\nPer path: every path to the same fake upstream, through the same client\n`);
  printTable(
    ["metric", ...PATHS, "unit"],
    [...timed, ...load].map((row) => [row.metric, ...PATHS.map((p) => row.values[p]), row.unit]),
  );
  console.log(
    "(CPU: user + system time of the proxy process over the throughput phase, per request; " +
      "Lumen's includes recording each usage event. Peak RSS: VmHWM after the streams phase; " +
      "relay and proxy are one daemon, so theirs is the same figure. Direct has no proxy. " +
      "Floor: a bare relay on Deno's node:http with none of Lumen's work, the least a relay on " +
      "this runtime costs.)",
  );
  console.log(`\nAdded over direct (percentile of the path minus that of direct)\n`);
  printTable(
    ["metric", ...ADDED_PATHS, "unit"],
    [
      ...timed.map((row) => [
        row.metric,
        ...ADDED_PATHS.map((path) => row.values[path] - row.values.direct),
        row.unit,
      ]),
      ["throughput × direct", ...ADDED_PATHS.map((path) => ratios[`${path}_vs_direct`]), "×"],
    ],
  );
  console.log(
    `\nLumen against its peer: throughput relay/nginx ${formatCell(ratios.relay_vs_nginx)}, ` +
      `relay/floor ${formatCell(ratios.relay_vs_floor)}, ` +
      `proxy/mitmdump ${formatCell(ratios.proxy_vs_mitmdump)}; CPU per request relay/nginx ` +
      `${formatCell(cpuRatios.relay_vs_nginx)}, relay/floor ${
        formatCell(cpuRatios.relay_vs_floor)
      }, ` +
      `proxy/mitmdump ${formatCell(cpuRatios.proxy_vs_mitmdump)}`,
  );
  console.log(
    `usage event pushed after response end: relay p50 ${push.relay.p50} ms, ` +
      `p99 ${push.relay.p99} ms; proxy p50 ${push.proxy.p50} ms, p99 ${push.proxy.p99} ms`,
  );
  const uses = m.tunnelUse.map((use) => `${use.phase} ${use.connects}/${use.requests}`);
  console.log(
    `proxy CONNECTs/requests: ${uses.join(", ")} (tunnels reused: ${tunnelsReused ? "yes" : "NO"})`,
  );
  console.log(
    `\nFirst request on a fresh connection: ${m.newHosts} never-seen hosts ` +
      `(h1…h${m.newHosts}.bench.test), each once with its leaf minted and once cached\n`,
  );
  printTable(
    [
      "",
      "direct",
      "proxy, new host",
      "proxy, cached leaf",
      "new − cached (≈ mint)",
      "cached − direct",
      "unit",
    ],
    (["p50", "p99"] as const).map((p) => [
      p,
      firstMs.direct[p],
      firstMs.proxy_new_host[p],
      firstMs.proxy_cached_leaf[p],
      firstMs.mint[p],
      firstMs.cached_added[p],
      "ms",
    ]),
  );
  console.log("(differences are percentiles of per-host paired differences)");
  console.log(`\ndaemon peak RSS over all the phases above: ${round(m.daemonPeakRssMb, 1)} MB`);

  return {
    rows: [...timed, ...load].map(rowJson),
    throughput_ratio: ratios,
    cpu_per_request_ratio: cpuRatios,
    push_delay_ms: push,
    proxy_tunnels: { reused: tunnelsReused, phases: m.tunnelUse },
    first_request_ms: { hosts: m.newHosts, ...firstMs },
    daemon_peak_rss_mb: round(m.daemonPeakRssMb, 1),
  };
}

/** A row as JSON: a figure per path, plus `<path>_added` for the timings. */
function rowJson(row: Row): Record<string, unknown> {
  const json: Record<string, unknown> = { metric: row.metric, unit: row.unit };
  for (const path of PATHS) json[path] = round(row.values[path]);
  if (row.unit === "ms" && !row.metric.startsWith("CPU")) {
    for (const path of ADDED_PATHS) {
      json[`${path}_added`] = round(row.values[path] - row.values.direct);
    }
  }
  return json;
}
