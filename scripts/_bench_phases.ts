// The benchmark's load phases, run over every path still measured: sequential latency on one
// keep-alive connection, throughput on many, and streams one at a time. Each phase opens fresh
// connections and closes them at its end.
import {
  type ActivePaths,
  createTargets,
  type Endpoints,
  type PathName,
  PATHS,
} from "./_bench_paths.ts";
import { cpuMs } from "./_bench_proc.ts";
import { type BenchRequest, timedRequest, type Timing } from "./_bench_request.ts";

/** Samples per path, empty for a path not measured. */
export type Samples = Record<PathName, number[]>;

/** A record with one `make()` per path. */
export function byPath<T>(make: () => T): Record<PathName, T> {
  return Object.fromEntries(PATHS.map((path) => [path, make()])) as Record<PathName, T>;
}

/** Sequential requests on one connection per path, in alternating blocks so drift cancels. */
export async function measureLatency(
  endpoints: Endpoints,
  active: ActivePaths,
  request: BenchRequest,
  options: { warmup: number; samples: number; block: number },
): Promise<{ latency: Samples; connects: number }> {
  const latency = byPath<number[]>(() => []);
  const { targets, tunnels, destroy } = createTargets(endpoints, active.list, 1);
  try {
    for (const path of active.list) {
      await active.run(path, "latency", async () => {
        for (let i = 0; i < options.warmup; i++) await timedRequest(targets[path]!, request);
      });
    }
    for (let block = 0; block < options.samples / options.block; block++) {
      for (const path of active.list) {
        await active.run(path, "latency", async () => {
          for (let i = 0; i < options.block; i++) {
            latency[path].push((await timedRequest(targets[path]!, request)).total);
          }
        });
      }
    }
    return { latency, connects: tunnels.connects };
  } finally {
    destroy();
  }
}

/** What the throughput phase measured per path. */
export interface Throughput {
  /** Requests per second. */
  rps: Record<PathName, number>;
  /** CPU time (user + system) of the path's proxy process per request, in ms. */
  cpuMsPerRequest: Record<PathName, number>;
  /** Requests Lumen's proxy path completed, and the CONNECTs they took. */
  proxy: { requests: number; connects: number };
}

/**
 * `connections` requests in flight per path for `ms` each, one path after another, with the CPU
 * time of its processes (`pidsOf`, none for direct) over exactly that window.
 */
export async function measureThroughput(
  endpoints: Endpoints,
  active: ActivePaths,
  request: BenchRequest,
  options: { ms: number; connections: number; pidsOf: (path: PathName) => Promise<number[]> },
): Promise<Throughput> {
  const result: Throughput = {
    rps: byPath(() => NaN),
    cpuMsPerRequest: byPath(() => NaN),
    proxy: { requests: 0, connects: 0 },
  };
  const { targets, tunnels, destroy } = createTargets(endpoints, active.list, options.connections);
  try {
    for (const path of active.list) {
      await active.run(path, "throughput", async () => {
        const target = targets[path]!;
        const pids = await options.pidsOf(path);
        const cpuBefore = pids.length ? await cpuMs(pids) : NaN;
        let done = 0;
        const until = performance.now() + options.ms;
        await Promise.all(Array.from({ length: options.connections }, async () => {
          while (performance.now() < until) {
            await timedRequest(target, request);
            done++;
          }
        }));
        const cpu = pids.length ? await cpuMs(pids) - cpuBefore : NaN;
        result.rps[path] = done / (options.ms / 1000);
        result.cpuMsPerRequest[path] = cpu / done;
        if (path === "proxy") result.proxy = { requests: done, connects: tunnels.connects };
        target.agent.destroy();
      });
    }
    return result;
  } finally {
    destroy();
  }
}

/** Streamed requests, one path after another for each of `count` rounds, on one connection each. */
export async function measureStreams(
  endpoints: Endpoints,
  active: ActivePaths,
  request: BenchRequest,
  options: { count: number; onStream: (path: PathName, timing: Timing) => Promise<void> },
): Promise<{ ttfc: Samples; gaps: Samples; connects: number }> {
  const ttfc = byPath<number[]>(() => []);
  const gaps = byPath<number[]>(() => []);
  const { targets, tunnels, destroy } = createTargets(endpoints, active.list, 1);
  try {
    for (let i = 0; i < options.count; i++) {
      for (const path of active.list) {
        await active.run(path, "streams", async () => {
          const timing = await timedRequest(targets[path]!, request);
          ttfc[path].push(timing.first);
          gaps[path].push(...timing.gaps);
          await options.onStream(path, timing);
        });
      }
    }
    return { ttfc, gaps, connects: tunnels.connects };
  } finally {
    destroy();
  }
}
