// `deno task bench`: the relay and proxy mode (CONNECT plus TLS interception) against a direct
// connection to the same fake upstream, in one run and through one client library (node:https).
// Prints a table of what each path adds (latency, throughput, time to first chunk, usage-event push
// delay), the first request to a host whose leaf is not minted yet, and writes the figures as JSON
// to bench-results/bench.json. Not a test: nothing here asserts.
import http from "node:http";
import https from "node:https";
import { startFakeUpstream } from "../tests/fake_upstream.ts";
import { startDaemon } from "../tests/_daemon.ts";
import { openUsageFeed, type UsageFeed } from "../tests/_usage_feed.ts";
import { measureFirstRequests } from "./_bench_first_request.ts";
import { type BenchRequest, type Target, timedRequest } from "./_bench_request.ts";
import { type Measured, type PathName, reportBench, type TunnelUse } from "./_bench_report.ts";
import { TunnelAgent } from "./_bench_tunnel_agent.ts";

const SEQUENTIAL = 1_000;
const WARMUP = 200;
const THROUGHPUT_MS = 3_000;
const CONNECTIONS = 32;
const STREAMS = 100;
/** Custom hosts for the first-request phase: h1.bench.test … h100.bench.test. */
const NEW_HOSTS = 100;
const PROXY_HOST = "api.openai.com";
/** Bounds a drain of the usage feed: far more events than any phase produces. */
const MAX_DRAIN = 1_000_000;
const FIRST_WARMUPS = 10;
const PATHS: PathName[] = ["direct", "relay", "proxy"];

const CHAT: BenchRequest = {
  path: "/v1/chat/completions",
  headers: { "x-fake-case": "openai/chat", "x-fake-chunking": "whole" },
  body: JSON.stringify({ model: "gpt-5-mini", messages: [{ role: "user", content: "hi" }] }),
};
const STREAM: BenchRequest = {
  path: "/v1/chat/completions",
  headers: {
    "x-fake-case": "openai/chat_stream_usage",
    "x-fake-chunking": "events",
    "x-fake-delay-ms": "2",
  },
  body: JSON.stringify({
    model: "gpt-5-mini",
    messages: [{ role: "user", content: "hi" }],
    stream: true,
    stream_options: { include_usage: true },
  }),
};

/** Takes every event already pushed, after a pause that lets in-flight ones arrive. */
async function drainFeed(feed: UsageFeed): Promise<void> {
  await new Promise((r) => setTimeout(r, 300));
  for (let i = 0; i < MAX_DRAIN && feed.pending() > 0; i++) await feed.next();
}

function byPath<T>(make: () => T): Record<PathName, T> {
  return { direct: make(), relay: make(), proxy: make() };
}

await using stack = new AsyncDisposableStack();
const upstream = await startFakeUpstream();
stack.defer(() => upstream.close());
const benchHosts = Array.from({ length: NEW_HOSTS }, (_, i) => `h${i + 1}.bench.test`);
const daemon = await startDaemon({
  env: {
    LUMEN_UPSTREAM_OVERRIDES: [PROXY_HOST, ...benchHosts]
      .map((host) => `${host}=${upstream.origin}`)
      .join(","),
    LUMEN_EXTRA_CA_CERTS: upstream.caFile,
  },
});
stack.defer(async () => {
  await daemon.stop();
});
const feed = await openUsageFeed(daemon.apiOrigin);
stack.defer(() => feed.close());
for (const host of benchHosts) {
  await daemon.api("/api/hosts", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ host }),
  });
}
const lumenCa = await Deno.readTextFile(`${daemon.home}/ca.pem`);

/** The three paths with keep-alive agents of `maxSockets` connections each. */
function createTargets(
  maxSockets: number,
): { targets: Record<PathName, Target>; tunnels: TunnelAgent } {
  const tunnels = new TunnelAgent({
    keepAlive: true,
    maxSockets,
    proxyPort: daemon.proxyPort,
    ca: lumenCa,
  });
  const targets: Record<PathName, Target> = {
    direct: {
      name: "direct",
      url: (path) => new URL(path, upstream.origin),
      agent: new https.Agent({ keepAlive: true, maxSockets, ca: upstream.caPem }),
      lib: https,
    },
    relay: {
      name: "relay",
      url: (path) => new URL(`/openai${path}`, daemon.proxyOrigin),
      agent: new http.Agent({ keepAlive: true, maxSockets }),
      lib: http,
    },
    proxy: {
      name: "proxy",
      url: (path) => new URL(path, `https://${PROXY_HOST}`),
      agent: tunnels,
      lib: https,
    },
  };
  for (const target of Object.values(targets)) stack.defer(() => target.agent.destroy());
  return { targets, tunnels };
}

const tunnelUse: TunnelUse[] = [];

// Sequential latency on one keep-alive connection, alternating blocks to cancel drift.
const seq = createTargets(1);
const latency = byPath<number[]>(() => []);
for (const name of PATHS) {
  for (let i = 0; i < WARMUP; i++) await timedRequest(seq.targets[name], CHAT);
}
for (let block = 0; block < SEQUENTIAL / 100; block++) {
  for (const name of PATHS) {
    for (let i = 0; i < 100; i++) {
      latency[name].push((await timedRequest(seq.targets[name], CHAT)).total);
    }
  }
}
tunnelUse.push({
  phase: "latency",
  connects: seq.tunnels.connects,
  requests: WARMUP + SEQUENTIAL,
  pooled: 1,
});
for (const name of PATHS) seq.targets[name].agent.destroy();
await drainFeed(feed);

// Throughput with 32 concurrent keep-alive connections per path.
const throughput = byPath(() => 0);
const wide = createTargets(CONNECTIONS);
for (const name of PATHS) {
  const t = wide.targets[name];
  let done = 0;
  const until = performance.now() + THROUGHPUT_MS;
  await Promise.all(Array.from({ length: CONNECTIONS }, async () => {
    while (performance.now() < until) {
      await timedRequest(t, CHAT);
      done++;
    }
  }));
  throughput[name] = done / (THROUGHPUT_MS / 1000);
  if (name === "proxy") {
    tunnelUse.push({
      phase: "throughput",
      connects: wide.tunnels.connects,
      requests: done,
      pooled: CONNECTIONS,
    });
  }
  t.agent.destroy();
}
await drainFeed(feed);

// Streams: time to first chunk, inter-chunk gaps, and how soon the usage event is pushed. The feed
// is empty here and delivers in order, so each monitored stream takes exactly its own event.
const ttfc = byPath<number[]>(() => []);
const gaps = byPath<number[]>(() => []);
const pushDelay = { relay: [] as number[], proxy: [] as number[] };
const streaming = createTargets(1);
for (let i = 0; i < STREAMS; i++) {
  for (const name of PATHS) {
    const r = await timedRequest(streaming.targets[name], STREAM);
    ttfc[name].push(r.first);
    gaps[name].push(...r.gaps);
    if (name === "direct") continue;
    const { event, receivedAt } = await feed.next();
    if (event.mode !== name) {
      throw new Error(`Usage feed out of step: expected a ${name} event, got a ${event.mode} one`);
    }
    pushDelay[name].push(receivedAt - r.end);
  }
}
tunnelUse.push({
  phase: "streams",
  connects: streaming.tunnels.connects,
  requests: STREAMS,
  pooled: 1,
});
for (const name of PATHS) streaming.targets[name].agent.destroy();

// First request to a never-seen host, on fresh connections only.
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

const status = await Deno.readTextFile(`/proc/${daemon.process.pid}/status`).catch(() => "");
const measured: Measured = {
  latency,
  ttfc,
  gaps,
  throughput,
  connections: CONNECTIONS,
  pushDelay,
  tunnelUse,
  first,
  newHosts: NEW_HOSTS,
  peakRssMb: Number(status.match(/VmHWM:\s+(\d+)/)?.[1] ?? NaN) / 1024,
};
const results = reportBench(measured);
await Deno.mkdir("bench-results", { recursive: true });
await Deno.writeTextFile("bench-results/bench.json", JSON.stringify(results, null, 2));
console.log("\nJSON: bench-results/bench.json");
console.log(JSON.stringify(results));
