// Daemon memory at rest and with many streams open at once, on a fresh daemon so that earlier load
// phases do not count: it idles after start-up, then `count` relay streams are held open together
// by fake upstreams (one event, then nothing until the client leaves, as a long generation
// pauses), and its RSS and descriptors are read while they are, and again once they are closed.
// The streams alternate between two providers, each on its own fake upstream.
import http from "node:http";
import { startFakeUpstream } from "../tests/fake_upstream.ts";
import { startDaemon } from "../tests/_daemon.ts";
import { openFds, rssMb } from "./_bench_proc.ts";

/** MB (MiB) and open descriptors of the daemon. */
export interface OpenStreams {
  streams: number;
  idle: { rssMb: number; fds: number };
  open: { rssMb: number; fds: number };
  closed: { rssMb: number; fds: number };
}

const SETTLE_MS = 1_000;
/** Streams opened at a time: well inside the listen backlog. */
const BATCH = 50;
const OPEN_TIMEOUT_MS = 30_000;
const SAMPLES = 5;
const SAMPLE_MS = 200;
/** Relay route, fixture and body of a stream per provider. */
const ROUTES = [
  { path: "/openai/v1/chat/completions", fixture: "openai/chat_stream_usage" },
  { path: "/anthropic/v1/messages", fixture: "anthropic/messages_stream" },
];

/** Starts a daemon in front of two fake upstreams, measures it idle and with `count` streams. */
export async function measureOpenStreams(options: { count: number }): Promise<OpenStreams> {
  await using stack = new AsyncDisposableStack();
  const openai = await startFakeUpstream();
  stack.defer(() => openai.close());
  const anthropic = await startFakeUpstream();
  stack.defer(() => anthropic.close());
  const bundle = await Deno.makeTempFile({ prefix: "lumen-bench-ca-", suffix: ".pem" });
  stack.defer(() => Deno.remove(bundle));
  await Deno.writeTextFile(bundle, openai.caPem + anthropic.caPem);
  const daemon = await startDaemon({
    env: {
      LUMEN_UPSTREAM_OVERRIDES:
        `api.openai.com=${openai.origin},api.anthropic.com=${anthropic.origin}`,
      LUMEN_EXTRA_CA_CERTS: bundle,
    },
  });
  stack.defer(async () => {
    await daemon.stop();
  });
  const pid = daemon.process.pid;
  const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
  const requests: http.ClientRequest[] = [];
  stack.defer(() => {
    for (const req of requests) req.destroy();
    agent.destroy();
  });
  const open = (route: number, deadline: number) => {
    const { req, firstChunk } = openStream(daemon.proxyOrigin, ROUTES[route], agent, deadline);
    requests.push(req);
    return firstChunk;
  };

  await pause(SETTLE_MS);
  const idle = { rssMb: await rssMb([pid]), fds: await openFds(pid) };
  const deadline = performance.now() + OPEN_TIMEOUT_MS;
  for (let i = 0; i < options.count; i += BATCH) {
    const batch = Math.min(BATCH, options.count - i);
    await Promise.all(Array.from({ length: batch }, (_, j) => open((i + j) % 2, deadline)));
  }
  await pause(SETTLE_MS);
  let peak = 0;
  for (let i = 0; i < SAMPLES; i++) {
    peak = Math.max(peak, await rssMb([pid]));
    await pause(SAMPLE_MS);
  }
  const opened = { rssMb: peak, fds: await openFds(pid) };

  for (const req of requests) req.destroy();
  await pause(2 * SETTLE_MS);
  const closed = { rssMb: await rssMb([pid]), fds: await openFds(pid) };
  return { streams: options.count, idle, open: opened, closed };
}

/** A relay stream the fake upstream holds open after its first event; resolves on that event. */
function openStream(
  origin: string,
  route: { path: string; fixture: string },
  agent: http.Agent,
  deadline: number,
): { req: http.ClientRequest; firstChunk: Promise<void> } {
  const req = http.request(new URL(route.path, origin), {
    method: "POST",
    agent,
    headers: {
      "content-type": "application/json",
      "x-fake-case": route.fixture,
      "x-fake-chunking": "events",
      "x-fake-stall": "1",
    },
  });
  const firstChunk = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error("An open stream sent no first event in time")),
      Math.max(0, deadline - performance.now()),
    );
    req.on("response", (res) => {
      if (res.statusCode !== 200) reject(new Error(`Open stream answered ${res.statusCode}`));
      res.once("data", () => {
        clearTimeout(timer);
        resolve();
      });
      res.on("error", () => {}); // destroyed on purpose at the end
    });
    req.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
  req.end(JSON.stringify({ model: "bench", max_tokens: 64, messages: [], stream: true }));
  return { req, firstChunk };
}

function pause(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
