// The first request to a host Lumen has never seen, on a fresh connection: CONNECT, the leaf mint
// (plus the interceptor's per-host TLS server), the TLS handshake and the request. Then the same
// host again over another fresh connection, now with its leaf cached, and a fresh direct
// connection to the fake upstream as the baseline. No connection is reused in this phase.
import https from "node:https";
import { type BenchRequest, type Target, timedRequest } from "./_bench_request.ts";
import { TunnelAgent } from "./_bench_tunnel_agent.ts";

/** Options of measureFirstRequests(). */
export interface FirstRequestOptions {
  upstream: { origin: string; caPem: string };
  proxyPort: number;
  /** PEM of Lumen's CA. */
  lumenCa: string;
  /** Monitored hosts routed to the fake upstream that nothing has connected to yet. */
  hosts: string[];
  /** A monitored host whose leaf is already minted, for the warm-up rounds. */
  warmHost: string;
  warmups: number;
  request: BenchRequest;
}

/** Milliseconds per request, index-aligned with the hosts, and the CONNECTs sent. */
export interface FirstRequestTimes {
  direct: number[];
  newHost: number[];
  cachedLeaf: number[];
  connects: number;
}

/** Times fresh-connection requests: direct, proxy to a new host, proxy to it again. */
export async function measureFirstRequests(
  options: FirstRequestOptions,
): Promise<FirstRequestTimes> {
  const { upstream, request } = options;
  const times: FirstRequestTimes = { direct: [], newHost: [], cachedLeaf: [], connects: 0 };

  // A fresh agent per request with keep-alive off: a new TCP connection and a full TLS handshake
  // (a new agent has no TLS session cache), closed once the response has ended.
  const direct = () =>
    fresh({
      name: "direct",
      url: (path) => new URL(path, upstream.origin),
      agent: new https.Agent({ keepAlive: false, ca: upstream.caPem }),
      lib: https,
    }, request);
  const proxy = async (host: string) => {
    const agent = new TunnelAgent({
      keepAlive: false,
      proxyPort: options.proxyPort,
      ca: options.lumenCa,
    });
    const ms = await fresh({
      name: `proxy ${host}`,
      url: (path) => new URL(path, `https://${host}`),
      agent,
      lib: https,
    }, request);
    times.connects += agent.connects;
    return ms;
  };

  for (let i = 0; i < options.warmups; i++) {
    await direct();
    await proxy(options.warmHost);
  }
  for (const host of options.hosts) {
    times.direct.push(await direct());
    times.newHost.push(await proxy(host));
    times.cachedLeaf.push(await proxy(host));
  }
  return times;
}

async function fresh(target: Target, request: BenchRequest): Promise<number> {
  try {
    return (await timedRequest(target, request)).total;
  } finally {
    target.agent.destroy();
  }
}
