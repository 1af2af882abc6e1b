// Team sync delivery end to end: the real daemon, connected through a seeded sync.json, relays
// traffic to the fake upstream and delivers its queue to the ingest stand-in, across kill -9 and
// an ingest server that goes away for a while. After dedupe by Idempotency-Key every stored event
// must have been delivered exactly once.
import assert from "node:assert/strict";
import { writeSyncRecord } from "../core/sync/tokens.ts";
import { openStoreReader } from "../core/usage/store.ts";
import { type Daemon, keepRequesting, startDaemon } from "./_daemon.ts";
import { type IngestServer, startIngestServer } from "./_ingest_server.ts";
import { fixture, startFakeUpstream } from "./fake_upstream.ts";
import { upstreamEnv } from "./_stack.ts";

const TOKEN = "delivery-test-token";
/** Sync cycles the kill -9 test runs through (event deliveries the ingest server saw, at least). */
const CYCLES = 200;
const MAX_RUNS = 100;

/**
 * The stack's upstream environment with a short sync interval. The sync client honours proxy
 * variables (a team server may sit behind a corporate proxy), so loopback, where the ingest
 * stand-in listens, is exempt as a user's NO_PROXY would make it (as in tests/sync_oauth_test.ts).
 */
function daemonEnv(origin: string, caFile: string): Record<string, string> {
  return {
    ...upstreamEnv(origin, caFile),
    NO_PROXY: "127.0.0.1,localhost",
    LUMEN_SYNC_INTERVAL_MS: "20",
  };
}

/** A home already connected to `server` with a non-expiring token, in the auth side's format. */
async function connectedHome(server: string): Promise<{ base: string; home: string }> {
  const base = await Deno.makeTempDir({ prefix: "lumen-sync-delivery-" });
  const home = `${base}/lumen`;
  await Deno.mkdir(home, { mode: 0o700 });
  await writeSyncRecord(home, {
    version: 1,
    server,
    as: { issuer: server },
    client: { client_id: "lumen-test" },
    redirect_uri: "http://127.0.0.1/api/sync/callback",
    state: "connected",
    access_token: TOKEN,
    refresh_token: null,
    expires_at: null,
    obtained_at: Date.now(),
    account: "tester@example.com",
  });
  return { base, home };
}

/** Stored event ids and closed lap ids in `home`'s lumen.db, read-only. */
function stored(home: string): { events: string[]; laps: string[] } {
  const db = openStoreReader(home);
  try {
    return {
      events: db.all("SELECT id FROM events").map((row) => String(row.id)),
      laps: db.all("SELECT id FROM laps WHERE ended_at IS NOT NULL").map((row) => String(row.id)),
    };
  } finally {
    db.close();
  }
}

/** Polls `check` until it returns true; throws `what` after `timeoutMs`. */
async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (!await check()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Asserts every stored event and closed lap reached `ingest` exactly once, none missing. */
function assertDeliveredOnce(ingest: IngestServer, home: string): number {
  const { events, laps } = stored(home);
  const counts = ingest.eventCounts();
  const missing = events.filter((id) => !counts.has(id));
  const doubled = [...counts].filter(([, n]) => n > 1).map(([id]) => id);
  const unknown = [...counts.keys()].filter((id) => !events.includes(id));
  assert.deepEqual(missing, [], "stored events never delivered");
  assert.deepEqual(doubled, [], "events delivered under two keys");
  assert.deepEqual(unknown, [], "delivered events not stored");
  const lapCounts = new Map<string, number>();
  for (const delivery of ingest.accepted.values()) {
    if (delivery.path !== "/lumen/v1/laps") continue;
    lapCounts.set(delivery.body.lap.id, (lapCounts.get(delivery.body.lap.id) ?? 0) + 1);
  }
  assert.deepEqual([...lapCounts.keys()].sort(), [...laps].sort(), "closed laps delivered");
  assert.ok([...lapCounts.values()].every((n) => n === 1), "each lap delivered once");
  return events.length;
}

Deno.test("sync delivers every event exactly once across 200 cycles with random kill -9", async () => {
  const ingest = startIngestServer({ token: TOKEN });
  const upstream = await startFakeUpstream();
  const { base, home } = await connectedHome(ingest.origin);
  const env = daemonEnv(upstream.origin, upstream.caFile);
  const body = JSON.stringify((await fixture("openai/chat")).meta.request);
  let daemon: Daemon | null = null;
  try {
    let runs = 0;
    const eventPosts = () => ingest.requests.filter((r) => r.path === "/lumen/v1/events").length;
    while (eventPosts() < CYCLES && runs < MAX_RUNS) {
      runs++;
      // Half the runs answer slowly, so kills land between the server's receipt and its answer.
      ingest.answerDelayMs = runs % 2 === 0 ? 30 : 0;
      daemon = await startDaemon({ home, env });
      const stop = new AbortController();
      const workers = Array.from({ length: 4 }, () => keepRequesting(daemon!, body, stop.signal));
      if (runs % 5 === 0) {
        await daemon.api("/api/laps", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ name: `Run ${runs}` }),
        }).catch(() => {
          // Killed by a previous run's timing or busy: laps are a bonus here, events the point.
        });
      }
      await new Promise((resolve) => setTimeout(resolve, 100 + Math.random() * 400));
      const status = await daemon.stop("SIGKILL");
      assert.equal(status.signal, "SIGKILL");
      daemon = null;
      stop.abort();
      await Promise.all(workers);
    }
    assert.ok(eventPosts() >= CYCLES, `only ${eventPosts()} deliveries in ${runs} runs`);
    ingest.answerDelayMs = 0;
    // The last start drains what the kills left behind.
    const last: Daemon = daemon = await startDaemon({ home, env });
    await waitFor("the queue to drain", async () => {
      const sync = await last.api("/api/sync");
      return sync.queue_depth === 0;
    });
    const count = assertDeliveredOnce(ingest, home);
    const resent = ingest.requests.filter((r) => r.status === 409).length;
    assert.ok(count > 0);
    console.log(
      `${runs} kill -9 runs, ${eventPosts()} event deliveries (${resent} resent and answered ` +
        `409), ${count} events each delivered once`,
    );
  } finally {
    await daemon?.stop();
    await upstream.close();
    await ingest.close();
    await Deno.remove(base, { recursive: true });
  }
});

Deno.test("sync queues while the ingest server is down and drains when it returns", async () => {
  const ingest = startIngestServer({ token: TOKEN });
  const upstream = await startFakeUpstream();
  const { base, home } = await connectedHome(ingest.origin);
  const env = daemonEnv(upstream.origin, upstream.caFile);
  const body = JSON.stringify((await fixture("openai/chat")).meta.request);
  // Down before the daemon starts: nothing at all (not even the start's settings push) gets through.
  await ingest.stop();
  const daemon = await startDaemon({ home, env });
  try {
    for (let i = 0; i < 20; i++) {
      const res = await fetch(`${daemon.proxyOrigin}/openai/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
      });
      await res.arrayBuffer();
    }
    await waitFor("a failed delivery", async () => {
      const sync = await daemon.api("/api/sync");
      return sync.queue_depth === 20 && sync.last_error !== null;
    });
    const down = await daemon.api("/api/sync");
    assert.equal(down.last_sync_at, null);
    assert.doesNotMatch(JSON.stringify(down), new RegExp(TOKEN));
    ingest.start();
    // Backoff after the failures: a few seconds at most (base 1 s, doubling, full jitter).
    await waitFor("the queue to drain", async () => {
      const sync = await daemon.api("/api/sync");
      return sync.queue_depth === 0;
    }, 60_000);
    const up = await daemon.api("/api/sync");
    assert.equal(up.last_error, null);
    assert.ok(up.last_sync_at > 0);
    assert.equal(assertDeliveredOnce(ingest, home), 20);
  } finally {
    await daemon.stop();
    await upstream.close();
    await ingest.close();
    await Deno.remove(base, { recursive: true });
  }
});
