// `deno task bench`: the relay against a direct connection to the same fake upstream, in one run.
// Prints a table of what Lumen adds (latency, throughput, time to first chunk, event push delay)
// and writes the figures as JSON to bench-results/relay.json. Not a test: nothing here asserts.
import http from "node:http";
import https from "node:https";
import { startFakeUpstream } from "../tests/fake_upstream.ts";
import { startDaemon } from "../tests/_daemon.ts";
import { openUsageFeed } from "../tests/_usage_feed.ts";

const SEQUENTIAL = 1_000;
const THROUGHPUT_MS = 3_000;
const CONNECTIONS = 32;
const STREAMS = 100;

interface Target {
  name: string;
  url: (path: string) => URL;
  agent: http.Agent;
  lib: typeof http | typeof https;
}

/** One request; resolves with the ms to the first body byte, to the end, and the chunk gaps. */
function timedRequest(target: Target, path: string, headers: Record<string, string>, body: string) {
  return new Promise<{ first: number; total: number; gaps: number[]; end: number }>(
    (resolve, reject) => {
      const start = performance.now();
      const req = target.lib.request(target.url(path), {
        method: "POST",
        agent: target.agent,
        headers: { "content-type": "application/json", ...headers },
      });
      req.on("response", (res) => {
        let first = 0;
        let last = 0;
        const gaps: number[] = [];
        res.on("data", () => {
          const now = performance.now();
          if (!first) first = now - start;
          else gaps.push(now - last);
          last = now;
        });
        res.on("end", () => {
          const end = performance.now();
          resolve({ first, total: end - start, gaps, end });
        });
        res.on("error", reject);
      });
      req.on("error", reject);
      req.end(body);
    },
  );
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Takes every event already pushed, after a pause that lets in-flight ones arrive. */
async function drainFeed(): Promise<void> {
  await new Promise((r) => setTimeout(r, 300));
  while (feed.pending() > 0) await feed.next();
}

const round = (n: number, digits = 3) => Math.round(n * 10 ** digits) / 10 ** digits;

const upstream = await startFakeUpstream();
const daemon = await startDaemon({
  env: {
    LUMEN_UPSTREAM_OVERRIDES: `api.openai.com=${upstream.origin}`,
    LUMEN_EXTRA_CA_CERTS: upstream.caFile,
  },
});
const feed = await openUsageFeed(daemon.apiOrigin);

function targets(maxSockets: number): Target[] {
  return [
    {
      name: "direct",
      url: (path) => new URL(path, upstream.origin),
      agent: new https.Agent({ keepAlive: true, maxSockets, ca: upstream.caPem }),
      lib: https,
    },
    {
      name: "relay",
      url: (path) => new URL(`/openai${path}`, daemon.proxyOrigin),
      agent: new http.Agent({ keepAlive: true, maxSockets }),
      lib: http,
    },
  ];
}

const chat = { "x-fake-case": "openai/chat", "x-fake-chunking": "whole" };
const chatBody = JSON.stringify({
  model: "gpt-5-mini",
  messages: [{ role: "user", content: "hi" }],
});
const results: Record<string, unknown> = {};

try {
  // Sequential latency on one keep-alive connection, alternating blocks to cancel drift.
  const seq = targets(1);
  const latency: Record<string, number[]> = { direct: [], relay: [] };
  for (const t of seq) {
    for (let i = 0; i < 200; i++) await timedRequest(t, "/v1/chat/completions", chat, chatBody);
  }
  for (let block = 0; block < SEQUENTIAL / 100; block++) {
    for (const t of seq) {
      for (let i = 0; i < 100; i++) {
        latency[t.name].push((await timedRequest(t, "/v1/chat/completions", chat, chatBody)).total);
      }
    }
  }
  await drainFeed();

  // Throughput with 32 concurrent keep-alive connections.
  const throughput: Record<string, number> = {};
  for (const t of targets(CONNECTIONS)) {
    let done = 0;
    const until = performance.now() + THROUGHPUT_MS;
    await Promise.all(Array.from({ length: CONNECTIONS }, async () => {
      while (performance.now() < until) {
        await timedRequest(t, "/v1/chat/completions", chat, chatBody);
        done++;
      }
    }));
    throughput[t.name] = done / (THROUGHPUT_MS / 1000);
    t.agent.destroy();
  }
  await drainFeed();

  // Streams: time to first chunk, inter-chunk delay, and how soon the usage event is pushed.
  const streamHeaders = {
    "x-fake-case": "openai/chat_stream_usage",
    "x-fake-chunking": "events",
    "x-fake-delay-ms": "2",
  };
  const streamBody = JSON.stringify({
    model: "gpt-5-mini",
    messages: [{ role: "user", content: "hi" }],
    stream: true,
    stream_options: { include_usage: true },
  });
  const ttfc: Record<string, number[]> = { direct: [], relay: [] };
  const gaps: Record<string, number[]> = { direct: [], relay: [] };
  const pushDelay: number[] = [];
  const streamTargets = targets(1);
  for (let i = 0; i < STREAMS; i++) {
    for (const t of streamTargets) {
      const r = await timedRequest(t, "/v1/chat/completions", streamHeaders, streamBody);
      ttfc[t.name].push(r.first);
      gaps[t.name].push(...r.gaps);
      if (t.name === "relay") pushDelay.push((await feed.next()).receivedAt - r.end);
    }
  }
  for (const t of [...seq, ...streamTargets]) t.agent.destroy();

  const rows: [string, number, number, number, string][] = [];
  const add = (metric: string, direct: number, relay: number, unit: string) =>
    rows.push([metric, round(direct), round(relay), round(relay - direct), unit]);
  add("latency p50", percentile(latency.direct, 50), percentile(latency.relay, 50), "ms");
  add("latency p99", percentile(latency.direct, 99), percentile(latency.relay, 99), "ms");
  add("time to first chunk p50", percentile(ttfc.direct, 50), percentile(ttfc.relay, 50), "ms");
  add("time to first chunk p99", percentile(ttfc.direct, 99), percentile(ttfc.relay, 99), "ms");
  add("inter-chunk gap p99", percentile(gaps.direct, 99), percentile(gaps.relay, 99), "ms");
  add(`throughput (${CONNECTIONS} conns)`, throughput.direct, throughput.relay, "req/s");

  const status = await Deno.readTextFile(`/proc/${daemon.process.pid}/status`).catch(() => "");
  const peakRssMb = Number(status.match(/VmHWM:\s+(\d+)/)?.[1] ?? NaN) / 1024;

  console.log(`\nLumen relay benchmark (${new Date().toISOString()}, ${Deno.build.target})\n`);
  console.log("| metric | direct | relay | added | unit |\n|---|---|---|---|---|");
  for (const row of rows) console.log(`| ${row.join(" | ")} |`);
  const ratio = round(throughput.relay / throughput.direct, 3);
  console.log(`\nthroughput ratio relay/direct: ${ratio}`);
  console.log(
    `usage event pushed after response end: p50 ${round(percentile(pushDelay, 50))} ms, ` +
      `p99 ${round(percentile(pushDelay, 99))} ms`,
  );
  console.log(`daemon peak RSS: ${round(peakRssMb, 1)} MB`);
  const targetsMet = {
    "added p50 <= 1 ms": rows[0][3] <= 1,
    "added time to first chunk p99 <= 2 ms": rows[3][3] <= 2,
  };
  console.log(`targets: ${JSON.stringify(targetsMet)}`);

  Object.assign(results, {
    date: new Date().toISOString(),
    target: Deno.build.target,
    rows: rows.map(([metric, direct, relay, added, unit]) => ({
      metric,
      direct,
      relay,
      added,
      unit,
    })),
    throughput_ratio: ratio,
    push_delay_ms: { p50: round(percentile(pushDelay, 50)), p99: round(percentile(pushDelay, 99)) },
    peak_rss_mb: round(peakRssMb, 1),
    targets: targetsMet,
  });
  await Deno.mkdir("bench-results", { recursive: true });
  await Deno.writeTextFile("bench-results/relay.json", JSON.stringify(results, null, 2));
  console.log("\nJSON: bench-results/relay.json");
  console.log(JSON.stringify(results));
} finally {
  await feed.close();
  await daemon.stop();
  await upstream.close();
}
