// `deno task profile [relay|proxy|stream] [seconds]`: a CPU profile of the daemon while 32
// keep-alive connections drive one path against the fake upstream, taken through the inspector
// (Deno 2.9 has no --cpu-prof). Prints where the time goes by function and by file, and writes the
// profile to bench-results/ for Chrome DevTools. Not a benchmark: the inspector slows the daemon.
import http from "node:http";
import https from "node:https";
import { startFakeUpstream } from "../tests/fake_upstream.ts";
import { startDaemon } from "../tests/_daemon.ts";
import { upstreamEnv } from "../tests/_stack.ts";
import { TunnelAgent } from "./_bench_tunnel_agent.ts";
import { Inspector } from "./_inspector.ts";
import { type CpuProfile, selfTimes } from "./_profile_summary.ts";

const PATH = Deno.args[0] ?? "relay";
const SECONDS = Number(Deno.args[1] ?? 5);
const CONNECTIONS = 32;
const WARMUP_MS = 2_000;
if (!["relay", "proxy", "stream"].includes(PATH) || !(SECONDS > 0 && SECONDS <= 600)) {
  console.error("usage: deno task profile [relay|proxy|stream] [seconds, 1-600]");
  Deno.exit(2);
}

const CHAT = {
  headers: { "x-fake-case": "openai/chat", "x-fake-chunking": "whole" },
  body: { model: "gpt-5-mini", messages: [{ role: "user", content: "hi" }] },
};
const STREAM = {
  headers: { "x-fake-case": "openai/chat_stream_usage", "x-fake-chunking": "events" },
  body: { ...CHAT.body, stream: true, stream_options: { include_usage: true } },
};

await using stack = new AsyncDisposableStack();
const upstream = await startFakeUpstream();
stack.defer(() => upstream.close());
const daemon = await startDaemon({
  env: upstreamEnv(upstream.origin, upstream.caFile),
  runFlags: ["--inspect=127.0.0.1:0"],
});
stack.defer(async () => void await daemon.stop());
const inspector = await Inspector.open(daemon.output());
stack.defer(() => inspector.close());

const viaProxy = PATH === "proxy";
const agent = viaProxy
  ? new TunnelAgent({
    keepAlive: true,
    maxSockets: CONNECTIONS,
    proxyPort: daemon.proxyPort,
    ca: await Deno.readTextFile(`${daemon.home}/ca.pem`),
  })
  : new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
stack.defer(() => agent.destroy());
const request = PATH === "stream" ? STREAM : CHAT;
const url = viaProxy
  ? "https://api.openai.com/v1/chat/completions"
  : `${daemon.proxyOrigin}/openai/v1/chat/completions`;
const body = JSON.stringify(request.body);

function once(): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = (viaProxy ? https : http).request(url, {
      method: "POST",
      agent,
      headers: { "content-type": "application/json", ...request.headers },
      timeout: 30_000,
    }, (res) => {
      res.resume();
      res.once("end", resolve);
      res.once("error", reject);
    });
    req.once("timeout", () => req.destroy(new Error("no answer within 30 s")));
    req.once("error", reject);
    req.end(body);
  });
}

/** Keeps every connection busy for `ms`; returns the requests completed. */
async function drive(ms: number): Promise<number> {
  let done = 0;
  const until = performance.now() + ms;
  await Promise.all(Array.from({ length: CONNECTIONS }, async () => {
    while (performance.now() < until) {
      await once();
      done++;
    }
  }));
  return done;
}

await drive(WARMUP_MS);
await inspector.call("Profiler.enable");
await inspector.call("Profiler.setSamplingInterval", { interval: 100 });
await inspector.call("Profiler.start");
const done = await drive(SECONDS * 1000);
const { profile } = await inspector.call("Profiler.stop") as { profile: CpuProfile };

await Deno.mkdir("bench-results", { recursive: true });
const file = `bench-results/profile-${PATH}.cpuprofile`;
await Deno.writeTextFile(file, JSON.stringify(profile));
const summary = selfTimes(profile);
console.log(`${PATH}: ${(done / SECONDS).toFixed(0)} req/s under the profiler (${SECONDS} s)`);
console.log(`Self time by layer (of ${summary.totalMs.toFixed(0)} ms sampled):`);
for (const row of summary.byLayer) console.log(row);
console.log("\nSelf time by function:");
for (const row of summary.byFunction.slice(0, 30)) console.log(row);
console.log("\nSelf time by file:");
for (const row of summary.byFile.slice(0, 20)) console.log(row);
console.log(`\nProfile: ${file} (open it in Chrome DevTools, Performance panel)`);
