// The Events and Laps views against the real daemon: calls made through the relay with the
// official SDKs appear in the feed without a reload, and laps started from the page show up in
// the history with their before/after change.
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import type { Stack } from "../_stack.ts";
import { browserAvailable, openPage, screenshot, withDashboard } from "./_browser.ts";
import { sdkClients } from "./_sdk.ts";
import { formatUsd } from "../../dashboard/src/lib/format.ts";
import type { UsageEvent } from "../../core/types.ts";

const TIMEOUT = 10_000;

/** The SDK calls, and a call the upstream refuses. */
function clients(stack: Stack) {
  return {
    ...sdkClients(stack),
    /** A call the upstream refuses with `status`, recorded with that status. */
    async failing(status: number): Promise<UsageEvent> {
      const res = await fetch(`${stack.relay("openai")}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-fake-status": String(status) },
        body: JSON.stringify({ model: "gpt-5-mini", messages: [] }),
      });
      await res.body?.cancel();
      return (await stack.feed.next()).event;
    },
  };
}

/** The part of the page's DOM used here (the test itself type-checks without the DOM library). */
type PageDom = { document: { getAnimations(): { finished: Promise<unknown> }[] } };

/** Waits until every CSS animation (the arrival highlight) has finished, for a still screenshot. */
async function settle(page: Page) {
  await page.evaluate(() =>
    Promise.all((globalThis as unknown as PageDom).document.getAnimations().map((a) => a.finished))
  );
}

/** Matches an element whose whole text is `text`. */
function exactly(text: string): RegExp {
  return new RegExp(`^\\s*${text.replace(/[.*+?^${}()|[\]\\$]/g, "\\$&")}\\s*$`);
}

async function texts(page: Page, selector: string): Promise<string[]> {
  return (await page.locator(selector).allTextContents()).map((s) => s.trim());
}

Deno.test({
  name: "Events and Laps views: live rows from SDK calls, new laps with before/after deltas",
  ignore: !browserAvailable(),
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    await withDashboard(async (stack, browser) => {
      const base = `${stack.daemon.apiOrigin}/dashboard`;
      const call = clients(stack);
      const page = await openPage(browser);

      await t.step("no events yet: the page says how to set a client up", async () => {
        for (const scheme of ["light", "dark"] as const) {
          const p = scheme === "light" ? page : await openPage(browser, { colorScheme: scheme });
          await p.goto(`${base}/events`);
          await p.getByTestId("events-empty").waitFor({ timeout: TIMEOUT });
          assert.match(await p.getByTestId("events-empty").innerText(), /HTTPS_PROXY/);
          await screenshot(p, "events-empty", scheme);
          if (p !== page) await p.context().close();
        }
      });

      await t.step("an SDK call appears at the top without a reload, priced", async () => {
        await page.evaluate(() => Object.assign(globalThis, { __sameDocument: true }));
        const event = await call.chat();
        const row = page.locator(`[data-testid="event-row"][data-id="${event.id}"]`);
        await row.waitFor({ timeout: TIMEOUT });
        assert.ok(await page.evaluate(() => "__sameDocument" in globalThis), "no reload");
        assert.ok(event.model && event.cost_usd! > 0);
        assert.match(await row.innerText(), new RegExp(event.model!.replaceAll(".", "\\.")));
        assert.equal(
          (await row.getByTestId("event-cost").innerText()).trim(),
          formatUsd(event.cost_usd),
        );
        assert.match(await row.innerText(), new RegExp(event.client));
        assert.match(await row.innerText(), /relay/);
        assert.ok(await row.evaluate((el) => el.classList.contains("fresh")), "highlighted");

        const more = [await call.claude(), await call.failing(429), await call.chat()];
        const newest = page.locator('[data-testid="event-row"]').first();
        // Rows are the children of one tbody: the newest must be the first.
        await page.locator(`[data-testid="event-row"]:first-child[data-id="${more.at(-1)!.id}"]`)
          .waitFor({ timeout: TIMEOUT });
        assert.equal(await page.getByTestId("event-row").count(), 4);
        assert.equal(await newest.getAttribute("data-id"), more.at(-1)!.id);
        const failed = page.locator(`[data-testid="event-row"][data-id="${more[1].id}"]`);
        assert.equal((await failed.getByTestId("event-status-bad").innerText()).trim(), "429");
      });

      await t.step("the filters narrow the rows", async () => {
        await page.getByTestId("filter-provider").selectOption("anthropic");
        assert.equal(await page.getByTestId("event-row").count(), 1);
        await page.getByTestId("filter-provider").selectOption("");
        await page.getByTestId("filter-text").fill("claude");
        assert.equal(await page.getByTestId("event-row").count(), 1);
        await page.getByTestId("filter-text").fill("");
        assert.equal(await page.getByTestId("event-row").count(), 4);
        await settle(page);
        await screenshot(page, "events", "light");
        const dark = await openPage(browser, { colorScheme: "dark" });
        await dark.goto(`${base}/events`);
        await dark.getByTestId("event-row").nth(3).waitFor({ timeout: TIMEOUT });
        await screenshot(dark, "events", "dark");
        await dark.context().close();
      });

      await t.step("on a narrow screen the table scrolls, not the page", async () => {
        const narrow = await openPage(browser, { width: 400, height: 800 });
        await narrow.goto(`${base}/events`);
        await narrow.getByTestId("event-row").first().waitFor({ timeout: TIMEOUT });
        const overflow = await narrow.evaluate(
          "document.documentElement.scrollWidth - document.documentElement.clientWidth",
        );
        assert.equal(overflow, 0);
        await screenshot(narrow, "events-narrow", "light");
        await narrow.context().close();
      });

      await t.step("New lap closes the current lap and the history compares them", async () => {
        await page.getByRole("link", { name: "Laps", exact: true }).click();
        await page.getByTestId("lap-row").first().waitFor({ timeout: TIMEOUT });
        assert.equal(await page.getByTestId("current-lap-name").innerText(), "Lap 1");
        assert.deepEqual(await texts(page, '[data-testid="lap-delta-cost"]'), ["—"]);

        await page.getByTestId("new-lap-name").fill("refactor");
        await page.getByTestId("new-lap").click();
        await page.getByTestId("lap-row").nth(1).waitFor({ timeout: TIMEOUT });
        assert.deepEqual(await texts(page, '[data-testid="lap-name"]'), ["refactor", "Lap 1"]);
        assert.equal(await page.getByTestId("current-lap-name").innerText(), "refactor");
        assert.equal(await page.getByTestId("new-lap-name").inputValue(), "", "name cleared");
        // The new lap has spent nothing yet: down on the lap before.
        const firstDelta = page.getByTestId("lap-delta-cost").first();
        assert.match(await firstDelta.innerText(), /^▼\s*−\$/);

        // Live: the current lap and its delta follow the next call without a reload.
        const event = await call.chat();
        await page.getByTestId("current-lap-cost").filter({
          hasText: exactly(formatUsd(event.cost_usd)),
        })
          .waitFor({ timeout: TIMEOUT });
        assert.equal(await page.getByTestId("current-lap-requests").innerText(), "1");

        // Enter in the name field starts a lap too.
        await page.getByTestId("new-lap-name").fill("after cache");
        await page.getByTestId("new-lap-name").press("Enter");
        await page.getByTestId("lap-row").nth(2).waitFor({ timeout: TIMEOUT });
        await call.claude();
        await call.claude();
        await page.getByTestId("current-lap-requests").filter({ hasText: exactly("2") })
          .waitFor({ timeout: TIMEOUT });
        assert.deepEqual(await texts(page, '[data-testid="lap-name"]'), [
          "after cache",
          "refactor",
          "Lap 1",
        ]);
        const deltas = await page.getByTestId("lap-delta-cost").locator(".delta").evaluateAll(
          (els) => els.map((el) => el.getAttribute("data-value")),
        );
        assert.equal(deltas[2], null, "the first lap has nothing to compare with");
        assert.ok(Number(deltas[0]) > 0, "two Claude calls cost more than one chat");

        // The API agrees with what the page shows.
        const { laps } = await stack.daemon.api("/api/laps");
        assert.deepEqual(laps.map((l: { name: string }) => l.name), [
          "after cache",
          "refactor",
          "Lap 1",
        ]);
        assert.ok(Math.abs(Number(deltas[1]) - laps[1].delta.cost_usd) < 1e-9);
      });

      await t.step("two laps picked in the history are compared side by side", async () => {
        const compare = page.getByTestId("lap-compare");
        // By default the newest two.
        assert.equal(await compare.getByTestId("compare-before").innerText(), "refactor");
        assert.equal(await compare.getByTestId("compare-after").innerText(), "after cache");
        // A third pick replaces the earlier pick.
        await page.getByRole("checkbox", { name: "Compare Lap 1" }).check();
        assert.equal(await compare.getByTestId("compare-before").innerText(), "Lap 1");
        assert.equal(await compare.getByTestId("compare-after").innerText(), "refactor");
        await screenshot(page, "laps", "light");
        const dark = await openPage(browser, { colorScheme: "dark" });
        await dark.goto(`${base}/laps`);
        await dark.getByTestId("lap-compare").waitFor({ timeout: TIMEOUT });
        await screenshot(dark, "laps", "dark");
        await dark.context().close();
      });

      await t.step("Load older pages back past the events the page starts with", async () => {
        const relay = `${stack.relay("openai")}/v1/chat/completions`;
        const body = JSON.stringify({ model: "gpt-5-mini", messages: [] });
        for (let batch = 0; batch < 25; batch++) {
          await Promise.all(Array.from({ length: 8 }, async () => {
            const res = await fetch(relay, {
              method: "POST",
              headers: { "content-type": "application/json" },
              body,
            });
            await res.body?.cancel();
          }));
        }
        // An event is pushed only once it is on disk, so after these the store has them all.
        for (let i = 0; i < 200; i++) await stack.feed.next();
        const total = 4 + 3 + 200;
        await page.goto(`${base}/events`);
        await page.getByTestId("event-row").nth(199).waitFor({ timeout: TIMEOUT });
        const before = await page.getByTestId("event-row").count();
        assert.ok(before < total, `starts with a page (${before}), not everything`);
        await page.getByTestId("load-older").click();
        await page.getByTestId("events-end").waitFor({ timeout: TIMEOUT });
        const ids = await page.getByTestId("event-row").evaluateAll((els) =>
          els.map((el) => el.getAttribute("data-id"))
        );
        assert.equal(ids.length, total);
        assert.equal(new Set(ids).size, total, "no event twice");
      });
    });
  },
});
