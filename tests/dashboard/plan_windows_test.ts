// Plan windows in a real browser: a Claude-plan call (OAuth token) through the relay brings the
// Overview's 5-hour and 7-day bars with their utilization, status and a live reset countdown, its
// cost shown API-equivalent beside the billed figures (gauges, tokens card, spend lists), and the
// Events view labels the call's cost "API-equivalent".
import assert from "node:assert/strict";
import type { Stack } from "../_stack.ts";
import { fixture } from "../fake_upstream.ts";
import { browserAvailable, forEachScheme, screenshot, withDashboard } from "./_browser.ts";
import { formatUsd } from "../../dashboard/src/lib/format.ts";

const BROWSER = { ignore: !browserAvailable(), sanitizeOps: false, sanitizeResources: false };
const TIMEOUT = 10_000;

/** A Claude Code call made with a plan's OAuth token; resolves once its event is recorded. */
async function planCall(stack: Stack) {
  const { meta } = await fixture("anthropic/messages");
  const res = await fetch(`${stack.relay("anthropic")}/v1/messages`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "authorization": "Bearer sk-ant-oat01-test-token-not-real",
      "user-agent": "claude-cli/2.0.31 (external, cli)",
    },
    body: JSON.stringify(meta.request),
  });
  assert.equal(res.status, 200);
  await res.body?.cancel();
  return (await stack.feed.next()).event;
}

/** "resets in 4 h 12 min" → minutes left. */
function minutesLeft(text: string | null): number {
  const match = /resets in (\d+) h (\d+) min/.exec(text ?? "");
  assert.ok(match, `countdown text: ${text}`);
  return Number(match[1]) * 60 + Number(match[2]);
}

const row = (window: string) => `[data-testid="plan-window"][data-window="${window}"]`;

Deno.test({
  name: "Overview: plan windows show utilization, status and a live reset countdown",
  ...BROWSER,
  async fn() {
    await withDashboard(async (stack, browser) => {
      await stack.daemon.putSettings({ setup_done: true });
      let called = false;
      await forEachScheme(browser, async (page, scheme) => {
        // Fake timers from the start, so the countdown can be moved on without waiting.
        await page.clock.install();
        await page.goto(`${stack.daemon.apiOrigin}/`);
        await page.waitForSelector('[data-testid="connection"][data-state="live"]');
        if (!called) {
          assert.equal(await page.locator('[data-testid="plan-windows"]').count(), 0);
          await planCall(stack);
          called = true;
        }
        const stats = await stack.daemon.api("/api/stats");
        const windows = stats.plan_windows.anthropic.windows;
        // Live: the section arrives with the stats push, without a reload.
        await page.waitForSelector(row("5h"), { timeout: TIMEOUT });
        assert.equal(await page.locator('[data-testid="plan-window"]').count(), 2);
        const util = (w: string) =>
          page.textContent(`${row(w)} [data-testid="plan-window-utilization"]`);
        assert.equal(await util("5h"), "42%");
        assert.equal(await util("7d"), "13%");
        const status = await page.textContent(`${row("5h")} [data-testid="plan-window-status"]`);
        assert.equal(status?.trim(), "allowed");
        const meter = await page.getAttribute(`${row("5h")} [role="meter"]`, "aria-valuenow");
        assert.equal(meter, "42");

        const countdown = `${row("5h")} [data-testid="plan-window-countdown"]`;
        const shown = minutesLeft(await page.textContent(countdown));
        const expected = Math.floor((windows["5h"].resets_at - Date.now()) / 60_000);
        assert.ok(Math.abs(shown - expected) <= 1, `shown ${shown} min, expected ${expected}`);
        const week = await page.textContent(`${row("7d")} [data-testid="plan-window-countdown"]`);
        assert.match(week ?? "", /resets in [56] d \d+ h/);
        // The plan call is API-equivalent: beside the billed figures, never in them.
        const price = formatUsd(stats.total.api_equivalent_usd);
        assert.equal(stats.total.cost_usd, 0);
        assert.ok(stats.total.api_equivalent_usd > 0);
        const text = async (selector: string) => (await page.textContent(selector))?.trim();
        assert.equal(await text('[data-testid="gauge-total-value"]'), "$0.00");
        assert.equal(
          await text('[data-testid="gauge-total-note"]'),
          `+ ${price} API-equivalent (plan)`,
        );
        assert.equal(
          await text('[data-testid="gauge-lap-cost-note"]'),
          `+ ${price} API-equivalent (plan)`,
        );
        assert.equal(await text('[data-testid="cost-billed"] dt'), "Billed");
        assert.equal(await text('[data-testid="cost-billed"] dd'), "$0.00");
        assert.equal(await text('[data-testid="cost-api-equivalent"] dt'), "API-equivalent");
        assert.equal(await text('[data-testid="cost-api-equivalent"] dd'), price);
        assert.equal(
          await text('[data-testid="spend-provider"] [data-testid="spend-api-equivalent"]'),
          `+ ${price} API-equivalent`,
        );
        await screenshot(page, "overview-plan-windows", scheme);

        // An hour later (page time) the countdown is an hour shorter, with no new data.
        await page.clock.fastForward("01:00:00");
        await page.waitForFunction(
          ([selector, before]) => {
            const doc = (globalThis as unknown as {
              document: { querySelector(s: string): { textContent: string | null } | null };
            }).document;
            const match = /(\d+) h (\d+) min/.exec(doc.querySelector(selector)?.textContent ?? "");
            return match !== null && Number(match[1]) * 60 + Number(match[2]) <= before - 59;
          },
          [countdown, shown] as const,
          { timeout: TIMEOUT },
        );

        // The call's cost is labelled API-equivalent in the Events view.
        await page.click('a[href$="/events"]');
        const badge = await page.waitForSelector('[data-testid="event-api-equivalent"]', {
          timeout: TIMEOUT,
        });
        assert.equal((await badge.textContent())?.trim(), "API-equivalent");

        // History sums it apart from spend too.
        await page.click('a[href$="/history"]');
        const summary = await page.waitForSelector('[data-testid="summary-api-equivalent"]', {
          timeout: TIMEOUT,
        });
        assert.equal((await summary.textContent())?.trim(), `+ ${price} API-equivalent (plan)`);
        assert.equal(await text('[data-testid="summary-cost"]'), "$0.00");
      });
    });
  },
});
