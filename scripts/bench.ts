// `deno task bench`: Lumen's relay and proxy mode (CONNECT plus TLS interception) against a direct
// connection to the same fake upstream and against peers of the same shape, nginx as a reverse
// proxy and mitmproxy's mitmdump intercepting, in one run and through one client library
// (node:https). Then the daemon's cold start, its memory idle and with 500 open streams, and the
// parsers' throughput (scripts/bench_parsers.ts). Prints markdown tables, the issue 12 targets as
// met or not, and writes bench-results/bench.json. Not a test: nothing here asserts, and a missing
// peer only skips its column.
import { startFakeUpstream } from "../tests/fake_upstream.ts";
import { startDaemon } from "../tests/_daemon.ts";
import { upstreamEnv } from "../tests/_stack.ts";
import { openUsageFeed, type UsageFeed } from "../tests/_usage_feed.ts";
import { measureColdStart } from "./_bench_cold_start.ts";
import { measureFirstRequests } from "./_bench_first_request.ts";
import { reportFootprint } from "./_bench_footprint.ts";
import { disposeOnInterrupt } from "./_bench_interrupt.ts";
import { measureOpenStreams } from "./_bench_open_streams.ts";
import {
  ActivePaths,
  type Endpoints,
  type PathName,
  PATHS,
  PEERS,
  PROXY_HOST,
} from "./_bench_paths.ts";
import { findPeerBinaries, type PeerName } from "./_bench_peer_install.ts";
import { startPeers } from "./_bench_peers.ts";
import { byPath, measureLatency, measureStreams, measureThroughput } from "./_bench_phases.ts";
import { peakRssMb, rssMb } from "./_bench_proc.ts";
import { type Measured, reportBench, type TunnelUse } from "./_bench_report.ts";
import { CHAT, streamRequest } from "./_bench_request.ts";
import { percentile } from "./_bench_stats.ts";
import { checkTargets } from "./_bench_target_checks.ts";
import { PARSERS_JSON } from "./_bench_parser_streams.ts";

const SEQUENTIAL = 1_000;
const WARMUP = 200;
/** Sequential requests per path before the next path's turn. */
const BLOCK = 100;
const THROUGHPUT_MS = 3_000;
const CONNECTIONS = 32;
const STREAMS = 100;
/** Custom hosts for the first-request phase: h1.bench.test … h100.bench.test. */
const NEW_HOSTS = 100;
/** Bounds a drain of the usage feed: far more events than any phase produces. */
const MAX_DRAIN = 1_000_000;
const FIRST_WARMUPS = 10;
const COLD_STARTS = 5;
const OPEN_STREAMS = 500;

const STREAM = streamRequest(2);

/** Takes every event already pushed, after a pause that lets in-flight ones arrive. */
async function drainFeed(feed: UsageFeed): Promise<void> {
  await new Promise((r) => setTimeout(r, 300));
  for (let i = 0; i < MAX_DRAIN && feed.pending() > 0; i++) await feed.next();
}

function step(text: string): void {
  console.log(`bench: ${text}`);
}

await using stack = new AsyncDisposableStack();
disposeOnInterrupt(stack);
const notes: string[] = [];
const binaries = await findPeerBinaries();
notes.push(...binaries.notes);

const upstream = await startFakeUpstream();
stack.defer(() => upstream.close());
const benchHosts = Array.from({ length: NEW_HOSTS }, (_, i) => `h${i + 1}.bench.test`);
// The API hosts, PROXY_HOST among them, and the first-request phase's hosts.
const daemon = await startDaemon({
  env: upstreamEnv(upstream.origin, upstream.caFile, benchHosts),
});
let daemonStopped: Promise<void> | undefined;
const stopDaemon = () => daemonStopped ??= daemon.stop().then(() => {});
stack.defer(stopDaemon);
const feed = await openUsageFeed(daemon.apiOrigin);
stack.defer(() => feed.close());
const peers = await startPeers(
  binaries.paths,
  { port: Number(new URL(upstream.origin).port), caFile: upstream.caFile },
  notes,
);
for (const peer of Object.values(peers)) stack.defer(() => peer.stop());
for (const host of benchHosts) {
  await daemon.api("/api/hosts", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ host }),
  });
}
const lumenCa = await Deno.readTextFile(`${daemon.home}/ca.pem`);
const endpoints: Endpoints = {
  upstream,
  lumen: { proxyPort: daemon.proxyPort, proxyOrigin: daemon.proxyOrigin, caPem: lumenCa },
  floor: peers.floor && { port: peers.floor.port },
  nginx: peers.nginx && { port: peers.nginx.port },
  mitmdump: peers.mitmdump && { port: peers.mitmdump.port, caPem: peers.mitmdump.caPem! },
};
const active = new ActivePaths(
  PATHS.filter((path) => !PEERS.includes(path) || peers[path as PeerName]),
  notes,
);
/** The processes that proxy a path: none for direct. */
async function pidsOf(path: PathName): Promise<number[]> {
  if (path === "relay" || path === "proxy") return [daemon.process.pid];
  if (PEERS.includes(path)) return await peers[path as PeerName]?.pids() ?? [];
  return [];
}
const tunnelUse: TunnelUse[] = [];

step(`paths ${active.list.join(", ")}; latency, ${SEQUENTIAL} sequential requests each`);
const seq = await measureLatency(endpoints, active, CHAT, {
  warmup: WARMUP,
  samples: SEQUENTIAL,
  block: BLOCK,
});
tunnelUse.push({
  phase: "latency",
  connects: seq.connects,
  requests: WARMUP + SEQUENTIAL,
  pooled: 1,
});
await drainFeed(feed);

step(`throughput, ${CONNECTIONS} connections for ${THROUGHPUT_MS / 1000} s each`);
const throughput = await measureThroughput(endpoints, active, CHAT, {
  ms: THROUGHPUT_MS,
  connections: CONNECTIONS,
  pidsOf,
});
tunnelUse.push({ phase: "throughput", ...throughput.proxy, pooled: CONNECTIONS });
await drainFeed(feed);

// Streams: time to first chunk, inter-chunk gaps, and how soon the usage event is pushed. The feed
// is empty here and delivers in order, so each monitored stream takes exactly its own event.
step(`streams, ${STREAMS} each`);
const pushDelay = { relay: [] as number[], proxy: [] as number[] };
const streams = await measureStreams(endpoints, active, STREAM, {
  count: STREAMS,
  async onStream(path, timing) {
    if (path !== "relay" && path !== "proxy") return;
    const { event, receivedAt } = await feed.next();
    if (event.mode !== path) {
      throw new Error(`Usage feed out of step: expected a ${path} event, got a ${event.mode} one`);
    }
    pushDelay[path].push(receivedAt - timing.end);
  },
});
tunnelUse.push({ phase: "streams", connects: streams.connects, requests: STREAMS, pooled: 1 });
const peakRss = byPath(() => NaN);
for (const path of active.list) {
  if (path !== "direct") peakRss[path] = await peakRssMb(await pidsOf(path));
}
for (const peer of Object.values(peers)) await peer.stop(); // frees their CPU and memory

step(`first requests to ${NEW_HOSTS} new hosts`);
const first = await measureFirstRequests({
  upstream,
  proxyPort: daemon.proxyPort,
  lumenCa,
  hosts: benchHosts,
  warmHost: PROXY_HOST,
  warmups: FIRST_WARMUPS,
  request: CHAT,
});
tunnelUse.push({
  phase: "first requests",
  connects: first.connects,
  requests: FIRST_WARMUPS + 2 * NEW_HOSTS,
  // One fresh agent per request, so one CONNECT each.
  pooled: FIRST_WARMUPS + 2 * NEW_HOSTS,
});
const daemonPeakRssMb = await peakRssMb([daemon.process.pid]);
await new Promise((r) => setTimeout(r, 2_000));
const afterLoadRssMb = await rssMb([daemon.process.pid]);
await feed.close();
await stopDaemon();

step(`cold start, ${COLD_STARTS} runs`);
const coldStart = await measureColdStart({ runs: COLD_STARTS });
step(`memory, idle and ${OPEN_STREAMS} open streams`);
const openStreams = await measureOpenStreams({ count: OPEN_STREAMS });
step("parsers (scripts/bench_parsers.ts)");
// Its table is printed with the others below; a failure there leaves the parser figures out.
const parserRun = await new Deno.Command(Deno.execPath(), {
  args: ["run", "-A", "scripts/bench_parsers.ts"],
  stdin: "null",
  stderr: "inherit",
}).output();
const parsers: { label: string; mb_per_s: number }[] = parserRun.success
  ? JSON.parse(await Deno.readTextFile(PARSERS_JSON)).rows.filter((row: { provider: string }) =>
    row.provider !== "-"
  )
  : [];
if (!parserRun.success) notes.push("scripts/bench_parsers.ts failed: no parser figures");

// A path dropped midway keeps the samples it had; only whole phases count.
const measured = new Set(active.list);
const keep = (samples: Record<PathName, number[]>) =>
  Object.fromEntries(
    PATHS.map((path) => [path, measured.has(path) ? samples[path] : []]),
  ) as Record<PathName, number[]>;
const keepValues = (values: Record<PathName, number>) =>
  Object.fromEntries(
    PATHS.map((path) => [path, measured.has(path) ? values[path] : NaN]),
  ) as Record<PathName, number>;
const m: Measured = {
  latency: keep(seq.latency),
  ttfc: keep(streams.ttfc),
  gaps: keep(streams.gaps),
  throughput: keepValues(throughput.rps),
  cpuMsPerRequest: keepValues(throughput.cpuMsPerRequest),
  peakRssMb: keepValues(peakRss),
  connections: CONNECTIONS,
  pushDelay,
  tunnelUse,
  first,
  newHosts: NEW_HOSTS,
  daemonPeakRssMb,
};

const date = new Date().toISOString();
console.log(
  `\nLumen benchmark (${date}, ${Deno.build.target}, ${navigator.hardwareConcurrency} cores)`,
);
const bench = reportBench(m);
const footprint = reportFootprint({ coldStart, openStreams, afterLoadRssMb });
console.log(new TextDecoder().decode(parserRun.stdout).trimEnd());
const added = (samples: Record<PathName, number[]>, path: PathName, p: number) =>
  percentile(samples[path], p) - percentile(samples.direct, p);
const targets = checkTargets({
  relayAddedP50Ms: added(m.latency, "relay", 50),
  relayAddedP99Ms: added(m.latency, "relay", 99),
  relayVsNginx: m.throughput.relay / m.throughput.nginx,
  proxyVsMitmdump: m.throughput.proxy / m.throughput.mitmdump,
  addedGapP99Ms: { relay: added(m.gaps, "relay", 99), proxy: added(m.gaps, "proxy", 99) },
  idleRssMb: openStreams.idle.rssMb,
  openStreamsRssMb: openStreams.open.rssMb,
  openStreams: OPEN_STREAMS,
  parsers,
  coldStartMs: percentile(coldStart.daemon, 50),
});
if (notes.length > 0) console.log(`\nNotes:\n${notes.map((note) => `- ${note}`).join("\n")}`);

const results = {
  date,
  target: Deno.build.target,
  cores: navigator.hardwareConcurrency,
  paths: [...measured],
  notes,
  ...bench,
  ...footprint,
  parsers,
  targets,
};
await Deno.mkdir("bench-results", { recursive: true });
await Deno.writeTextFile("bench-results/bench.json", JSON.stringify(results, null, 2));
console.log("\nJSON: bench-results/bench.json");
