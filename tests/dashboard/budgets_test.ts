// Budgets in the dashboard against the real daemon: hidden until one is set, edited in Settings
// (saved through PUT /api/settings), then shown on the Overview as bars with threshold marks.
import assert from "node:assert/strict";
import { browserAvailable, forEachScheme, screenshot, withDashboard } from "./_browser.ts";

const BROWSER = { ignore: !browserAvailable(), sanitizeOps: false, sanitizeResources: false };
const TIMEOUT = 10_000;
const byTestId = (id: string) => `[data-testid="${id}"]`;

Deno.test({
  name: "Budgets: edited in Settings, shown on the Overview as bars with threshold marks",
  ...BROWSER,
  async fn() {
    await withDashboard(async (stack, browser) => {
      await stack.daemon.putSettings({ setup_done: true });
      await forEachScheme(browser, async (page, scheme) => {
        if (scheme === "light") {
          // No budget set: the Overview shows no budget card.
          await page.goto(`${stack.daemon.apiOrigin}/dashboard/`);
          await page.waitForSelector('[data-testid="connection"][data-state="live"]');
          await page.waitForSelector(byTestId("gauge-total"));
          assert.equal(await page.$(byTestId("budgets")), null);

          // Set budgets in Settings.
          await page.goto(`${stack.daemon.apiOrigin}/dashboard/settings#budgets`);
          await page.waitForSelector(byTestId("budgets-form"), { timeout: TIMEOUT });
          await page.fill(byTestId("budget-limit-daily_usd"), "0.00001");
          await page.fill(byTestId("budget-limit-monthly_usd"), "50");
          await page.fill(byTestId("budget-thresholds"), "80, 50, 100");
          await page.click(byTestId("budgets-save"));
          await page.waitForSelector(`${byTestId("budgets-feedback")} .ok`, { timeout: TIMEOUT });
          const { settings } = await stack.daemon.api("/api/settings");
          assert.deepEqual(settings.budgets, {
            daily_usd: 0.00001,
            weekly_usd: null,
            monthly_usd: 50,
            lap_usd: null,
          });
          assert.deepEqual(settings.budget_thresholds, [50, 80, 100]);
          assert.equal(settings.block_at_limit, false);
          // A bad threshold list cannot be saved.
          await page.fill(byTestId("budget-thresholds"), "50, lots");
          assert.equal(await page.isDisabled(byTestId("budgets-save")), true);
          await page.fill(byTestId("budget-thresholds"), "50, 80, 100");

          // One call through the relay spends past the daily limit.
          const res = await stack.relayFixture("openai/chat");
          assert.equal(res.status, 200);
          await res.body?.cancel();
          await stack.feed.next();
        }
        await page.goto(`${stack.daemon.apiOrigin}/dashboard/settings#budgets`);
        await page.waitForSelector(byTestId("budgets-form"), { timeout: TIMEOUT });
        assert.equal(await page.inputValue(byTestId("budget-limit-monthly_usd")), "50");
        await page.evaluate("document.activeElement?.blur(); window.scrollTo(0, 0)");
        await screenshot(page, "settings-budgets", scheme);

        await page.goto(`${stack.daemon.apiOrigin}/dashboard/`);
        await page.waitForSelector('[data-testid="connection"][data-state="live"]');
        await page.waitForSelector(byTestId("budgets"), { timeout: TIMEOUT });
        const daily = byTestId("budget-daily");
        assert.equal(await page.getAttribute(daily, "data-level"), "bad");
        const percent = await page.textContent(byTestId("budget-daily-percent"));
        assert.ok(Number(percent!.trim().replace("%", "")) > 100, percent ?? "");
        assert.equal(await page.getAttribute(byTestId("budget-monthly"), "data-level"), "ok");
        for (const t of [50, 80, 100]) {
          const mark = byTestId(`budget-daily-mark-${t}`);
          assert.match((await page.getAttribute(mark, "class")) ?? "", /crossed/);
          const monthly = byTestId(`budget-monthly-mark-${t}`);
          assert.doesNotMatch((await page.getAttribute(monthly, "class")) ?? "", /crossed/);
        }
        assert.equal(await page.$(byTestId("budget-weekly")), null);
        await page.mouse.move(0, 0);
        await screenshot(page, "overview-budgets", scheme);
      });
    });
  },
});
