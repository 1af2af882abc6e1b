// `lumen report` through the real CLI: it reads LUMEN_HOME's database itself, daemon or no daemon.
import assert from "node:assert/strict";
import { fixture, startFakeUpstream } from "./fake_upstream.ts";
import { runLumen, startDaemon } from "./_daemon.ts";
import { curl } from "./_curl.ts";
import { upstreamEnv } from "./_stack.ts";
import type { Stats } from "../core/usage/aggregator.ts";

Deno.test("lumen report with no database says there is no history yet and exits 1", async () => {
  const home = await Deno.makeTempDir();
  try {
    for (const dir of [home, `${home}/never-created`]) {
      const out = await runLumen(["report"], { LUMEN_HOME: dir, LUMEN_API_PORT: "1" });
      assert.equal(out.code, 1);
      assert.equal(out.stdout, "");
      assert.ok(out.stderr.startsWith(`lumen: No Lumen history in ${dir} yet`), out.stderr);
      assert.equal(out.stderr.trim().split("\n").length, 1, out.stderr);
    }
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("lumen report refuses bad arguments with one clear line", async () => {
  const cases: [string[], string][] = [
    [["--since", "7x"], 'lumen: Invalid --since "7x": expected hours, days or weeks'],
    [
      ["--group", "week"],
      'lumen: Invalid --group "week": expected day, model, provider, client or project',
    ],
    [["--until"], "lumen: --until needs a value"],
  ];
  for (const [args, start] of cases) {
    const out = await runLumen(["report", ...args], { LUMEN_HOME: "/tmp/x" });
    assert.equal(out.code, 1, args.join(" "));
    assert.ok(out.stderr.startsWith(start), out.stderr);
    assert.equal(out.stderr.trim().split("\n").length, 1, out.stderr);
  }
});

const CASES = ["anthropic/messages", "openai/chat", "openai/chat", "google/generate"];

Deno.test("lumen report reads the history a daemon wrote, running or stopped", async () => {
  const upstream = await startFakeUpstream();
  const daemon = await startDaemon({
    keepHome: true,
    env: upstreamEnv(upstream.origin, upstream.caFile),
  });
  const env = { LUMEN_HOME: daemon.home, LUMEN_API_PORT: String(daemon.apiPort) };
  let stopped = false;
  try {
    for (const name of CASES) {
      const { meta } = await fixture(name);
      const provider = name.split("/")[0];
      const res = await curl(`${daemon.proxyOrigin}/${provider}${meta.path}`, {
        headers: { "content-type": "application/json", "x-fake-case": name },
        body: JSON.stringify(meta.request),
      });
      assert.equal(res.status, 200);
    }
    let stats: Stats = await daemon.api("/api/stats");
    for (let i = 0; stats.today.requests < CASES.length && i < 200; i++) {
      await new Promise((r) => setTimeout(r, 25));
      stats = await daemon.api("/api/stats");
    }
    assert.equal(stats.today.requests, CASES.length);

    const live = await runLumen(["report", "--json", "--since", "1d"], env);
    assert.equal(live.code, 0, live.stderr);
    assertTotals(JSON.parse(live.stdout).total, stats.today);

    stopped = true;
    assert.equal((await daemon.stop()).code, 0, daemon.output());
    const json = await runLumen(["report", "--json", "--since", "1d"], env);
    assert.equal(json.code, 0, json.stderr);
    const doc = JSON.parse(json.stdout);
    assert.equal(doc.group, "day");
    assert.equal(doc.rows.length, 1);
    assertTotals(doc.rows[0], stats.today);
    assertTotals(doc.total, stats.today);

    const text = await runLumen(["report", "--group", "model"], env);
    assert.equal(text.code, 0, text.stderr);
    for (const model of Object.keys(stats.by_model)) {
      const row = text.stdout.split("\n").find((line) => line.startsWith(`${model} `));
      assert.ok(row, `a row for ${model} in\n${text.stdout}`);
      const usd = stats.by_model[model].cost_usd.toFixed(4);
      assert.ok(row.endsWith(` $${usd}`) || row.endsWith(" <$0.0001"), row);
    }
    const total = text.stdout.split("\n").find((line) => line.startsWith("Total "));
    assert.ok(total?.endsWith(` $${stats.today.cost_usd.toFixed(4)}`), text.stdout);
  } finally {
    if (!stopped) await daemon.stop();
    await Deno.remove(daemon.home.replace(/\/lumen$/, ""), { recursive: true });
    await upstream.close();
  }
});

/** Asserts a report row has exactly the figures of the daemon's own totals. */
function assertTotals(row: Record<string, number>, expected: Stats["today"]): void {
  for (const [name, value] of Object.entries(expected)) assert.equal(row[name], value, name);
}
