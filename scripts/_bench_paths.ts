// The ways the benchmark reaches the fake upstream, all through node:http(s) agents: straight,
// through Lumen's relay and proxy mode, and through the peers of the same shape (nginx in front
// like the relay, mitmdump intercepting like proxy mode). A peer failing mid-run is dropped.
import http from "node:http";
import https from "node:https";
import type { Target } from "./_bench_request.ts";
import { TunnelAgent } from "./_bench_tunnel_agent.ts";

/** Every path, in the order of the tables: each Lumen mode beside its peer. */
export const PATHS = ["direct", "relay", "floor", "nginx", "proxy", "mitmdump"] as const;
export type PathName = typeof PATHS[number];
/** The paths that are not Lumen: a failure there drops the column instead of the benchmark. */
export const PEERS: readonly PathName[] = ["floor", "nginx", "mitmdump"];
/** Host the proxy paths CONNECT to; Lumen and mitmdump both route it to the fake upstream. */
export const PROXY_HOST = "api.openai.com";

/** Where each path listens; a peer that is not running is absent. */
export interface Endpoints {
  upstream: { origin: string; caPem: string };
  lumen: { proxyPort: number; proxyOrigin: string; caPem: string };
  /** A bare relay on Deno's node:http: what the runtime alone costs. */
  floor?: { port: number };
  nginx?: { port: number };
  mitmdump?: { port: number; caPem: string };
}

/** Keep-alive targets of `maxSockets` connections each, for the paths in `paths`. */
export interface Targets {
  targets: Partial<Record<PathName, Target>>;
  /** The agent of Lumen's proxy path, which counts its CONNECTs. */
  tunnels: TunnelAgent;
  /** Closes every pooled connection. */
  destroy(): void;
}

/** Creates a fresh agent per path, so every phase starts on new connections. */
export function createTargets(
  endpoints: Endpoints,
  paths: readonly PathName[],
  maxSockets: number,
): Targets {
  const { upstream, lumen, floor, nginx, mitmdump } = endpoints;
  const tunnels = new TunnelAgent({
    keepAlive: true,
    maxSockets,
    proxyPort: lumen.proxyPort,
    ca: lumen.caPem,
  });
  const make: Record<PathName, () => Target | null> = {
    direct: () => ({
      name: "direct",
      url: (path) => new URL(path, upstream.origin),
      agent: new https.Agent({ keepAlive: true, maxSockets, ca: upstream.caPem }),
      lib: https,
    }),
    relay: () => relayTarget("relay", lumen.proxyOrigin, maxSockets),
    floor: () => floor ? relayTarget("floor", `http://127.0.0.1:${floor.port}`, maxSockets) : null,
    nginx: () => nginx ? relayTarget("nginx", `http://127.0.0.1:${nginx.port}`, maxSockets) : null,
    proxy: () => ({ name: "proxy", url: proxyUrl, agent: tunnels, lib: https }),
    mitmdump: () =>
      mitmdump
        ? {
          name: "mitmdump",
          url: proxyUrl,
          agent: new TunnelAgent({
            keepAlive: true,
            maxSockets,
            proxyPort: mitmdump.port,
            ca: mitmdump.caPem,
          }),
          lib: https,
        }
        : null,
  };
  const targets: Partial<Record<PathName, Target>> = {};
  for (const name of paths) {
    const target = make[name]();
    if (target) targets[name] = target;
  }
  return {
    targets,
    tunnels,
    destroy() {
      for (const target of Object.values(targets)) target.agent.destroy();
      tunnels.destroy();
    },
  };
}

/** The paths still measured, and why the dropped ones were. */
export class ActivePaths {
  #active: Set<PathName>;
  #notes: string[];

  constructor(paths: readonly PathName[], notes: string[]) {
    this.#active = new Set(paths);
    this.#notes = notes;
  }

  /** Still measured paths, in table order. */
  get list(): PathName[] {
    return PATHS.filter((path) => this.#active.has(path));
  }

  /** Runs `fn` for `path` if it is still measured; a peer's failure drops it with a note. */
  async run(path: PathName, phase: string, fn: () => Promise<void>): Promise<void> {
    if (!this.#active.has(path)) return;
    try {
      await fn();
    } catch (error) {
      if (!PEERS.includes(path)) throw error;
      this.#active.delete(path);
      this.#notes.push(`${path} dropped in the ${phase} phase: ${(error as Error).message}`);
    }
  }
}

function relayTarget(name: PathName, origin: string, maxSockets: number): Target {
  return {
    name,
    url: (path) => new URL(`/openai${path}`, origin),
    agent: new http.Agent({ keepAlive: true, maxSockets }),
    lib: http,
  };
}

function proxyUrl(path: string): URL {
  return new URL(path, `https://${PROXY_HOST}`);
}
