// A fake provider API over loopback HTTPS for integration tests and benchmarks. It answers from
// tests/fixtures byte for byte and records what it received and exactly what it sent. Request
// headers steer it (the request body is never echoed):
//   x-fake-case: <provider>/<case>       answer with that fixture instead of routing by path/body
//   x-fake-status: 429                   answer that status (≥ 400: the provider's error body)
//   x-fake-chunking: whole|events|bytes  one write / one write per event / random 1–32 byte writes
//   x-fake-seed: N                       seed of the `bytes` splits (default 1)
//   x-fake-delay-ms: N                   pause between writes
//   x-fake-stall: N                      write N chunks, then hold the response open until the
//                                        client goes away or the server closes
//   x-fake-reset: N                      write N chunks, then drop the connection without ending
//                                        the response (0: before the response head)
//   x-fake-gap-ms: N                     pause once, after the first chunk
//   x-fake-encoding: gzip|br|deflate     compress, if the request's accept-encoding allows it
// An Anthropic call with `authorization: Bearer sk-ant-oat…` (a Claude plan) also gets the
// `anthropic-ratelimit-unified-*` headers, as the real API sends them.
import https from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { Provider } from "../core/types.ts";
import { createTestPki } from "./_certs.ts";
import { flatHeaders, headerRecord } from "../core/proxy/headers.ts";
import {
  errorResponse,
  type Fixture,
  FIXTURES_DIR,
  isCaseName,
  providerForPath,
  providerHeaders,
  readFixture,
  selectCase,
} from "./_fake_cases.ts";
import { concatBytes, deliver, deliveryProblem, splitEvents } from "./_fake_delivery.ts";

export type { Fixture, FixtureMeta } from "./_fake_cases.ts";

/** One request as the fake upstream received it. */
export interface RecordedRequest {
  /** Also sent back as the `x-fake-request-id` response header. */
  id: string;
  method: string;
  path: string;
  /** Query without `?`. */
  query: string;
  /** Request headers with lower-case names. */
  headers: Record<string, string>;
  body: Uint8Array;
  /** Fixture answered with (`openai/chat`), or null for an error that used none. */
  case: string | null;
  status: number;
  /** How the response ended: null while it is still being written. */
  ended: "complete" | "aborted" | null;
}

/** A running fake upstream. */
export interface FakeUpstream {
  /** `https://127.0.0.1:PORT` */
  origin: string;
  /** The CA that signed the server's certificate. */
  caPem: string;
  /** A temp file holding `caPem`, removed by `close()`. */
  caFile: string;
  requests: RecordedRequest[];
  /** Returns exactly the body bytes written for request `id` (compressed when compressed). */
  sent(id: string): Uint8Array;
  /** Stops the server, cutting held-open responses, and removes `caFile`. */
  close(): Promise<void>;
}

/** Options of `startFakeUpstream()`. */
export interface FakeUpstreamOptions {
  /** Port on 127.0.0.1; 0 (the default) picks a free one. */
  port?: number;
  /** Folder with `<provider>/<case>.*` fixtures; defaults to tests/fixtures. */
  fixturesDir?: URL;
}

/** A fixture with what every request for it would otherwise recompute. */
interface Prepared extends Fixture {
  contentType: string;
  /** SSE or a streamed JSON array: delivered one event per write by default. */
  streamed: boolean;
  events: Uint8Array[];
}

interface Answer {
  status: number;
  caseName: string | null;
  headers: Record<string, string>;
  /** The body cut into events (a single chunk for an error or a plain JSON body). */
  events: Uint8Array[];
  streamed: boolean;
}

/** Reads a fixture body and its case.json, e.g. `fixture("anthropic/messages_stream")`. */
export function fixture(caseName: string, options: { dir?: URL } = {}): Promise<Fixture> {
  return readFixture(caseName, options.dir);
}

/** Starts a fake provider API on loopback HTTPS. */
export async function startFakeUpstream(options: FakeUpstreamOptions = {}): Promise<FakeUpstream> {
  const pki = await createTestPki();
  const dir = options.fixturesDir ?? FIXTURES_DIR;
  const requests: RecordedRequest[] = [];
  const written = new Map<string, Uint8Array[]>();
  // Cuts of the responses still open: close() ends their timers and stalls.
  const live = new Set<() => void>();
  const fixtures = new Map<string, Prepared>();
  let count = 0;

  async function prepare(caseName: string): Promise<Prepared | null> {
    // Loaded on first use, because fixtures may be written while the server already runs.
    let found = fixtures.get(caseName);
    if (!found) {
      let loaded: Fixture;
      try {
        loaded = await readFixture(caseName, dir);
      } catch (error) {
        if (error instanceof Deno.errors.NotFound) return null;
        throw error;
      }
      const contentType = loaded.meta.content_type;
      const events = splitEvents(loaded.body, contentType);
      const streamed = contentType.includes("text/event-stream") || events.length > 1;
      found = { ...loaded, contentType, events, streamed };
      fixtures.set(caseName, found);
    }
    return found;
  }

  async function answer(record: RecordedRequest, started: number): Promise<Answer> {
    const { headers, method, path } = record;
    const named = headers["x-fake-case"];
    const provider: Provider = named !== undefined && isCaseName(named)
      ? named.split("/")[0] as Provider
      : providerForPath(path);
    const elapsedMs = Math.round(performance.now() - started);
    const base = providerHeaders(provider, { path, elapsedMs });
    if (provider === "anthropic" && /^Bearer sk-ant-oat/.test(headers["authorization"] ?? "")) {
      Object.assign(base, unifiedRateLimitHeaders(Number(headers["x-fake-status"] ?? 200)));
    }
    const fail = (status: number, detail?: string): Answer => {
      const error = errorResponse(provider, status, {
        requestId: base["request-id"] ?? "",
        detail,
      });
      const headers = { ...base, ...error.headers };
      return { status, caseName: null, headers, events: [error.body], streamed: false };
    };
    const problem = named !== undefined && !isCaseName(named)
      ? `Unknown x-fake-case "${named}"`
      : deliveryProblem(headers);
    if (problem) return fail(400, problem);
    const status = Number(headers["x-fake-status"] ?? 200);
    if (status >= 400) return fail(status);
    const caseName = named ??
      selectCase({
        method,
        path,
        query: new URLSearchParams(record.query),
        body: parseJson(record.body),
      });
    if (caseName === null) {
      return fail(404, provider === "openai" ? `Unknown request URL: ${method} ${path}.` : "");
    }
    const found = await prepare(caseName);
    if (!found) return fail(500, `Fake upstream has no fixture "${caseName}"`);
    const { contentType, events, streamed } = found;
    return {
      status,
      caseName,
      headers: { ...base, "content-type": contentType },
      events,
      streamed,
    };
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const url = new URL(req.url ?? "/", "https://127.0.0.1");
    const id = String(++count);
    const record: RecordedRequest = {
      id,
      method: req.method ?? "GET",
      path: url.pathname,
      query: url.search.slice(1),
      // Lower-case names, repeats joined with ", " as the Fetch API's Headers does.
      headers: flatHeaders(headerRecord(pairsOf(req.rawHeaders))),
      body: new Uint8Array(),
      case: null,
      status: 0,
      ended: null,
    };
    requests.push(record);
    const sent: Uint8Array[] = [];
    written.set(id, sent);
    // What abort tests look for: "finish" means every byte went out; a "close" before it means the
    // client left or close() cut the connection, which must also end any delay or stall.
    const gone = new AbortController();
    const cut = () => {
      record.ended ??= "aborted";
      gone.abort();
      live.delete(cut);
    };
    live.add(cut);
    res.once("finish", () => record.ended ??= "complete");
    res.once("close", cut);
    const body: Uint8Array[] = [];
    for await (const chunk of req) body.push(chunk);
    record.body = concatBytes(body);

    const reply = await answer(record, started);
    record.case = reply.caseName;
    record.status = reply.status;
    reply.headers["x-fake-request-id"] = id;
    await deliver(res, reply, { headers: record.headers, signal: gone.signal, sent });
  }

  const server = https.createServer({
    cert: pki.certPem,
    key: pki.keyPem,
    // Real APIs flush each small write at once; without this, Nagle plus delayed ACK add ~40 ms.
    noDelay: true,
    // HTTP/1.1 only, as the relay's node:https agent speaks to real providers.
    ALPNProtocols: ["http/1.1"],
    // Deno.serve never closed idle keep-alive connections, and a client reusing one just as the
    // server drops it would see a reset; close() ends them instead.
    keepAliveTimeout: 0,
  }, (req, res) => {
    handle(req, res).catch((error) => {
      if (!res.socket || res.socket.destroyed) return; // the client left, e.g. mid-upload
      // A bug here answers 500 (or cuts a started stream) and logs, instead of crashing the tests.
      console.error(error);
      if (res.headersSent) res.destroy();
      else res.writeHead(500).end();
    });
  });
  const sockets = new Set<Socket>();
  server.on("connection", (socket: Socket) => {
    socket.setNoDelay(true);
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as { port: number };
  const caFile = await Deno.makeTempFile({ prefix: "lumen-fake-ca-", suffix: ".pem" });
  await Deno.writeTextFile(caFile, pki.caPem);

  let closing: Promise<void> | undefined;
  return {
    origin: `https://127.0.0.1:${port}`,
    caPem: pki.caPem,
    caFile,
    requests,
    sent(id) {
      const chunks = written.get(id);
      if (!chunks) throw new RangeError(`Cannot find fake upstream request "${id}"`);
      return concatBytes(chunks);
    },
    close() {
      closing ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        // Dropping the connections first makes every cut response fail on the client side.
        for (const socket of sockets) socket.destroy();
        for (const cut of [...live]) cut();
        await closed;
        await Deno.remove(caFile).catch(() => {}); // already gone is fine
      })();
      return closing;
    },
  };
}

/** The 5h window's reset from `nowMs`: the next full hour, plus four hours (epoch seconds). */
export function fakeFiveHourReset(nowMs: number): number {
  return Math.ceil(nowMs / 3_600_000) * 3600 + 4 * 3600;
}

/** The 7d window's reset from `nowMs`: the next full hour, plus six days (epoch seconds). */
export function fakeSevenDayReset(nowMs: number): number {
  return Math.ceil(nowMs / 3_600_000) * 3600 + 6 * 86_400;
}

/**
 * What api.anthropic.com adds for a call made with a plan's OAuth token (`Bearer sk-ant-oat…`):
 * the unified windows, 5h at 42 % and 7d at 13 % (5h rejected at 100 % on a 429).
 */
function unifiedRateLimitHeaders(status: number): Record<string, string> {
  const limited = status === 429;
  const now = Date.now();
  return {
    "anthropic-ratelimit-unified-status": limited ? "rejected" : "allowed",
    "anthropic-ratelimit-unified-representative-claim": "five_hour",
    "anthropic-ratelimit-unified-reset": String(fakeFiveHourReset(now)),
    "anthropic-ratelimit-unified-fallback-percentage": "0.5",
    "anthropic-ratelimit-unified-overage-status": "rejected",
    "anthropic-ratelimit-unified-overage-disabled-reason": "org_level_disabled",
    "anthropic-ratelimit-unified-5h-utilization": limited ? "1.0" : "0.42",
    "anthropic-ratelimit-unified-5h-reset": String(fakeFiveHourReset(now)),
    "anthropic-ratelimit-unified-5h-status": limited ? "rejected" : "allowed",
    "anthropic-ratelimit-unified-7d-utilization": "0.13",
    "anthropic-ratelimit-unified-7d-reset": String(fakeSevenDayReset(now)),
    "anthropic-ratelimit-unified-7d-status": "allowed",
  };
}

function pairsOf(raw: string[]): [string, string][] {
  return Array.from({ length: raw.length / 2 }, (_, i) => [raw[2 * i], raw[2 * i + 1]]);
}

function parseJson(body: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(body));
  } catch {
    return null; // a body that is not JSON routes like one without `stream: true`
  }
}
