// Cold start: from spawning `deno run <start task flags> core/main.ts serve` to its proxy port
// accepting a TCP connection. The home already holds a CA and a database (the first-ever start,
// which creates them, is reported on its own), and Deno's module cache is warm, as for a daemon
// restarted at login. The floor is `deno run` of an empty file under the same flags, spawn to exit:
// what any Deno program pays before its first line runs.
import { startTaskFlags } from "./compile.ts";
import { spawnCollecting } from "../tests/_spawn.ts";
import { freePorts, waitForListening } from "./_bench_net.ts";

/** Milliseconds per run. */
export interface ColdStart {
  /** A new LUMEN_HOME: creates the CA key pair and the database too. */
  firstRun: number;
  daemon: number[];
  emptyFile: number[];
}

const START_TIMEOUT_MS = 30_000;

/** Starts the daemon `runs` times (plus a first run on a new home) and an empty file as often. */
export async function measureColdStart(options: { runs: number }): Promise<ColdStart> {
  const dir = await Deno.makeTempDir({ prefix: "lumen-bench-cold-" });
  try {
    const env: Record<string, string> = {
      LUMEN_HOME: `${dir}/lumen`,
      // As in tests/_daemon.ts: the remote price list is refused at once, never fetched.
      LUMEN_PRICING_URL: "http://127.0.0.1:9/prices.json",
    };
    // What a child Deno needs to find its module cache.
    for (const name of ["PATH", "HOME", "DENO_DIR", "XDG_CACHE_HOME"]) {
      const value = Deno.env.get(name);
      if (value !== undefined) env[name] = value;
    }
    const firstRun = await startOnce(env);
    const daemon: number[] = [];
    for (let i = 0; i < options.runs; i++) daemon.push(await startOnce(env));
    const empty = `${dir}/empty.ts`;
    await Deno.writeTextFile(empty, "");
    const emptyFile: number[] = [];
    for (let i = 0; i < options.runs; i++) {
      const started = performance.now();
      const status = await new Deno.Command(Deno.execPath(), {
        args: ["run", ...startTaskFlags(), empty],
        stdin: "null",
        stdout: "null",
        stderr: "null",
      }).output();
      if (!status.success) throw new Error(`deno run of an empty file exited with ${status.code}`);
      emptyFile.push(performance.now() - started);
    }
    return { firstRun, daemon, emptyFile };
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

/** Spawns the daemon, times it to the proxy port's first accepted connection, then stops it. */
async function startOnce(env: Record<string, string>): Promise<number> {
  const [proxyPort, apiPort] = freePorts(2);
  const started = performance.now();
  const { child, output, drained } = spawnCollecting(Deno.execPath(), {
    args: ["run", ...startTaskFlags(), "core/main.ts", "serve"],
    env: { ...env, LUMEN_PROXY_PORT: String(proxyPort), LUMEN_API_PORT: String(apiPort) },
    clearEnv: true,
  });
  try {
    await waitForListening(proxyPort, { timeoutMs: START_TIMEOUT_MS, exited: child.status });
    return performance.now() - started;
  } catch (error) {
    throw new Error(`Daemon cold start: ${(error as Error).message}\n${output()}`);
  } finally {
    try {
      child.kill("SIGTERM");
    } catch {
      // Already exited.
    }
    await child.status;
    await drained;
  }
}
