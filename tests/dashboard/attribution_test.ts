// Project tags in a real browser: SDK calls tagged by header and by relay prefix show up as a
// "By project" list on the Overview and a "By project" chart and table on History.
import assert from "node:assert/strict";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { browserAvailable, forEachScheme, screenshot, withDashboard } from "./_browser.ts";

const BROWSER = { ignore: !browserAvailable(), sanitizeOps: false, sanitizeResources: false };

Deno.test({
  name: "Overview and History group spend by project",
  ...BROWSER,
  async fn() {
    await withDashboard(async (stack, browser) => {
      const openai = new OpenAI({
        apiKey: "sk-test",
        baseURL: `${stack.relay("openai")}/v1`,
        maxRetries: 0,
        defaultHeaders: { "X-Lumen-Project": "website" },
      });
      const anthropic = new Anthropic({
        apiKey: "sk-ant-test",
        baseURL: `${stack.daemon.proxyOrigin}/p/billing-api/anthropic`,
        maxRetries: 0,
      });
      for (let i = 0; i < 2; i++) {
        await openai.chat.completions.create({
          model: "gpt-5-mini",
          messages: [{ role: "user", content: "Say hello" }],
        });
        assert.equal((await stack.feed.next()).event.project, "website");
      }
      await anthropic.messages.create({
        model: "claude-sonnet-4-6",
        max_tokens: 64,
        messages: [{ role: "user", content: "Say hello" }],
      });
      const tagged = (await stack.feed.next()).event;
      assert.equal(tagged.project, "billing-api");
      assert.equal(tagged.client, "anthropic-js");

      await forEachScheme(browser, async (page, scheme) => {
        await page.goto(`${stack.daemon.apiOrigin}/`);
        await page.waitForSelector('[data-testid="connection"][data-state="live"]');
        const skip = await page.$('[data-testid="setup-skip"]');
        if (skip) await skip.click();
        const list = page.locator('[data-testid="spend-project"]');
        await list.waitFor({ timeout: 10_000 });
        const text = (await list.textContent()) ?? "";
        assert.match(text, /By project/);
        assert.match(text, /website[\s\S]*2 req/);
        assert.match(text, /billing-api[\s\S]*1 req/);
        await screenshot(page, "overview-projects", scheme);

        await page.goto(`${stack.daemon.apiOrigin}/dashboard/history`);
        const card = page.locator('[data-testid="project-spend"]');
        await card.waitFor({ timeout: 10_000 });
        const rows = await card.locator("tbody tr").allTextContents();
        assert.equal(rows.length, 2, rows.join(" | "));
        const requests = (project: string) =>
          card.locator("tbody tr", { hasText: project }).locator("td").first().textContent();
        assert.equal((await requests("website"))?.trim(), "2");
        assert.equal((await requests("billing-api"))?.trim(), "1");
        await card.scrollIntoViewIfNeeded();
        await screenshot(page, "history-projects", scheme);
      });
    });
  },
});
