// Support for the proxy fuzz tests: a proxy listener in-process with the real usage taps, whose
// relay hosts all go to one loopback origin, and a raw-socket exchange with it.
//
// The tests run sandboxed to loopback (SANDBOX as Deno.test `permissions`): a connect to any other
// address, and even the DNS lookup of a name, then fails inside Deno before a packet leaves the
// machine (checked with strace: no query reaches the resolver), so random names are safe to
// generate. Without the sandbox even `.invalid` names are sent to the resolver.
import { Buffer } from "node:buffer";
import net from "node:net";
import tls from "node:tls";
import { createTapFactory } from "../core/capture/usage_tap.ts";
import { startProxyListener } from "../core/proxy/listener.ts";
import { RELAY_ROUTES } from "../core/proxy/route.ts";
import { createUpstreamClient } from "../core/proxy/upstream.ts";
import type { Provider, UsageEvent } from "../core/types.ts";
import { createTestPki } from "./_certs.ts";

/**
 * Loopback only; `sys: ["ca"]` lets the upstream client read the system roots, and the env
 * variables let fuzzOptions() take a seed or run multiplier.
 */
export const SANDBOX: Deno.PermissionOptions = {
  net: ["127.0.0.1"],
  read: true,
  write: true,
  sys: ["ca"],
  env: ["LUMEN_FUZZ_SEED", "LUMEN_FUZZ_RUNS"],
};
/** The relay hosts, which the proxy reads (intercepts when tunnelled to), by provider. */
export const PROVIDER_OF: Record<string, Provider> = {
  [RELAY_ROUTES.openai]: "openai",
  [RELAY_ROUTES.anthropic]: "anthropic",
  [RELAY_ROUTES.google]: "google",
};
/**
 * Starts a proxy whose relay hosts all go to `origin`, read by the real usage taps, and intercepted
 * with the test leaf when tunnelled to. Tap, capture and interception errors are collected.
 */
export async function startProxy(origin: string, extraCaCerts: string[]) {
  const errors: unknown[] = [];
  const events: UsageEvent[] = [];
  const pki = await createTestPki();
  const leaf = {
    certPem: pki.certPem,
    keyPem: pki.keyPem,
    context: tls.createSecureContext({ cert: pki.certPem, key: pki.keyPem }),
  };
  let port = 0;
  const upstream = createUpstreamClient({
    overrides: new Map(Object.keys(PROVIDER_OF).map((host) => [host, new URL(origin)])),
    extraCaCerts,
    connectTimeoutMs: 2_000,
    ownPorts: () => [port],
  });
  const tapFor = createTapFactory({
    now: Date.now,
    providerOf: (host) => PROVIDER_OF[host] ?? null,
    // The include_usage rewrite changes the stream on purpose; here every byte must pass as is.
    includeStreamUsage: () => false,
    price: () => ({ cost_usd: null, price_source: null, priced_model: null }),
    lapId: () => "fuzz",
    onEvent: (event) => events.push(event),
    onError: (error) => errors.push(error),
  });
  const proxy = await startProxyListener(0, {
    upstream,
    tapFor,
    onTapError: (error) => errors.push(error),
    now: Date.now,
    isMonitored: (host) => host in PROVIDER_OF,
    leafFor: () => Promise.resolve(leaf),
    ownPorts: () => [port],
    onClientTlsError() {},
    onInterceptError: (_host, error) => errors.push(error),
  });
  port = proxy.port;
  return {
    port,
    errors,
    events,
    async close() {
      await proxy.close();
      upstream.close();
    },
  };
}

/** A port on 127.0.0.1 with nothing listening (it was free a moment ago). */
export async function deadPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const IDLE_MS = 30;
const CLOSE_MS = 3_000;
const TUNNEL_MS = 100;
const TUNNEL_REGEXP = /^HTTP\/1\.1 200 Connection Established\r\n\r\n/;

/** What came back on a connection, and whether the proxy closed it in time after the client's. */
export interface Exchange {
  bytes: Uint8Array;
  closed: boolean;
  /** The proxy opened a tunnel: from then on the far end, not the proxy, decides when it closes. */
  tunnel: boolean;
}

/**
 * Writes `chunks` to a new connection, one read each, reads until the proxy falls silent for a
 * moment, half-closes, and waits a few seconds for the proxy to close (a tunnel: briefly).
 */
export async function exchange(port: number, chunks: Uint8Array[]): Promise<Exchange> {
  const socket = net.connect(port, "127.0.0.1");
  const received: Uint8Array[] = [];
  socket.on("error", () => {}); // a reset is a close, which the properties allow
  const closed = new Promise<true>((resolve) => socket.once("close", () => resolve(true)));
  let halfClose = () => {};
  const halfClosed = new Promise<void>((resolve) => halfClose = resolve);
  let idle: ReturnType<typeof setTimeout> | undefined;
  const quiet = () => {
    clearTimeout(idle);
    idle = setTimeout(() => {
      socket.end();
      halfClose();
    }, IDLE_MS);
  };
  socket.on("data", (chunk: Uint8Array) => {
    received.push(chunk);
    quiet();
  });
  await Promise.race([new Promise((resolve) => socket.once("connect", resolve)), closed]);
  for (const chunk of chunks) {
    if (socket.destroyed) break;
    socket.write(chunk);
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  quiet();
  await Promise.race([halfClosed, closed]);
  clearTimeout(idle);
  const bytes = Buffer.concat(received);
  const tunnel = TUNNEL_REGEXP.test(new TextDecoder().decode(bytes.subarray(0, 64)));
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), tunnel ? TUNNEL_MS : CLOSE_MS);
  });
  const inTime = await Promise.race([closed, late]);
  clearTimeout(timer);
  socket.destroy();
  return { bytes, closed: inTime, tunnel };
}
