// Turns the benchmark's samples into the printed markdown tables and the results JSON.
import type { FirstRequestTimes } from "./_bench_first_request.ts";
import { percentile, round, summarize } from "./_bench_stats.ts";

/** The three ways the benchmark reaches the fake upstream. */
export type PathName = "direct" | "relay" | "proxy";

/** CONNECTs the proxy path sent in a phase, against the requests it made. */
export interface TunnelUse {
  phase: string;
  connects: number;
  requests: number;
  /** Connections the agent may open: more CONNECTs than this means tunnels were not reused. */
  pooled: number;
}

/** Everything the benchmark measured, in ms unless named otherwise. */
export interface Measured {
  latency: Record<PathName, number[]>;
  ttfc: Record<PathName, number[]>;
  gaps: Record<PathName, number[]>;
  /** Requests per second with `connections` keep-alive connections. */
  throughput: Record<PathName, number>;
  connections: number;
  /** Usage event received on the feed minus the end of the response, as the client saw it. */
  pushDelay: { relay: number[]; proxy: number[] };
  tunnelUse: TunnelUse[];
  first: FirstRequestTimes;
  newHosts: number;
  peakRssMb: number;
}

/** One table row: a figure per path and what the relay and proxy mode add to direct. */
interface Row {
  metric: string;
  unit: string;
  direct: number;
  relay: number;
  proxy: number;
  relay_added: number;
  proxy_added: number;
}

/** Prints the tables and returns the results JSON. */
export function reportBench(m: Measured): Record<string, unknown> {
  const at = (samples: Record<PathName, number[]>, p: number) => ({
    direct: percentile(samples.direct, p),
    relay: percentile(samples.relay, p),
    proxy: percentile(samples.proxy, p),
  });
  const rows = [
    rowOf("latency p50", "ms", at(m.latency, 50)),
    rowOf("latency p99", "ms", at(m.latency, 99)),
    rowOf("time to first chunk p50", "ms", at(m.ttfc, 50)),
    rowOf("time to first chunk p99", "ms", at(m.ttfc, 99)),
    rowOf("inter-chunk gap p99", "ms", at(m.gaps, 99)),
    rowOf(`throughput (${m.connections} conns)`, "req/s", m.throughput),
  ];
  const ratio = {
    relay: round(m.throughput.relay / m.throughput.direct),
    proxy: round(m.throughput.proxy / m.throughput.direct),
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
  const added = (metric: string, path: "relay" | "proxy") =>
    rows.find((row) => row.metric === metric)![`${path}_added`];
  const targets = Object.fromEntries(
    (["relay", "proxy"] as const).map((path) => [path, {
      "added p50 <= 1 ms": added("latency p50", path) <= 1,
      "added time to first chunk p99 <= 2 ms": added("time to first chunk p99", path) <= 2,
    }]),
  );
  const date = new Date().toISOString();

  console.log(
    `\nLumen benchmark: relay and proxy mode vs direct (${date}, ${Deno.build.target})\n`,
  );
  printTable(
    ["metric", "direct", "relay", "proxy", "relay added", "proxy added", "unit"],
    rows.map((r) => [r.metric, r.direct, r.relay, r.proxy, r.relay_added, r.proxy_added, r.unit]),
  );
  console.log(`\nthroughput ratio relay/direct: ${ratio.relay}, proxy/direct: ${ratio.proxy}`);
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
    ]
      .concat("unit"),
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
  console.log(`\ndaemon peak RSS: ${round(m.peakRssMb, 1)} MB`);
  console.log(`targets: ${JSON.stringify(targets)}`);

  return {
    date,
    target: Deno.build.target,
    rows,
    throughput_ratio: ratio,
    push_delay_ms: push,
    proxy_tunnels: { reused: tunnelsReused, phases: m.tunnelUse },
    first_request_ms: { hosts: m.newHosts, ...firstMs },
    peak_rss_mb: round(m.peakRssMb, 1),
    targets,
  };
}

function rowOf(metric: string, unit: string, values: Record<PathName, number>): Row {
  const { direct, relay, proxy } = values;
  return {
    metric,
    unit,
    direct: round(direct),
    relay: round(relay),
    proxy: round(proxy),
    relay_added: round(relay - direct),
    proxy_added: round(proxy - direct),
  };
}

function printTable(header: string[], rows: (string | number)[][]): void {
  console.log(`| ${header.join(" | ")} |`);
  console.log(`|${"---|".repeat(header.length)}`);
  for (const row of rows) console.log(`| ${row.join(" | ")} |`);
}
