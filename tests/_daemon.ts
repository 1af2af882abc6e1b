// Starts the real daemon (`core/main.ts serve`) as a child process with the exact permission flags of
// `deno task start`, on OS-assigned loopback ports, in a temporary LUMEN_HOME.
import { startTaskFlags } from "../scripts/compile.ts";
import { spawnCollecting } from "./_spawn.ts";

export { startTaskFlags };

/** A running daemon under test. */
export interface Daemon {
  proxyPort: number;
  apiPort: number;
  /** `http://127.0.0.1:<proxyPort>` */
  proxyOrigin: string;
  /** `http://127.0.0.1:<apiPort>` */
  apiOrigin: string;
  home: string;
  process: Deno.ChildProcess;
  /** Everything the daemon printed so far. */
  output(): string;
  /** GETs or POSTs the API and returns the parsed JSON. */
  // deno-lint-ignore no-explicit-any
  api(path: string, init?: RequestInit): Promise<any>;
  /** `PUT /api/settings` with `patch`, as the dashboard sends it; answers every setting. */
  // deno-lint-ignore no-explicit-any
  putSettings(patch: Record<string, unknown>): Promise<any>;
  /** Sends `signal` (default SIGTERM), waits for exit and removes the home unless `keepHome`. */
  stop(signal?: Deno.Signal): Promise<Deno.CommandStatus>;
}

/** What a child Deno needs from this process's environment to find its module cache. */
function baseEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of ["PATH", "HOME", "DENO_DIR", "XDG_CACHE_HOME", "USERPROFILE"]) {
    const value = Deno.env.get(name);
    if (value !== undefined) env[name] = value;
  }
  return env;
}

/** Runs `core/main.ts` with `args` under the start task's flags and returns its output. */
export async function runLumen(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", ...startTaskFlags(), "core/main.ts", ...args],
    env: { ...baseEnv(), ...env },
    clearEnv: true,
    stdin: "null",
  }).output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: decode(out.stdout), stderr: decode(out.stderr) };
}

/**
 * Starts the daemon; `env` adds to a minimal environment (PATH, HOME, ports 0, temp LUMEN_HOME).
 * With `home`, the daemon uses that LUMEN_HOME, which the caller owns: stop() leaves it in place.
 */
export async function startDaemon(
  options: {
    env?: Record<string, string>;
    keepHome?: boolean;
    home?: string;
    /** `deno run` flags added to the start task's, e.g. `--inspect=127.0.0.1:0` to profile. */
    runFlags?: string[];
  } = {},
): Promise<Daemon> {
  const temp = options.home ? null : await Deno.makeTempDir({ prefix: "lumen-test-" });
  const lumenHome = options.home ?? `${temp}/lumen`;
  const removeTemp = () => temp ? Deno.remove(temp, { recursive: true }) : Promise.resolve();
  const { child, output, drained } = spawnCollecting(Deno.execPath(), {
    args: ["run", ...startTaskFlags(), ...options.runFlags ?? [], "core/main.ts", "serve"],
    env: {
      ...baseEnv(),
      LUMEN_HOME: lumenHome,
      LUMEN_PROXY_PORT: "0",
      LUMEN_API_PORT: "0",
      // Tests never reach the internet: fetch refuses port 9 at once.
      LUMEN_PRICING_URL: "http://127.0.0.1:9/prices.json",
      ...options.env,
    },
    clearEnv: true,
  });

  const deadline = Date.now() + 30_000;
  let match: RegExpMatchArray | null = null;
  while (
    !(match = output().match(/on http:\/\/127\.0\.0\.1:(\d+), API on http:\/\/127\.0\.0\.1:(\d+)/))
  ) {
    const exited = await Promise.race([
      child.status.then(() => true),
      new Promise<false>((r) => setTimeout(() => r(false), 25)),
    ]);
    if (exited || Date.now() > deadline) {
      if (!exited) child.kill("SIGKILL");
      await child.status;
      await drained;
      await removeTemp();
      throw new Error(`Daemon did not start:\n${output()}`);
    }
  }
  const proxyPort = Number(match[1]);
  const apiPort = Number(match[2]);
  const apiOrigin = `http://127.0.0.1:${apiPort}`;

  // deno-lint-ignore no-explicit-any
  async function api(path: string, init?: RequestInit): Promise<any> {
    const res = await fetch(`${apiOrigin}${path}`, init);
    const body = await res.json();
    if (!res.ok) throw new Error(`${path}: ${res.status} ${JSON.stringify(body)}`);
    return body;
  }

  return {
    proxyPort,
    apiPort,
    proxyOrigin: `http://127.0.0.1:${proxyPort}`,
    apiOrigin,
    home: lumenHome,
    process: child,
    output,
    putSettings(patch) {
      return api("/api/settings", {
        method: "PUT",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(patch),
      });
    },
    api,
    async stop(signal = "SIGTERM") {
      try {
        child.kill(signal);
      } catch {
        // Already exited; its status is still collected below.
      }
      const status = await child.status;
      await drained;
      if (!options.keepHome) await removeTemp();
      return status;
    },
  };
}

/**
 * Sends relay requests to `daemon` one after another until `signal` aborts or the daemon goes
 * away (killed mid-request); returns how many completed.
 */
export async function keepRequesting(
  daemon: Daemon,
  body: string,
  signal: AbortSignal,
  client?: Deno.HttpClient,
): Promise<number> {
  let done = 0;
  // Bounded: a run lasts at most a few hundred milliseconds, far below this many requests.
  for (let i = 0; i < 10_000 && !signal.aborted; i++) {
    try {
      const res = await fetch(`${daemon.proxyOrigin}/openai/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
        client,
        signal,
      });
      await res.arrayBuffer();
      done++;
    } catch {
      // The daemon was killed mid-request, or the run is over: both end this worker.
      return done;
    }
  }
  return done;
}
