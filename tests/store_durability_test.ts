// lumen.db end to end: what the feed acknowledged survives kill -9, the database stays intact, a
// second daemon on the same home is refused, and a restart changes no figure.
import assert from "node:assert/strict";
import { openStoreReader } from "../core/usage/store.ts";
import { keepRequesting, runLumen, startDaemon } from "./_daemon.ts";
import { fixture, startFakeUpstream } from "./fake_upstream.ts";
import { upstreamEnv } from "./_stack.ts";
import { openUsageFeed } from "./_usage_feed.ts";

const RUNS = 20;
const CONCURRENCY = 30;

/** Ids of every event stored in `home`'s lumen.db, and its integrity check, read-only. */
function inspect(home: string): { ids: Set<string>; integrity: string } {
  const db = openStoreReader(home);
  try {
    const ids = new Set(db.all("SELECT id FROM events").map((row) => String(row.id)));
    return { ids, integrity: String(db.get("PRAGMA integrity_check")?.integrity_check) };
  } finally {
    db.close();
  }
}

Deno.test("daemon loses no acknowledged event across 20 kill -9 during traffic", async () => {
  const upstream = await startFakeUpstream();
  const base = await Deno.makeTempDir({ prefix: "lumen-durability-" });
  const home = `${base}/lumen`;
  const env = upstreamEnv(upstream.origin, upstream.caFile);
  const body = JSON.stringify((await fixture("openai/chat")).meta.request);
  const acknowledged = new Set<string>();
  let requests = 0;
  let daemon = await startDaemon({ home, env });
  try {
    for (let run = 0; run < RUNS; run++) {
      const feed = await openUsageFeed(daemon.apiOrigin);
      const client = Deno.createHttpClient({});
      const stop = new AbortController();
      const workers = Array.from(
        { length: CONCURRENCY },
        () => keepRequesting(daemon, body, stop.signal, client),
      );
      // Traffic is flowing once the first event is acknowledged; the kill falls 20–200 ms later.
      acknowledged.add((await feed.next(10_000)).event.id);
      await new Promise((resolve) => setTimeout(resolve, 20 + Math.random() * 180));
      const status = await daemon.stop("SIGKILL");
      assert.equal(status.signal, "SIGKILL");
      stop.abort();
      requests += (await Promise.all(workers)).reduce((a, b) => a + b, 0);
      client.close();
      // Everything the feed delivered before the kill was acknowledged to a client.
      while (feed.pending() > 0) acknowledged.add((await feed.next()).event.id);
      await feed.close();

      const { ids, integrity } = inspect(home);
      assert.equal(integrity, "ok", `run ${run}: integrity_check straight after kill -9`);
      const lost = [...acknowledged].filter((id) => !ids.has(id));
      assert.deepEqual(lost, [], `run ${run}: acknowledged events missing from lumen.db`);
      daemon = await startDaemon({ home, env });
    }
    // And through the API of the restarted daemon, paged with the before cursor.
    const listed = new Set<string>();
    let before = "";
    for (let page = 0; page < 1_000; page++) {
      const { events } = await daemon.api(`/api/events?limit=1000${before}`);
      for (const event of events) listed.add(event.id);
      if (events.length < 1000) break;
      before = `&before=${events.at(-1).id}`;
    }
    assert.deepEqual([...acknowledged].filter((id) => !listed.has(id)), []);
    const stats = await daemon.api("/api/stats");
    assert.equal(stats.total.requests, listed.size, "the totals count exactly the stored events");
    assert.ok(acknowledged.size > 0, "some events were acknowledged before the kills");
    console.log(
      `${RUNS} kill -9 runs: ${requests} requests completed, ${acknowledged.size} events ` +
        `acknowledged on the feed, ${listed.size} stored, 0 acknowledged lost`,
    );
  } finally {
    await daemon.stop();
    await upstream.close();
    await Deno.remove(base, { recursive: true });
  }
});

Deno.test("a second daemon on the same LUMEN_HOME exits 1 with one clear line", async () => {
  const daemon = await startDaemon();
  try {
    const out = await runLumen(["serve"], {
      LUMEN_HOME: daemon.home,
      LUMEN_PROXY_PORT: "0",
      LUMEN_API_PORT: "0",
      LUMEN_PRICING_URL: "http://127.0.0.1:9/prices.json",
    });
    assert.equal(out.code, 1);
    assert.equal(
      out.stderr.trim(),
      `lumen: Another Lumen is already running with LUMEN_HOME=${daemon.home}`,
    );
    assert.equal(out.stdout, "");
    assert.equal((await daemon.api("/api/health")).store.ok, true, "the first one runs on");
  } finally {
    await daemon.stop();
  }
});

Deno.test("a restart, clean or kill -9, changes no figure", async () => {
  const upstream = await startFakeUpstream();
  const base = await Deno.makeTempDir({ prefix: "lumen-restart-" });
  const home = `${base}/lumen`;
  const env = upstreamEnv(upstream.origin, upstream.caFile);
  let daemon = await startDaemon({ home, env });
  try {
    const cases = [
      ["openai", "openai/chat"],
      ["anthropic", "anthropic/messages"],
      ["google", "google/generate"],
    ] as const;
    const feed = await openUsageFeed(daemon.apiOrigin);
    const send = async (round: number) => {
      for (const [prefix, name] of cases) {
        const { meta } = await fixture(name);
        for (let i = 0; i <= round; i++) {
          const res = await fetch(`${daemon.proxyOrigin}/${prefix}${meta.path}`, {
            method: "POST",
            headers: { "content-type": "application/json", "user-agent": `client-${i}` },
            body: JSON.stringify(meta.request),
          });
          await res.arrayBuffer();
          await feed.next();
        }
      }
    };
    await send(0);
    await daemon.api("/api/laps", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "after refactor" }),
    });
    await send(1);
    await feed.close();
    const figures = async () => {
      const { laps } = await daemon.api("/api/laps");
      return {
        stats: await daemon.api("/api/stats"),
        // The open lap's duration runs on with the clock; everything else must not move.
        laps: laps.map((lap: { duration_ms: number; ended_at: number | null }) =>
          lap.ended_at === null ? { ...lap, duration_ms: 0 } : lap
        ),
        events: await daemon.api("/api/events?limit=1000"),
        history: await daemon.api("/api/history?group=model"),
        days: await daemon.api("/api/history?group=day"),
      };
    };
    const before = await figures();
    assert.equal(before.stats.total.requests, 9);
    assert.equal(before.laps.length, 2);
    for (const signal of ["SIGTERM", "SIGKILL"] as const) {
      await daemon.stop(signal);
      daemon = await startDaemon({ home, env });
      assert.deepEqual(await figures(), before, `after ${signal}`);
    }
  } finally {
    await daemon.stop();
    await upstream.close();
    await Deno.remove(base, { recursive: true });
  }
});
