// The Settings view against the real daemon: the CA shown is the daemon's, debug
// capture arms, captures a real SDK call through the relay and forgets it on disarm, a failed
// price refresh is reported in place, and a changed setting is saved.
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import type { Stack } from "../_stack.ts";
import { browserAvailable, openPage, screenshot, withDashboard } from "./_browser.ts";
import { sdkClients } from "./_sdk.ts";

const BROWSER = {
  ignore: !browserAvailable(),
  sanitizeOps: false,
  sanitizeResources: false,
};
const TIMEOUT = 10_000;
const API_KEY = "sk-test-secret-key-1234";

const byTestId = (id: string) => `[data-testid="${id}"]`;

async function openSettings(stack: Stack, page: Page): Promise<void> {
  await page.goto(`${stack.daemon.apiOrigin}/dashboard/settings`);
  await page.waitForSelector('[data-testid="connection"][data-state="live"]');
  await page.waitForSelector(byTestId("ca-fingerprint"));
}

/** A full-page screenshot from the top (where the sticky section list belongs), nothing focused. */
async function shoot(
  page: Page,
  name: string,
  scheme: "light" | "dark",
): Promise<void> {
  await page.mouse.move(0, 0);
  await page.evaluate("document.activeElement?.blur(); window.scrollTo(0, 0)");
  await screenshot(page, name, scheme);
}

/** Arms from the page, makes a call, and shows it expanded after Refresh. */
async function armAndCapture(stack: Stack, page: Page): Promise<void> {
  await page.click(byTestId("debug-arm"));
  await page.waitForSelector(
    '[data-testid="debug-status"][data-armed="true"]',
    {
      timeout: TIMEOUT,
    },
  );
  await sdkClients(stack, { apiKey: API_KEY }).chat();
  await page.click(byTestId("debug-refresh"));
  await page.waitForSelector(byTestId("debug-capture"), { timeout: TIMEOUT });
  await page.click(`${byTestId("debug-capture")} summary`);
}

Deno.test({
  name: "Settings: shows the daemon's CA, runs debug capture, reports a failed price refresh",
  ...BROWSER,
  async fn() {
    await withDashboard(async (stack, browser) => {
      const page = await openPage(browser, { colorScheme: "light" });
      await openSettings(stack, page);

      // The CA is the daemon's own, and the trust steps use its real path.
      const ca = await stack.daemon.api("/api/ca");
      assert.equal(
        await page.textContent(byTestId("ca-fingerprint")),
        ca.fingerprint_sha256,
      );
      assert.equal(await page.textContent(byTestId("ca-path")), ca.cert_path);
      // The daemon checks trust once it listens; this system does not trust the CA. "Check now"
      // runs the real handshake again.
      await page.click(byTestId("ca-check"));
      await page.waitForSelector(`${byTestId("ca-trusted")}:has-text("not trusted")`, {
        timeout: TIMEOUT,
      });
      assert.equal((await stack.daemon.api("/api/ca")).trusted, false);
      assert.equal(
        await page.getAttribute(byTestId("ca-download"), "href"),
        "/api/ca.pem",
      );
      assert.notEqual(
        await page.getAttribute(byTestId("ca-download"), "download"),
        null,
      );
      for (
        const tab of ["macOS", "Debian / Ubuntu", "Arch", "Windows", "Python"]
      ) {
        await page.click(`[role="tab"]:text-is("${tab}")`);
        // Python's variables replace its trust store: they name Lumen's combined bundle.
        const file = tab === "Python"
          ? ca.cert_path.replace(/ca\.pem$/, "ca-bundle.pem")
          : ca.cert_path;
        assert.ok((await page.textContent(byTestId("trust-panel")))!.includes(file), tab);
      }
      // Arrow keys move between the tabs.
      await page.focus('[role="tab"][aria-selected="true"]');
      await page.keyboard.press("Home");
      await page.keyboard.press("ArrowRight");
      assert.equal(
        await page.textContent('[role="tab"][aria-selected="true"]'),
        "Debian / Ubuntu",
      );
      const about = await page.textContent(byTestId("about"));
      assert.ok(
        about?.includes(`127.0.0.1:${stack.daemon.proxyPort}`),
        about ?? "",
      );
      await shoot(page, "settings", "light");

      // The remote price source is a dead port in tests: the refresh fails, and says why.
      await page.click(byTestId("pricing-refresh"));
      const alert = await page.waitForSelector(
        `${byTestId("pricing-result")} [role="alert"]`,
        {
          timeout: TIMEOUT,
        },
      );
      const message = await alert.textContent();
      assert.match(message!, /Refresh failed/);
      assert.ok(message!.includes("127.0.0.1:9"), message!);
      assert.equal(await page.isEnabled(byTestId("pricing-refresh")), true);
      assert.ok(await page.isVisible(byTestId("pricing-layer-bundled")));

      // Debug capture: armed on the page and in the API, a relay call shows after Refresh.
      await armAndCapture(stack, page);
      const status = await stack.daemon.api("/api/debug/captures");
      assert.equal(status.armed, true);
      assert.equal(status.captures.length, 1);
      assert.match(
        (await page.textContent(byTestId("debug-status")))!,
        /disarms in 1[45] min/,
      );
      const capture = (await page.textContent(byTestId("debug-capture")))!;
      assert.match(capture, /POST/);
      assert.match(capture, /\/v1\/chat\/completions/);
      assert.match(capture, /200/);
      assert.ok(await page.isVisible(`${byTestId("debug-capture")} pre`));
      // The API key never reaches the page.
      assert.ok(!(await page.content()).includes(API_KEY));
      await shoot(page, "settings-debug", "light");

      await page.click(byTestId("debug-disarm"));
      await page.waitForSelector(
        '[data-testid="debug-status"][data-armed="false"]',
        {
          timeout: TIMEOUT,
        },
      );
      await page.waitForSelector(byTestId("debug-capture"), {
        state: "detached",
      });
      const after = await stack.daemon.api("/api/debug/captures");
      assert.deepEqual(after, { armed: false, expires_at: null, captures: [] });
      await page.context().close();

      const dark = await openPage(browser, { colorScheme: "dark" });
      await openSettings(stack, dark);
      await shoot(dark, "settings", "dark");
      await armAndCapture(stack, dark);
      await shoot(dark, "settings-debug", "dark");
      await dark.click(byTestId("debug-disarm"));
      await dark.waitForSelector(
        '[data-testid="debug-status"][data-armed="false"]',
      );
    });
  },
});

Deno.test({
  name: "Settings: turning off include_stream_usage is saved and survives a reload",
  ...BROWSER,
  async fn() {
    await withDashboard(async (stack, browser) => {
      assert.equal(
        (await stack.daemon.api("/api/settings")).settings.include_stream_usage,
        true,
      );
      const page = await openPage(browser);
      await openSettings(stack, page);
      const toggle = byTestId("setting-stream-usage");
      await page.waitForSelector(toggle);
      assert.equal(await page.isChecked(toggle), true);
      assert.equal(await page.isEnabled(byTestId("settings-save")), false);
      await page.uncheck(toggle);
      await page.click(byTestId("settings-save"));
      await page.waitForSelector(`${byTestId("settings-feedback")} .ok`, {
        timeout: TIMEOUT,
      });
      assert.equal(
        (await stack.daemon.api("/api/settings")).settings.include_stream_usage,
        false,
      );

      // A day count below 1 is refused on the page before it reaches the daemon.
      await page.fill(byTestId("setting-retention-days"), "0");
      assert.equal(await page.isEnabled(byTestId("settings-save")), false);
      await page.fill(byTestId("setting-retention-days"), "30");
      await page.click(byTestId("settings-save"));
      await page.waitForSelector(`${byTestId("settings-feedback")} .ok`, {
        timeout: TIMEOUT,
      });
      assert.equal(
        (await stack.daemon.api("/api/settings")).settings.retention_days,
        30,
      );

      await page.reload();
      await page.waitForSelector(toggle);
      assert.equal(await page.isChecked(toggle), false);
      assert.equal(
        await page.inputValue(byTestId("setting-retention-days")),
        "30",
      );
    });
  },
});
