// Soak: `deno run -A scripts/bench_soak.ts [--minutes 30] [--rate 100]`. One daemon in front of the
// fake upstream takes a steady mix of relay and proxy requests and streams (_bench_soak_load.ts)
// for the whole run, while its RSS and open descriptors are read every 10 s. A leak grows them
// steadily, so after a warm-up the last third of the samples is compared with the first third.
// Prints the samples as they come, then the verdict; writes bench-results/bench_soak.json. Not a
// test: it reports and exits 0 either way.
import { parseArgs } from "node:util";
import { startFakeUpstream } from "../tests/fake_upstream.ts";
import { startDaemon } from "../tests/_daemon.ts";
import { upstreamEnv } from "../tests/_stack.ts";
import { disposeOnInterrupt } from "./_bench_interrupt.ts";
import { cpuMs, openFds, rssMb } from "./_bench_proc.ts";
import { SoakLoad } from "./_bench_soak_load.ts";
import { percentile, round } from "./_bench_stats.ts";
import { formatCell } from "./_bench_table.ts";

const SAMPLE_MS = 10_000;
/** The first fifth of the samples (at least one) is warm-up: pools fill, the JIT settles. */
const WARMUP_SHARE = 0.2;
const MAX_IN_FLIGHT = 64;
/** "Flat": the last third's median RSS within this much of the first third's. */
const RSS_SLACK = { mb: 5, share: 0.05 };
/** "Flat": open descriptors within this many (in-flight connections come and go). */
const FD_SLACK = 8;

interface Sample {
  at_s: number;
  requests: number;
  errors: number;
  in_flight: number;
  /** Plain calls on kept-alive connections (relay and proxy) in the last interval. */
  call_p50_ms: number;
  call_p99_ms: number;
  /** The daemon's CPU time (user + system) over the last interval, in % of one core. */
  cpu_pct: number;
  rss_mb: number;
  fds: number;
}

const { values } = parseArgs({
  args: Deno.args,
  options: { minutes: { type: "string" }, rate: { type: "string" } },
});
const minutes = Number(values.minutes ?? 30);
const rate = Number(values.rate ?? 100);
if (!(minutes > 0) || !(rate > 0)) throw new RangeError("--minutes and --rate must be positive");

await using stack = new AsyncDisposableStack();
disposeOnInterrupt(stack);
const upstream = await startFakeUpstream();
stack.defer(() => upstream.close());
const daemon = await startDaemon({ env: upstreamEnv(upstream.origin, upstream.caFile) });
stack.defer(async () => {
  await daemon.stop();
});
const startupOutput = daemon.output().length;
const pid = daemon.process.pid;
const load = new SoakLoad({
  proxyPort: daemon.proxyPort,
  proxyOrigin: daemon.proxyOrigin,
  caPem: await Deno.readTextFile(`${daemon.home}/ca.pem`),
});

console.log(
  `Soak: ${minutes} min at ${rate} requests/s (relay and proxy, plain and streamed, kept-alive, ` +
    `fresh and abandoned), daemon pid ${pid} sampled every ${SAMPLE_MS / 1000} s\n`,
);
const header = [
  "time (s)",
  "requests",
  "errors",
  "in flight",
  "call p50 (ms)",
  "call p99 (ms)",
  "daemon CPU %",
  "RSS (MB)",
  "open fds",
];
const row = (cells: string[]) =>
  `| ${cells.map((cell, i) => cell.padEnd(header[i].length)).join(" | ")} |`;
console.log(`${row(header)}\n|${header.map((title) => "-".repeat(title.length + 2)).join("|")}|`);
const started = performance.now();
const untilMs = started + minutes * 60_000;
const samples: Sample[] = [];
const sampling = (async () => {
  let cpuBefore = await cpuMs([pid]);
  for (let n = 1; started + n * SAMPLE_MS <= untilMs; n++) {
    await new Promise((r) =>
      setTimeout(r, Math.max(0, started + n * SAMPLE_MS - performance.now()))
    );
    const counts = load.counts;
    const calls = load.takeLatencies();
    const cpu = await cpuMs([pid]);
    const sample: Sample = {
      at_s: n * SAMPLE_MS / 1000,
      requests: counts.completed,
      errors: counts.errors,
      in_flight: counts.inFlight,
      call_p50_ms: round(percentile(calls, 50), 2),
      call_p99_ms: round(percentile(calls, 99), 2),
      cpu_pct: round((cpu - cpuBefore) / SAMPLE_MS * 100, 1),
      rss_mb: round(await rssMb([pid]), 1),
      fds: await openFds(pid),
    };
    cpuBefore = cpu;
    samples.push(sample);
    console.log(row(Object.values(sample).map(formatCell)));
  }
})();
await load.run({ rate, untilMs, maxInFlight: MAX_IN_FLIGHT });
await sampling;

const counts = load.counts;
// Events reach the stats once committed, at most a commit gap after the response: let the last in.
await new Promise((r) => setTimeout(r, 300));
const stats = await daemon.api("/api/stats").catch(() => null);
const warmup = Math.max(1, Math.ceil(samples.length * WARMUP_SHARE));
const steady = samples.slice(warmup);
const third = Math.floor(steady.length / 3);
const median = (list: Sample[], key: "rss_mb" | "fds") => percentile(list.map((s) => s[key]), 50);
let verdict: Record<string, unknown> = { enough_samples: false };
if (third >= 1) {
  const [first, last] = [steady.slice(0, third), steady.slice(-third)];
  const rss = { first: median(first, "rss_mb"), last: median(last, "rss_mb") };
  const fds = { first: median(first, "fds"), last: median(last, "fds") };
  const rssFlat = rss.last - rss.first <= Math.max(RSS_SLACK.mb, rss.first * RSS_SLACK.share);
  const fdsFlat = fds.last - fds.first <= FD_SLACK;
  verdict = {
    enough_samples: true,
    rss_mb: { ...rss, flat: rssFlat },
    fds: { ...fds, flat: fdsFlat },
  };
  console.log(
    `\nAfter ${warmup} warm-up sample(s), median of the first third vs the last third ` +
      `(${third} samples each):`,
  );
  console.log(
    `- RSS: ${round(rss.first, 1)} → ${round(rss.last, 1)} MB ` +
      `(${rss.last >= rss.first ? "+" : ""}${round(rss.last - rss.first, 1)} MB): ` +
      `${rssFlat ? "flat" : "GROWING"} (allowed: ${RSS_SLACK.mb} MB or ${RSS_SLACK.share * 100} %)`,
  );
  console.log(
    `- open fds: ${fds.first} → ${fds.last}: ${fdsFlat ? "flat" : "GROWING"} ` +
      `(allowed: +${FD_SLACK})`,
  );
} else {
  console.log(
    `\nToo few samples after warm-up to compare thirds (${steady.length}); run longer.`,
  );
}
const recorded = stats?.total?.requests ?? NaN;
console.log(
  `requests: ${counts.completed} completed, ${counts.errors} failed, ${counts.skipped} skipped ` +
    `(in-flight cap); usage events the daemon recorded: ${recorded}`,
);
if (counts.firstErrors.length > 0) console.log(`first errors: ${counts.firstErrors.join(" | ")}`);
// tests/_daemon.ts points the price list at a closed port on purpose: that refusal is expected.
const printed = daemon.output().slice(startupOutput).split("\n")
  .filter((line) =>
    line.trim() && !line.startsWith("Cannot refresh prices from http://127.0.0.1:9/")
  )
  .join("\n");
if (printed) {
  console.log(`daemon printed during the run:\n${printed.split("\n").slice(0, 20).join("\n")}`);
}

await Deno.mkdir("bench-results", { recursive: true });
await Deno.writeTextFile(
  "bench-results/bench_soak.json",
  JSON.stringify(
    {
      date: new Date().toISOString(),
      minutes,
      rate,
      counts,
      recorded_events: recorded,
      samples,
      warmup_samples: warmup,
      verdict,
    },
    null,
    2,
  ),
);
console.log("\nJSON: bench-results/bench_soak.json");
