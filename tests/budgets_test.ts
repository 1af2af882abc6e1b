// Budgets end to end: a tiny daily budget set over the API, calls through the relay, the figures in
// /api/stats, one SSE `event: budget` and one desktop notification (a stand-in notify-send on PATH),
// then block_at_limit: the next calls get the provider's 429 shape and the upstream sees nothing.
import assert from "node:assert/strict";
import { createSseDecoder } from "../core/parse/sse.ts";
import { fixture } from "./fake_upstream.ts";
import { startStack } from "./_stack.ts";
import { curl } from "./_curl.ts";

const NOTIFY_STAND_IN = `#!/bin/sh
printf '%s\\n' "$@" >> "$LUMEN_STANDIN_DIR/notify-send.calls"
echo "--" >> "$LUMEN_STANDIN_DIR/notify-send.calls"
`;

/** Waits up to 10 s for `check` to return a value other than undefined. */
async function eventually<T>(what: string, check: () => Promise<T | undefined> | T | undefined) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Collects `event: budget` messages from the SSE feed. */
async function followBudgets(apiOrigin: string) {
  const abort = new AbortController();
  const res = await fetch(`${apiOrigin}/api/events/stream`, { signal: abort.signal });
  const alerts: Record<string, unknown>[] = [];
  let stats = 0;
  const decoder = createSseDecoder({
    onEvent(sse) {
      if (sse.event === "budget") alerts.push(JSON.parse(sse.data));
      if (sse.event === "stats") stats++;
    },
  });
  const reader = res.body!.getReader();
  const pump = (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        decoder.feed(value);
      }
    } catch {
      // Cancelled by close().
    }
  })();
  return {
    alerts,
    stats: () => stats,
    async close() {
      await reader.cancel().catch(() => {});
      abort.abort();
      await pump;
    },
  };
}

Deno.test("budgets: stats, one alert per threshold, a notification, and blocking at 100 %", async () => {
  const dir = await Deno.makeTempDir({ prefix: "lumen-budgets-" });
  await Deno.mkdir(`${dir}/bin`);
  await Deno.writeTextFile(`${dir}/bin/notify-send`, NOTIFY_STAND_IN, { mode: 0o755 });
  const calls = `${dir}/notify-send.calls`;
  const stack = await startStack({
    PATH: `${dir}/bin:${Deno.env.get("PATH") ?? "/usr/bin:/bin"}`,
    LUMEN_STANDIN_DIR: dir,
  });
  const budgetFeed = await followBudgets(stack.daemon.apiOrigin);
  const chat = await fixture("openai/chat");
  const messages = await fixture("anthropic/messages");
  const callOpenAi = () => stack.relayFixture("openai/chat");
  try {
    // No budget set: none listed, and nothing blocks.
    assert.deepEqual((await stack.daemon.api("/api/stats")).budgets, []);
    const saved = await stack.daemon.putSettings({
      budgets: { daily_usd: 0.000001, monthly_usd: 1000 },
    });
    assert.deepEqual(saved.settings.budgets, { daily_usd: 0.000001, monthly_usd: 1000 });
    assert.deepEqual(saved.settings.budget_thresholds, [50, 80, 100]);
    assert.equal(saved.settings.block_at_limit, false);
    const bad = await fetch(`${stack.daemon.apiOrigin}/api/settings`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ budgets: { daily_usd: -1 } }),
    });
    assert.equal(bad.status, 400);
    assert.match((await bad.json()).error.message, /budgets/);

    const before = (await stack.daemon.api("/api/stats")).budgets;
    assert.deepEqual(
      before.map((b: { period: string; spent_usd: number }) => [b.period, b.spent_usd]),
      [
        ["daily", 0],
        ["monthly", 0],
      ],
    );

    const first = await callOpenAi();
    assert.equal(first.status, 200);
    await first.body?.cancel();
    const { event } = await stack.feed.next();
    assert.ok(event.cost_usd! > 0);

    const stats = await stack.daemon.api("/api/stats");
    const [daily, monthly] = stats.budgets;
    assert.equal(daily.period, "daily");
    assert.equal(daily.limit_usd, 0.000001);
    assert.equal(daily.spent_usd, event.cost_usd);
    assert.ok(daily.ratio > 1);
    assert.deepEqual(daily.crossed, [50, 80, 100]);
    assert.deepEqual(monthly.crossed, []);

    // One SSE alert (the highest threshold reached) and one notification naming the budget.
    const [alert] = await eventually(
      "a budget alert",
      () => budgetFeed.alerts[0] && budgetFeed.alerts,
    );
    assert.equal(alert.period, "daily");
    assert.equal(alert.threshold, 100);
    const notified = await eventually(
      "notify-send",
      () => Deno.readTextFile(calls).catch(() => undefined),
    );
    assert.deepEqual(notified.trim().split("\n"), [
      "--app-name=Lumen",
      "--",
      "Lumen budget",
      String(alert.message),
      "--",
    ]);
    assert.match(String(alert.message), /^Daily budget: 100% reached/);

    // Over the limit, but blocking is off: traffic flows, and no alert repeats.
    const statsSeen = budgetFeed.stats();
    const second = await callOpenAi();
    assert.equal(second.status, 200);
    await second.body?.cancel();
    await stack.feed.next();
    await eventually("the next stats", () => budgetFeed.stats() > statsSeen || undefined);

    // Blocking on: refused in each provider's shape, without a request upstream.
    assert.equal(
      (await stack.daemon.putSettings({ block_at_limit: true })).settings.block_at_limit,
      true,
    );
    const upstreamBefore = stack.upstream.requests.length;
    const blocked = await callOpenAi();
    assert.equal(blocked.status, 429);
    const openAiError = await blocked.json();
    assert.equal(openAiError.error.type, "budget_exceeded");
    assert.equal(openAiError.error.code, "lumen_budget");
    assert.match(openAiError.error.message, /daily budget/);
    const anthropic = await fetch(`${stack.relay("anthropic")}${messages.meta.path}`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-fake-case": "anthropic/messages" },
      body: JSON.stringify(messages.meta.request),
    });
    assert.equal(anthropic.status, 429);
    const anthropicError = await anthropic.json();
    assert.equal(anthropicError.type, "error");
    assert.equal(anthropicError.error.type, "rate_limit_error");
    assert.match(anthropicError.error.message, /daily budget/);
    // Proxy mode (TLS interception) is refused the same way.
    const proxied = await curl(`https://api.openai.com${chat.meta.path}`, {
      headers: { "content-type": "application/json", "x-fake-case": "openai/chat" },
      body: JSON.stringify(chat.meta.request),
      args: ["--proxy", stack.daemon.proxyOrigin, "--cacert", `${stack.daemon.home}/ca.pem`],
    });
    assert.equal(proxied.status, 429);
    assert.equal(JSON.parse(new TextDecoder().decode(proxied.body)).error.code, "lumen_budget");
    assert.equal(stack.upstream.requests.length, upstreamBefore);
    assert.equal(stack.feed.pending(), 0);

    // Raising the limit lets traffic through again.
    await stack.daemon.putSettings({ budgets: { daily_usd: 100 } });
    const after = await callOpenAi();
    assert.equal(after.status, 200);
    await after.body?.cancel();
    await stack.feed.next();
    assert.equal(budgetFeed.alerts.length, 1);
    const runs = (await Deno.readTextFile(calls)).split("\n").filter((l) =>
      l === "--app-name=Lumen"
    );
    assert.equal(runs.length, 1);
  } finally {
    await budgetFeed.close();
    await stack.close();
    await Deno.remove(dir, { recursive: true });
  }
});
