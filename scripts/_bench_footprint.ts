// Prints the daemon's footprint beyond the load phases (cold start, memory idle and with many open
// streams) and returns its part of the results JSON.
import type { ColdStart } from "./_bench_cold_start.ts";
import type { OpenStreams } from "./_bench_open_streams.ts";
import { percentile, round } from "./_bench_stats.ts";
import { printTable } from "./_bench_table.ts";

/** What the footprint phases measured. */
export interface Footprint {
  coldStart: ColdStart;
  openStreams: OpenStreams;
  /** RSS of the load phases' daemon once idle again after them, in MB. */
  afterLoadRssMb: number;
}

/** Prints the cold start and memory tables; returns their JSON. */
export function reportFootprint(f: Footprint): Record<string, unknown> {
  const { coldStart, openStreams } = f;
  const cold = {
    runs: coldStart.daemon.length,
    daemon_median_ms: round(percentile(coldStart.daemon, 50), 1),
    empty_file_median_ms: round(percentile(coldStart.emptyFile, 50), 1),
    first_run_new_home_ms: round(coldStart.firstRun, 1),
    daemon_ms: coldStart.daemon.map((ms) => round(ms, 1)),
    empty_file_ms: coldStart.emptyFile.map((ms) => round(ms, 1)),
  };
  console.log(`\nCold start: spawn to the proxy port accepting TCP (median of ${cold.runs})\n`);
  printTable(["", "median", "runs", "unit"], [
    ["daemon (existing home)", cold.daemon_median_ms, cold.daemon_ms.join(", "), "ms"],
    [
      "deno run of an empty file (floor)",
      cold.empty_file_median_ms,
      cold.empty_file_ms.join(", "),
      "ms",
    ],
    ["daemon, first run on a new home (CA + database)", cold.first_run_new_home_ms, "1 run", "ms"],
  ]);

  const memory = {
    idle_rss_mb: round(openStreams.idle.rssMb, 1),
    open_streams: openStreams.streams,
    open_streams_rss_mb: round(openStreams.open.rssMb, 1),
    after_close_rss_mb: round(openStreams.closed.rssMb, 1),
    idle_fds: openStreams.idle.fds,
    open_streams_fds: openStreams.open.fds,
    after_close_fds: openStreams.closed.fds,
    after_load_phases_rss_mb: round(f.afterLoadRssMb, 1),
  };
  console.log(
    `\nDaemon memory on a fresh daemon: idle, then ${openStreams.streams} relay streams held ` +
      `open at once (half OpenAI, half Anthropic), then closed\n`,
  );
  printTable(["", "RSS (MB)", "open fds"], [
    ["idle after start", memory.idle_rss_mb, memory.idle_fds],
    [`${openStreams.streams} open streams`, memory.open_streams_rss_mb, memory.open_streams_fds],
    ["streams closed, 2 s later", memory.after_close_rss_mb, memory.after_close_fds],
    ["load phases' daemon, idle after them", memory.after_load_phases_rss_mb, "–"],
  ]);
  return { cold_start: cold, memory };
}
