// The performance targets of issue 12, evaluated from one run's figures and printed as met or not
// met with the figure. A benchmark reports; nothing here fails the run.
import { round } from "./_bench_stats.ts";

/** One target with this run's figure; `met` is null when the figure was not measured. */
export interface TargetCheck {
  target: string;
  figure: number;
  unit: string;
  met: boolean | null;
  /** Context printed after the figure, e.g. which parser was slowest. */
  detail?: string;
}

/** The figures the targets are judged on; NaN where a figure was not measured. */
export interface TargetFigures {
  relayAddedP50Ms: number;
  relayAddedP99Ms: number;
  relayVsNginx: number;
  proxyVsMitmdump: number;
  /** Inter-chunk gap p99 of the path minus that of direct. */
  addedGapP99Ms: { relay: number; proxy: number };
  idleRssMb: number;
  openStreamsRssMb: number;
  openStreams: number;
  parsers: { label: string; mb_per_s: number }[];
  coldStartMs: number;
}

/** Evaluates, prints and returns every target. */
export function checkTargets(f: TargetFigures): TargetCheck[] {
  const slowest = f.parsers.length > 0
    ? f.parsers.reduce((min, row) => (row.mb_per_s < min.mb_per_s ? row : min))
    : { label: "none measured", mb_per_s: NaN };
  const below = f.parsers.filter((row) => !(row.mb_per_s >= 300)).length;
  const checks: TargetCheck[] = [
    atMost("relay added latency p50 ≤ 0.4 ms", f.relayAddedP50Ms, 0.4, "ms"),
    atMost("relay added latency p99 ≤ 1.5 ms", f.relayAddedP99Ms, 1.5, "ms"),
    atLeast("relay throughput ≥ 0.7 × nginx", f.relayVsNginx, 0.7, "×"),
    atLeast("proxy (MITM) throughput ≥ 10 × mitmdump", f.proxyVsMitmdump, 10, "×"),
    atMost("relay added inter-chunk delay p99 ≤ 1 ms", f.addedGapP99Ms.relay, 1, "ms"),
    atMost("proxy added inter-chunk delay p99 ≤ 1 ms", f.addedGapP99Ms.proxy, 1, "ms"),
    atMost("daemon RSS idle ≤ 80 MB", f.idleRssMb, 80, "MB"),
    atMost(`daemon RSS with ${f.openStreams} open streams ≤ 150 MB`, f.openStreamsRssMb, 150, "MB"),
    {
      ...atLeast("parser throughput ≥ 300 MB/s, every provider", slowest.mb_per_s, 300, "MB/s"),
      detail: f.parsers.length > 0
        ? `slowest: ${slowest.label}; ${below} of ${f.parsers.length} below`
        : undefined,
    },
    atMost("cold start to listening ≤ 300 ms (median)", f.coldStartMs, 300, "ms"),
  ];
  console.log("\nTargets (issue 12), evaluated from this run:\n");
  const width = Math.max(...checks.map((check) => check.target.length));
  for (const check of checks) {
    const verdict = check.met === null ? "not measured" : check.met ? "met" : "NOT MET";
    const figure = Number.isFinite(check.figure) ? `${check.figure} ${check.unit}` : "–";
    const detail = check.detail ? ` (${check.detail})` : "";
    console.log(`- ${check.target.padEnd(width)}  ${verdict.padEnd(12)} ${figure}${detail}`);
  }
  return checks;
}

function atMost(target: string, figure: number, limit: number, unit: string): TargetCheck {
  return {
    target,
    figure: round(figure),
    unit,
    met: Number.isFinite(figure) ? figure <= limit : null,
  };
}

function atLeast(target: string, figure: number, limit: number, unit: string): TargetCheck {
  return {
    target,
    figure: round(figure),
    unit,
    met: Number.isFinite(figure) ? figure >= limit : null,
  };
}
