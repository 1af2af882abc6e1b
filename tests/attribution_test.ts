// Attribution end to end: curl through the relay (header and `/p/<project>/` prefix) and through the
// proxy; events carry the project and the client, the provider never sees X-Lumen-Project, and
// `/api/history?group=project` and `/api/stats` sum them.
import assert from "node:assert/strict";
import { fixture } from "./fake_upstream.ts";
import { startStack } from "./_stack.ts";
import { curl } from "./_curl.ts";
import { Database, DB_FILE, type SqlValue } from "../core/usage/store.ts";
import { MIGRATIONS, SCHEMA_VERSION, schemaVersion } from "../core/usage/schema.ts";
import { EVENT_COLUMNS } from "../core/usage/event_row.ts";
import { openLedger } from "../core/usage/ledger.ts";
import { localDay } from "../core/usage/day.ts";
import { usageEvent } from "../core/usage/_event_fixture.ts";
import { uuidv7 } from "../core/uuid.ts";
import type { HistoryResult } from "../core/usage/history.ts";
import { emptyTotals } from "../core/usage/totals.ts";

Deno.test("project tags flow from the header and the relay prefix into events, history and stats", async (t) => {
  const stack = await startStack();
  try {
    const chat = (await fixture("openai/chat")).meta;
    const messages = (await fixture("anthropic/messages")).meta;
    const seen = () => stack.upstream.requests.at(-1)!;

    await t.step("X-Lumen-Project header, relay mode", async () => {
      const res = await curl(`${stack.relay("openai")}${chat.path}`, {
        headers: {
          "content-type": "application/json",
          "x-lumen-project": "website",
          "x-lumen-control": "kept",
          "user-agent": "OpenAI/Python 1.40.0",
        },
        body: JSON.stringify(chat.request),
      });
      assert.equal(res.status, 200);
      const { event } = await stack.feed.next();
      assert.equal(event.project, "website");
      assert.equal(event.client, "openai-python");
      assert.equal(seen().headers["x-lumen-control"], "kept", "the upstream records headers");
      assert.equal(seen().headers["x-lumen-project"], undefined, "never sent upstream");
      assert.equal(seen().path, chat.path);
    });

    await t.step("/p/<project>/ prefix, relay mode, wins over the header", async () => {
      const res = await curl(`${stack.daemon.proxyOrigin}/p/api/anthropic${messages.path}`, {
        headers: {
          "content-type": "application/json",
          "x-lumen-project": "website",
          "user-agent": "claude-cli/2.1.187 (external, cli)",
        },
        body: JSON.stringify(messages.request),
      });
      assert.equal(res.status, 200);
      const { event } = await stack.feed.next();
      assert.equal(event.project, "api");
      assert.equal(event.client, "claude-code");
      assert.equal(seen().path, messages.path, "the prefix is not forwarded");
      assert.equal(seen().headers["x-lumen-project"], undefined);
    });

    await t.step("an invalid header is ignored (and still stripped)", async () => {
      await curl(`${stack.relay("openai")}${chat.path}`, {
        headers: { "content-type": "application/json", "x-lumen-project": "no/slashes" },
        body: JSON.stringify(chat.request),
      });
      const { event } = await stack.feed.next();
      assert.equal(event.project, null);
      assert.equal(seen().headers["x-lumen-project"], undefined);
    });

    await t.step("an invalid prefix is refused", async () => {
      const res = await curl(`${stack.daemon.proxyOrigin}/p/../openai${chat.path}`, {
        headers: { "content-type": "application/json" },
        body: JSON.stringify(chat.request),
        args: ["--path-as-is"],
      });
      assert.equal(res.status, 404);
    });

    await t.step("X-Lumen-Project header, proxy mode", async () => {
      const res = await curl(`https://api.openai.com${chat.path}`, {
        headers: {
          "content-type": "application/json",
          "x-lumen-project": "website",
          "user-agent": "codex_cli_rs/0.38.0 (Ubuntu 24.04.2 LTS; x86_64) WindowsTerminal",
        },
        body: JSON.stringify(chat.request),
        args: ["--proxy", stack.daemon.proxyOrigin, "--cacert", `${stack.daemon.home}/ca.pem`],
      });
      assert.equal(res.status, 200);
      const { event } = await stack.feed.next();
      assert.equal(event.mode, "proxy");
      assert.equal(event.project, "website");
      assert.equal(event.client, "codex");
      assert.equal(seen().headers["x-lumen-project"], undefined);
    });

    await t.step("history and stats sum by project", async () => {
      const api = (path: string) =>
        fetch(`${stack.daemon.apiOrigin}${path}`).then((res) => res.json());
      // Events reach the store in the recorder's next batch: wait (bounded) until all 4 are there.
      let history: HistoryResult = { rows: [], total: { key: "total", ...emptyTotals() } };
      for (const deadline = Date.now() + 10_000; Date.now() < deadline;) {
        history = await api("/api/history?group=project");
        if (history.total.requests === 4) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      const rows = Object.fromEntries(
        history.rows.map((r) => [r.key, r.requests]),
      );
      assert.deepEqual(rows, { website: 2, api: 1, "(none)": 1 });
      const stats = await api("/api/stats");
      assert.deepEqual(Object.keys(stats.by_project).sort(), ["api", "website"]);
      assert.equal(stats.by_project.website.requests, 2);
      for (const key of ["website", "api"]) {
        const row = history.rows.find((r) => r.key === key)!;
        assert.equal(stats.by_project[key].cost_usd, row.cost_usd, key);
        assert.ok(row.cost_usd > 0, key);
      }
      const exported = await fetch(`${stack.daemon.apiOrigin}/api/export?format=csv`)
        .then((res) => res.text());
      assert.match(exported.split("\n")[0], /,project\r?$/);
      assert.equal(exported.split("\n").filter((line) => /,website\r?$/.test(line)).length, 2);
    });
  } finally {
    await stack.close();
  }
});

Deno.test("openLedger() upgrades a V2 lumen.db: old events untagged, totals unchanged", async () => {
  const home = await Deno.makeTempDir({ prefix: "lumen-attribution-" });
  try {
    const now = new Date(2026, 10, 27, 12).getTime();
    const lap = uuidv7(now - 7_200_000);
    const old = usageEvent({ id: uuidv7(now - 3_600_000), ts: now - 3_600_000, lap_id: lap });
    // A database as Lumen wrote it before project tags: schema version 2, no project column.
    const v2 = new Database(`${home}/${DB_FILE}`);
    v2.exec(MIGRATIONS[0]);
    v2.exec(MIGRATIONS[1]);
    v2.exec("PRAGMA user_version = 2");
    const columns = EVENT_COLUMNS.filter((column) => column !== "project");
    v2.run(
      `INSERT INTO events (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`,
      ...columns.map((c) => typeof old[c] === "boolean" ? (old[c] ? 1 : 0) : old[c] as SqlValue),
    );
    v2.run(
      `INSERT INTO daily_totals VALUES (?, ?, 'openai', 'gpt-5-mini', 'sdk', 1, 10, 5, 0, 0, 0, ?,
       0, 0)`,
      localDay(old.ts),
      lap,
      1_000_000,
    );
    v2.run("INSERT INTO laps (id, name, started_at) VALUES (?, 'Lap 1', ?)", lap, now - 7_200_000);
    v2.close();

    const ledger = await openLedger(home, { now: () => now, log() {}, retentionDays: () => null });
    try {
      const [stored] = ledger.events({ limit: 10 });
      assert.equal(stored.id, old.id);
      assert.equal(stored.project, null);
      const stats = ledger.aggregator.stats();
      assert.equal(stats.total.requests, 1);
      assert.equal(stats.total.cost_usd, 0.001);
      assert.deepEqual(stats.by_project, {});
      assert.deepEqual(
        ledger.history({ group: "project" }).rows.map((r) => [r.key, r.requests, r.cost_usd]),
        [["(none)", 1, 0.001]],
      );
      // New events are tagged and summed beside the old ones.
      ledger.record(usageEvent({ id: uuidv7(now), ts: now, lap_id: lap, project: "website" }));
      assert.ok(ledger.flush());
      const rows = ledger.history({ group: "project" }).rows.map((r) => [r.key, r.requests]);
      assert.deepEqual(rows.sort(), [["(none)", 1], ["website", 1]]);
      assert.equal(ledger.history({ group: "day" }).total.requests, 2);
      assert.equal(ledger.aggregator.stats().by_project.website.requests, 1);
    } finally {
      ledger.close();
    }
    const reader = new Database(`${home}/${DB_FILE}`, { readOnly: true });
    assert.equal(schemaVersion(reader), SCHEMA_VERSION);
    reader.close();
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});
