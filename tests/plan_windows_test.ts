// Plan windows end to end: a Claude plan's call to api.anthropic.com (OAuth token) is answered
// with `anthropic-ratelimit-unified-*` headers; Lumen shows them as `plan_windows.anthropic` in
// /api/stats, through the relay and through proxy mode, and prices the call API-equivalent.
import assert from "node:assert/strict";
import { fakeFiveHourReset, fakeSevenDayReset, fixture } from "./fake_upstream.ts";
import { startStack } from "./_stack.ts";
import { curl } from "./_curl.ts";
import { createPricer } from "../pricing/mod.ts";
import type { PlanWindow } from "../core/types.ts";
import { Aggregator } from "../core/usage/aggregator.ts";

const OAUTH = "Bearer sk-ant-oat01-test-token-not-real";

/** The windows the fake sends for a call made between `before` and `after` (epoch ms). */
function assertFakeWindows(
  windows: Record<string, PlanWindow>,
  before: number,
  after: number,
  limited = false,
): void {
  assert.deepEqual(Object.keys(windows).sort(), ["5h", "7d"]);
  assert.equal(windows["5h"].utilization, limited ? 1 : 0.42);
  assert.equal(windows["5h"].status, limited ? "rejected" : "allowed");
  assert.equal(windows["7d"].utilization, 0.13);
  assert.equal(windows["7d"].status, "allowed");
  const fiveHour = [fakeFiveHourReset(before) * 1000, fakeFiveHourReset(after) * 1000];
  assert.ok(fiveHour.includes(windows["5h"].resets_at!), `5h resets_at ${windows["5h"].resets_at}`);
  const sevenDay = [fakeSevenDayReset(before) * 1000, fakeSevenDayReset(after) * 1000];
  assert.ok(sevenDay.includes(windows["7d"].resets_at!), `7d resets_at ${windows["7d"].resets_at}`);
}

Deno.test("claude.ai's and Anthropic's windows sit side by side in the stats", () => {
  const aggregator = new Aggregator({ now: () => 1_000 });
  const claudeAi = { "5h": { utilization: 0.5, resets_at: 2_000, status: "within_limit" } };
  const anthropic = { "7d": { utilization: 0.1, resets_at: 3_000, status: "allowed" } };
  aggregator.recordPlanWindows("claude_ai", claudeAi, 1_000);
  aggregator.recordPlanWindows("anthropic", anthropic, 1_000);
  assert.deepEqual(aggregator.stats().plan_windows, {
    claude_ai: { observed_at: 1_000, windows: claudeAi },
    anthropic: { observed_at: 1_000, windows: anthropic },
  });
});

Deno.test("plan windows from unified rate-limit headers reach /api/stats", async (t) => {
  const stack = await startStack();
  const { meta } = await fixture("anthropic/messages");
  const body = JSON.stringify(meta.request);
  try {
    await t.step("an API-key call has no plan windows and is billed", async () => {
      const res = await fetch(`${stack.relay("anthropic")}/v1/messages`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-api-key": "sk-ant-api03-test" },
        body,
      });
      assert.equal(res.status, 200);
      await res.body?.cancel();
      const { event } = await stack.feed.next();
      assert.equal(event.price_source, "bundled");
      const stats = await stack.daemon.api("/api/stats");
      assert.equal(stats.plan_windows.anthropic, undefined);
    });

    await t.step(
      "a plan call through the relay: 5h and 7d windows, API-equivalent cost",
      async () => {
        const before = Date.now();
        const res = await fetch(`${stack.relay("anthropic")}/v1/messages`, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: OAUTH },
          body,
        });
        assert.equal(res.status, 200);
        assert.equal(res.headers.get("anthropic-ratelimit-unified-5h-utilization"), "0.42");
        await res.body?.cancel();
        const { event } = await stack.feed.next();
        const after = Date.now();
        assert.equal(event.price_source, "subscription");
        const expected = createPricer().price("anthropic", { ...meta.usage }).cost_usd;
        assert.ok(expected !== null && expected > 0);
        assert.equal(event.cost_usd, expected, "priced as the API would bill it");
        const stats = await stack.daemon.api("/api/stats");
        const plan = stats.plan_windows.anthropic;
        assert.ok(plan, "anthropic plan windows are shown");
        assert.ok(plan.observed_at >= before && plan.observed_at <= after);
        assertFakeWindows(plan.windows, before, after);
      },
    );

    await t.step("a 429 still updates the windows", async () => {
      const before = Date.now();
      const res = await fetch(`${stack.relay("anthropic")}/v1/messages`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          authorization: OAUTH,
          "x-fake-status": "429",
        },
        body,
      });
      assert.equal(res.status, 429);
      await res.body?.cancel();
      const { event } = await stack.feed.next();
      assert.equal(event.status, 429);
      const stats = await stack.daemon.api("/api/stats");
      assertFakeWindows(stats.plan_windows.anthropic.windows, before, Date.now(), true);
    });

    await t.step("a plan call through proxy mode (curl)", async () => {
      const before = Date.now();
      const res = await curl("https://api.anthropic.com/v1/messages", {
        headers: { "content-type": "application/json", authorization: OAUTH },
        body,
        args: ["--proxy", stack.daemon.proxyOrigin, "--cacert", `${stack.daemon.home}/ca.pem`],
      });
      assert.equal(res.status, 200);
      const { event } = await stack.feed.next();
      assert.equal(event.mode, "proxy");
      assert.equal(event.price_source, "subscription");
      const stats = await stack.daemon.api("/api/stats");
      assertFakeWindows(stats.plan_windows.anthropic.windows, before, Date.now());
    });
  } finally {
    await stack.close();
  }
});
