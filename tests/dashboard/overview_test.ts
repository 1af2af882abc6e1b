// The Overview in a real browser: a real SDK call through the relay moves the gauges and the token
// breakdown without a reload, and the offline banner comes and goes with the daemon.
import assert from "node:assert/strict";
import { startDaemon } from "../_daemon.ts";
import { formatUsd } from "../../dashboard/src/lib/format.ts";
import {
  browserAvailable,
  forEachScheme,
  launchBrowser,
  openPage,
  screenshot,
  withDashboard,
} from "./_browser.ts";
import { sdkClients } from "./_sdk.ts";

const BROWSER = { ignore: !browserAvailable(), sanitizeOps: false, sanitizeResources: false };

/** The text of a gauge's figure. */
const figure = (testid: string) => `[data-testid="${testid}-value"]`;

Deno.test({
  name: "Overview: an SDK call moves the gauges and the breakdown without a reload",
  ...BROWSER,
  async fn() {
    await withDashboard(async (stack, browser) => {
      const call = sdkClients(stack);
      await forEachScheme(browser, async (page, scheme) => {
        await page.goto(`${stack.daemon.apiOrigin}/`);
        await page.waitForSelector('[data-testid="connection"][data-state="live"]');
        if (scheme === "light") {
          // A new install offers the setup; skipped, it stays away (it is a saved setting).
          await page.click('[data-testid="setup-skip"]');
          await page.waitForSelector('[data-testid="setup-wizard"]', { state: "detached" });
          assert.equal((await stack.daemon.api("/api/settings")).settings.setup_done, true);
          // Then: empty gauges and the next steps, with this daemon's own port.
          await page.waitForSelector('[data-testid="empty-state"]');
          assert.equal(await page.textContent(figure("gauge-total")), "$0.00");
          const steps = await page.textContent('[data-testid="empty-state"]');
          assert.ok(steps?.includes(`127.0.0.1:${stack.daemon.proxyPort}/anthropic`));
        }
        if (scheme === "light") await screenshot(page, "overview-empty", scheme);
        const loadedAt = await page.evaluate(() => performance.timeOrigin);

        const before = await page.textContent(figure("gauge-total"));
        // Each call resolves once its event is recorded (the feed follows the same SSE stream the
        // page does).
        const recorded = [
          await call.chat(),
          await call.claude({ model: "claude-haiku-4-5", maxTokens: 64 }),
        ];
        const stats = await stack.daemon.api("/api/stats");

        // A function, never a string: the dashboard's CSP forbids the eval string predicates need.
        // (Tests are type-checked without the DOM library, hence the cast.)
        await page.waitForFunction(
          ([selector, old]) => {
            const doc = (globalThis as unknown as {
              document: { querySelector(s: string): { textContent: string | null } | null };
            }).document;
            return doc.querySelector(selector)?.textContent !== old;
          },
          [figure("gauge-total"), before] as const,
          { timeout: 5_000 },
        );
        const total = await page.textContent(figure("gauge-total"));
        assert.equal(total, formatUsd(stats.total.cost_usd));
        assert.notEqual(await page.textContent(figure("gauge-token-rate")), "0 tok/s");
        const lap = Number(await page.getAttribute('[data-testid="gauge-lap-cost"]', "data-value"));
        assert.equal(lap, stats.lap.cost_usd);
        // Same document: the page was never reloaded.
        assert.equal(await page.evaluate(() => performance.timeOrigin), loadedAt);
        const models = await page.textContent('[data-testid="spend-model"]');
        for (const { model } of recorded) assert.ok(models?.includes(model!), models ?? "");
        await page.waitForSelector('[data-testid="empty-state"]', { state: "detached" });
        await screenshot(page, "overview", scheme);
      });
    });
  },
});

Deno.test({
  name: "Overview: shows an offline banner while the daemon is down and recovers on its own",
  ...BROWSER,
  async fn() {
    const first = await startDaemon({ keepHome: true });
    const home = first.home;
    let second: Awaited<ReturnType<typeof startDaemon>> | null = null;
    const browser = await launchBrowser();
    try {
      const page = await openPage(browser);
      await page.goto(`${first.apiOrigin}/`);
      await page.waitForSelector('[data-testid="connection"][data-state="live"]');
      await first.stop();
      await page.waitForSelector('[data-testid="offline-banner"]', { timeout: 10_000 });
      await screenshot(page, "overview-offline", "light");

      // The same ports and home, as after a restart.
      second = await startDaemon({
        home,
        env: {
          LUMEN_API_PORT: String(first.apiPort),
          LUMEN_PROXY_PORT: String(first.proxyPort),
        },
      });
      await page.waitForSelector('[data-testid="offline-banner"]', {
        state: "detached",
        timeout: 15_000,
      });
      await page.waitForSelector('[data-testid="connection"][data-state="live"]');
    } finally {
      await browser.close();
      await second?.stop();
      await Deno.remove(home.replace(/\/lumen$/, ""), { recursive: true }).catch(() => {});
    }
  },
});
