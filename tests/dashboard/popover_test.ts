// The menu-bar popover at its real size (400×600): a call made through the relay shows in today's
// figure and the recent list without a reload, New lap starts a lap, and nothing scrolls sideways.
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { browserAvailable, openPage, screenshot, withDashboard } from "./_browser.ts";
import { sdkClients } from "./_sdk.ts";
import { formatUsd } from "../../dashboard/src/lib/format.ts";

const TIMEOUT = 10_000;
const SIZE = { width: 400, height: 600 };

/** How far the page scrolls sideways and downwards beyond the viewport. */
function overflow(page: Page): Promise<{ x: number; y: number }> {
  return page.evaluate(() => {
    const root = (globalThis as unknown as {
      document: {
        documentElement: Record<
          "scrollWidth" | "clientWidth" | "scrollHeight" | "clientHeight",
          number
        >;
      };
    }).document.documentElement;
    return { x: root.scrollWidth - root.clientWidth, y: root.scrollHeight - root.clientHeight };
  });
}

/** Matches an element whose whole text is `text`. */
function exactly(text: string): RegExp {
  return new RegExp(`^\\s*${text.replace(/[.*+?^${}()|[\]\\$]/g, "\\$&")}\\s*$`);
}

Deno.test({
  name: "popover: today's spend follows a relayed call, New lap works, fits 400×600",
  ignore: !browserAvailable(),
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    await withDashboard(async (stack, browser) => {
      const url = `${stack.daemon.apiOrigin}/dashboard/popover`;
      const { chat } = sdkClients(stack);

      const page = await openPage(browser, SIZE);
      await page.goto(url);
      await page.getByTestId("popover-empty").filter({ hasText: "No calls yet" }).waitFor({
        timeout: TIMEOUT,
      });
      assert.equal(await page.getByTestId("popover-today").innerText(), "$0.00");
      assert.equal(await page.getByRole("navigation").count(), 0, "no nav in the popover");

      const event = await chat();
      assert.ok(event.cost_usd! > 0);
      const today = formatUsd(event.cost_usd);
      await page.getByTestId("popover-today").filter({ hasText: exactly(today) }).waitFor({
        timeout: TIMEOUT,
      });
      assert.equal(await page.getByTestId("popover-event").count(), 1);
      assert.match(await page.getByTestId("popover-event").innerText(), new RegExp(event.model!));
      assert.equal(await page.getByTestId("popover-lap-cost-value").innerText(), today);
      assert.equal(await page.getByTestId("popover-total-value").innerText(), today);
      assert.notEqual(await page.getByTestId("popover-token-rate-value").innerText(), "0");

      await page.getByTestId("new-lap").click();
      await page.getByTestId("popover-lap-name").filter({ hasText: exactly("Lap 2") }).waitFor({
        timeout: TIMEOUT,
      });
      assert.equal(await page.getByTestId("popover-lap-cost-value").innerText(), "$0.00");
      assert.equal(await page.getByTestId("popover-today").innerText(), today, "today stays");
      const { laps } = await stack.daemon.api("/api/laps");
      assert.deepEqual(laps.map((l: { name: string }) => l.name), ["Lap 2", "Lap 1"]);

      const href = await page.getByTestId("open-dashboard").getAttribute("href");
      assert.match(href ?? "", /^\/dashboard\/?$/);

      // Fill the recent list for the screenshots, then check the layout in both schemes.
      for (let i = 0; i < 5; i++) await chat();
      await page.getByTestId("popover-event").nth(4).waitFor({ timeout: TIMEOUT });
      assert.equal(await page.getByTestId("popover-event").count(), 5, "the last five only");
      assert.deepEqual(await overflow(page), { x: 0, y: 0 });
      await screenshot(page, "popover", "light");
      const dark = await openPage(browser, { ...SIZE, colorScheme: "dark" });
      await dark.goto(url);
      await dark.getByTestId("popover-event").nth(4).waitFor({ timeout: TIMEOUT });
      assert.deepEqual(await overflow(dark), { x: 0, y: 0 });
      await screenshot(dark, "popover", "dark");
    });
  },
});
