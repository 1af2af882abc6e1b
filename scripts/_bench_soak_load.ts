// The soak test's steady load: requests started at a fixed rate, cycling through a mix of what
// clients do through Lumen, in both modes: plain and streamed calls on kept-alive connections,
// calls on fresh connections (a new CONNECT and TLS handshake in proxy mode), and streams the
// client leaves after the first event. A leak in any of these shows as growth over a long run.
import http from "node:http";
import https from "node:https";
import {
  type BenchRequest,
  CHAT,
  streamRequest,
  type Target,
  timedRequest,
} from "./_bench_request.ts";
import { TunnelAgent } from "./_bench_tunnel_agent.ts";

/** Where the daemon listens and the CA its leaves are signed with. */
export interface SoakDaemon {
  proxyPort: number;
  proxyOrigin: string;
  caPem: string;
}

/** Counters of the load so far. */
export interface SoakCounts {
  started: number;
  completed: number;
  errors: number;
  /** Starts skipped because `maxInFlight` requests were still running: the daemon fell behind. */
  skipped: number;
  inFlight: number;
  /** The first few error messages. */
  firstErrors: string[];
}

const KEEP_ALIVE_SOCKETS = 8;
const MAX_ERRORS_KEPT = 5;
/** Bounds the final wait for requests still running. */
const DRAIN_MS = 30_000;

// The client does not ask for usage: the soak covers the request rewrite and its filter too.
const STREAM = streamRequest(5, false);

/** Runs the mix at a fixed rate of requests per second until a given time. */
export class SoakLoad {
  #counts: SoakCounts = {
    started: 0,
    completed: 0,
    errors: 0,
    skipped: 0,
    inFlight: 0,
    firstErrors: [],
  };
  #kinds: (() => Promise<void>)[];
  #agents: http.Agent[] = [];
  /** Times of the plain calls on kept-alive connections since the last takeLatencies(). */
  #latencies: number[] = [];

  constructor(daemon: SoakDaemon) {
    const relay = (keepAlive: boolean): Target =>
      this.#target("relay", new http.Agent({ keepAlive, maxSockets: KEEP_ALIVE_SOCKETS }), {
        url: (path) => new URL(`/openai${path}`, daemon.proxyOrigin),
        lib: http,
      });
    const proxy = (keepAlive: boolean): Target =>
      this.#target(
        "proxy",
        new TunnelAgent({
          keepAlive,
          maxSockets: KEEP_ALIVE_SOCKETS,
          proxyPort: daemon.proxyPort,
          ca: daemon.caPem,
        }),
        { url: (path) => new URL(path, "https://api.openai.com"), lib: https },
      );
    // The timed calls get connections of their own, so they never queue behind a stream.
    const calls = { relay: relay(true), proxy: proxy(true) };
    const streams = { relay: relay(true), proxy: proxy(true) };
    const fresh = { relay: relay(false), proxy: proxy(false) };
    const timed = async (target: Target) => {
      this.#latencies.push((await timedRequest(target, CHAT)).total);
    };
    this.#kinds = [
      () => timed(calls.relay),
      () => timed(calls.proxy),
      () => timedRequest(streams.relay, STREAM).then(() => {}),
      () => timedRequest(streams.proxy, STREAM).then(() => {}),
      () => timedRequest(fresh.relay, CHAT).then(() => {}),
      () => timedRequest(fresh.proxy, CHAT).then(() => {}),
      () => leaveAfterFirstEvent(streams.relay, STREAM),
      () => leaveAfterFirstEvent(streams.proxy, STREAM),
    ];
  }

  /** A copy of the counters. */
  get counts(): SoakCounts {
    return { ...this.#counts, firstErrors: [...this.#counts.firstErrors] };
  }

  /** Milliseconds of the plain kept-alive calls that ended since the last call. */
  takeLatencies(): number[] {
    return this.#latencies.splice(0);
  }

  /** Starts requests on schedule until `untilMs` (performance.now()), then awaits the rest. */
  async run(options: { rate: number; untilMs: number; maxInFlight: number }): Promise<void> {
    const interval = 1000 / options.rate;
    const start = performance.now();
    const running = new Set<Promise<void>>();
    for (let n = 0; start + n * interval < options.untilMs; n++) {
      const at = start + n * interval;
      await new Promise((r) => setTimeout(r, Math.max(0, at - performance.now())));
      if (running.size >= options.maxInFlight) {
        this.#counts.skipped++;
        continue;
      }
      const request = this.#start(this.#kinds[n % this.#kinds.length]);
      running.add(request);
      request.finally(() => running.delete(request));
    }
    await Promise.race([
      Promise.all(running),
      new Promise((r) => setTimeout(r, DRAIN_MS)),
    ]);
    for (const agent of this.#agents) agent.destroy();
  }

  async #start(kind: () => Promise<void>): Promise<void> {
    const counts = this.#counts;
    counts.started++;
    counts.inFlight++;
    try {
      await kind();
      counts.completed++;
    } catch (error) {
      counts.errors++;
      if (counts.firstErrors.length < MAX_ERRORS_KEPT) {
        counts.firstErrors.push((error as Error).message);
      }
    } finally {
      counts.inFlight--;
    }
  }

  #target(name: string, agent: http.Agent, rest: Pick<Target, "url" | "lib">): Target {
    this.#agents.push(agent);
    return { name, agent, ...rest };
  }
}

/** A stream the client abandons once its first event arrives, as a cancelled generation does. */
function leaveAfterFirstEvent(target: Target, request: BenchRequest): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = target.lib.request(target.url(request.path), {
      method: "POST",
      agent: target.agent,
      headers: { "content-type": "application/json", ...request.headers },
    });
    req.setTimeout(30_000, () => req.destroy(new Error(`${target.name}: no first event`)));
    req.on("response", (res) => {
      if (res.statusCode !== 200) {
        req.destroy();
        return reject(new Error(`${target.name}: stream answered ${res.statusCode}`));
      }
      res.once("data", () => {
        req.destroy();
        resolve();
      });
      res.on("error", () => {}); // destroyed on purpose
    });
    req.on("error", reject);
    req.end(request.body);
  });
}
