// First-run setup and the Launch view in a real browser against the real daemon, whose PATH holds
// harmless stand-ins for `claude` and `cursor`: relay mode walked from the choice to the first call
// made with the environment the wizard gave; proxy mode with the real trust check and Cursor's
// stand-in launched from the page with the proxy environment.
import assert from "node:assert/strict";
import type { Browser, Page } from "playwright-core";
import { curl } from "../_curl.ts";
import type { Stack } from "../_stack.ts";
import { standIns } from "../_stand_ins.ts";
import {
  browserAvailable,
  forEachScheme,
  openPage,
  screenshot,
  withDashboard,
} from "./_browser.ts";

const BROWSER = { ignore: !browserAvailable(), sanitizeOps: false, sanitizeResources: false };
const byTestId = (id: string) => `[data-testid="${id}"]`;

/** Reads `export NAME='value'` lines (what the wizard shows for bash) into an object. */
function parseExports(lines: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const match of lines.matchAll(/^export (\w+)='((?:[^']|'\\'')*)'$/gm)) {
    env[match[1]] = match[2].replaceAll("'\\''", "'");
  }
  return env;
}

async function shoot(page: Page, name: string, scheme: "light" | "dark") {
  await page.mouse.move(0, 0);
  await screenshot(page, name, scheme);
}

type StandIns = Awaited<ReturnType<typeof standIns>>;

/** Runs `fn` against the stack with the stand-ins on the daemon's PATH, then removes them. */
async function withStandIns(
  fn: (stack: Stack, browser: Browser, s: StandIns) => Promise<void>,
): Promise<void> {
  const s = await standIns();
  try {
    await withDashboard((stack, browser) => fn(stack, browser, s), { env: s.env });
  } finally {
    await s.remove();
  }
}

/** Marks the first-run setup as not done, so the Overview offers it again. */
async function offerSetup(stack: Stack): Promise<void> {
  await stack.daemon.putSettings({ setup_done: false });
}

Deno.test({
  name: "Setup wizard: relay and proxy walked from the choice to the first call on the gauge",
  ...BROWSER,
  async fn() {
    await withStandIns(async (stack, browser, s) => {
      await forEachScheme(browser, async (page, scheme) => {
        await offerSetup(stack);
        await page.goto(`${stack.daemon.apiOrigin}/`);
        await page.waitForSelector(byTestId("setup-wizard"));
        await page.waitForSelector('[data-testid="connection"][data-state="live"]');
        await shoot(page, "setup-1-mode", scheme);

        // Relay: Claude Code is a terminal program, so the page gives its command and env.
        await page.click(byTestId("setup-relay"));
        await page.click(byTestId("setup-client-claude-code"));
        const snippet = page.locator(`${byTestId("setup-wizard")} pre`);
        await snippet.filter({ hasText: "OPENAI_BASE_URL" }).waitFor();
        const env = parseExports(await snippet.innerText());
        assert.equal(env.OPENAI_BASE_URL, `${stack.relay("openai")}/v1`);
        assert.match(await page.innerText(byTestId("setup-wizard")), /lumen launch claude-code/);
        await shoot(page, "setup-3-client-relay", scheme);
        await page.click(byTestId("setup-client-next"));
        await page.waitForSelector(byTestId("setup-wait"));

        // The first call, made with exactly the variables the wizard handed out.
        const answer = await curl(`${env.OPENAI_BASE_URL}/chat/completions`, {
          headers: { "content-type": "application/json", authorization: "Bearer sk-test" },
          body: JSON.stringify({
            model: "gpt-5-mini",
            messages: [{ role: "user", content: "hi" }],
          }),
        });
        assert.equal(answer.status, 200);
        const { event } = await stack.feed.next();
        const first = await page.waitForSelector(byTestId("setup-first-event"));
        assert.match(await first.innerText(), new RegExp(event.model!));
        await shoot(page, "setup-4-first-call", scheme);
        await page.click(byTestId("setup-done"));
        await page.waitForSelector(byTestId("setup-wizard"), { state: "detached" });
        assert.equal((await stack.daemon.api("/api/settings")).settings.setup_done, true);
        // The gauge shows the call.
        assert.notEqual(await page.textContent(byTestId("gauge-total-value")), "$0.00");
      });

      // Proxy: the real trust check (this system does not trust the CA), then Cursor launched.
      await offerSetup(stack);
      const page = await openPage(browser);
      await page.goto(`${stack.daemon.apiOrigin}/`);
      await page.click(byTestId("setup-proxy"));
      await page.waitForSelector('[data-testid="setup-trust"][data-trusted="false"]', {
        timeout: 15_000,
      });
      assert.match(await page.innerText(byTestId("setup-trust")), /Not trusted yet/);
      const ca = await stack.daemon.api("/api/ca");
      assert.equal(ca.trusted, false);
      assert.ok(ca.checked_at > 0);
      await shoot(page, "setup-2-trust", "light");
      await page.click(byTestId("setup-trust-next"));
      await page.click(byTestId("setup-client-cursor"));
      await page.click(byTestId("setup-launch"));
      await page.waitForSelector(byTestId("setup-wait"));
      const cursor = await s.recorded("cursor");
      assert.equal(cursor.env.HTTPS_PROXY, stack.daemon.proxyOrigin);
      assert.equal(cursor.env.NODE_EXTRA_CA_CERTS, ca.cert_path);
      await page.click(byTestId("setup-skip"));
      await page.waitForSelector(byTestId("setup-wizard"), { state: "detached" });
    });
  },
});

Deno.test({
  name: "Launch view: every client with where it was found; Cursor's stand-in starts from the page",
  ...BROWSER,
  async fn() {
    await withStandIns(async (stack, browser, s) => {
      await forEachScheme(browser, async (page, scheme) => {
        await page.goto(`${stack.daemon.apiOrigin}/dashboard/`);
        // The nav offers Launch now that the daemon has launchers.
        await page.click('nav a:text-is("Launch")');
        await page.waitForSelector(byTestId("launchers"));
        const { launchers } = await stack.daemon.api("/api/launchers");
        assert.equal(
          await page.locator(`${byTestId("launchers")} article`).count(),
          launchers.length,
        );
        // Claude Code is installed (the stand-in) but runs in a terminal: no button, the command.
        assert.equal(await page.locator(`${byTestId("launcher-claude-code")} button`).count(), 0);
        assert.match(
          await page.innerText(byTestId("launcher-claude-code")),
          /lumen launch claude-code/,
        );
        assert.equal(await page.locator(`${byTestId("launcher-opencode")} button`).count(), 0);
        if (scheme === "light") {
          await page.click(`${byTestId("launcher-cursor")} button`);
          await page.waitForSelector(`${byTestId("launcher-cursor")} .ok:has-text("started")`);
          const cursor = await s.recorded("cursor");
          assert.equal(cursor.env.HTTPS_PROXY, stack.daemon.proxyOrigin);
        }
        await shoot(page, "launch", scheme);
      });
    });
  },
});
