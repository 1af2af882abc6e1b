// History and Endpoints in a real browser. History: six weeks of stored usage plus real SDK calls
// through the relay; the charts are drawn, the totals match /api/history for each range, and the
// charts re-colour when the scheme flips. Endpoints: a custom host is added, refused when invalid,
// and removed, in the page and in /api/hosts alike.
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { openLedger } from "../../core/usage/ledger.ts";
import { uuidv7 } from "../../core/uuid.ts";
import type { Provider, UsageEvent } from "../../core/types.ts";
import type { Stack } from "../_stack.ts";
import { formatUsd } from "../../dashboard/src/lib/format.ts";
import {
  browserAvailable,
  forEachScheme,
  openPage,
  screenshot,
  SCREENSHOT_DIR,
  withDashboard,
} from "./_browser.ts";
import { sdkClients } from "./_sdk.ts";

const BROWSER = {
  ignore: !browserAvailable(),
  sanitizeOps: false,
  sanitizeResources: false,
};

/** Models of the seeded history: provider, model, client and a typical cost per call. */
const SEED: [Provider, string, string, number | null][] = [
  ["anthropic", "claude-sonnet-4-6", "claude-code", 0.21],
  ["anthropic", "claude-opus-4-1", "claude-code", 0.95],
  ["anthropic", "claude-haiku-4-5", "opencode", 0.012],
  ["openai", "gpt-5", "sdk", 0.08],
  ["openai", "gpt-5-mini", "opencode", 0.011],
  ["openai", "o4-mini", "sdk", 0.03],
  ["openai", "text-embedding-3-small", "sdk", 0.0004],
  ["google", "gemini-2.5-pro", "sdk", 0.06],
  ["google", "gemini-2.5-flash", "sdk", 0.004],
  ["cursor", "claude-4-sonnet-thinking", "cursor", 0.14],
  ["custom", "llama-3.3-70b-instruct", "curl", null],
  ["custom", "qwen2.5-coder-32b", "curl", 0.002],
];
const HOSTS: Record<Provider, string> = {
  openai: "api.openai.com",
  anthropic: "api.anthropic.com",
  google: "generativelanguage.googleapis.com",
  cursor: "api2.cursor.sh",
  claude_ai: "claude.ai",
  custom: "llm.mycorp.internal",
};

/** Writes 45 days of varied usage (none today: today's comes from real calls) into `home`. */
async function seedHistory(home: string, now: number): Promise<void> {
  const ledger = await openLedger(home, {
    now: () => now,
    log: () => {},
    retentionDays: () => null,
  });
  let seed = 7;
  const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  try {
    for (let back = 45; back >= 1; back--) {
      const day = new Date(now);
      const noon = new Date(
        day.getFullYear(),
        day.getMonth(),
        day.getDate() - back,
        12,
      ).getTime();
      const calls = back % 7 === 3 ? 0 : Math.floor(random() * 7);
      for (let i = 0; i < calls; i++) {
        const [provider, model, client, cost] = SEED[Math.floor(random() * SEED.length)];
        const ts = noon + Math.floor(random() * 8 * 3600_000) - 4 * 3600_000;
        const scale = 0.4 + random() * 1.6;
        const lapId = ledger.aggregator.currentLapId;
        ledger.record(
          seedEvent({ provider, model, client, ts, cost, scale }, lapId),
        );
      }
    }
    assert.ok(ledger.flush(), "seeded history saved");
  } finally {
    ledger.close();
  }
}

interface Seed {
  provider: Provider;
  model: string;
  client: string;
  ts: number;
  cost: number | null;
  scale: number;
}

function seedEvent(
  { provider, model, client, ts, cost, scale }: Seed,
  lapId: string,
): UsageEvent {
  return {
    id: uuidv7(ts),
    ts,
    provider,
    host: HOSTS[provider],
    path: provider === "google"
      ? `/v1beta/models/${model}:generateContent`
      : "/v1/chat/completions",
    model,
    client,
    mode: provider === "cursor" || provider === "custom" ? "proxy" : "relay",
    status: 200,
    streamed: true,
    input_tokens: Math.round(1800 * scale),
    output_tokens: Math.round(650 * scale),
    cache_read_tokens: provider === "anthropic" ? Math.round(24_000 * scale) : 0,
    cache_write_tokens: 0,
    reasoning_tokens: 0,
    cost_usd: cost === null ? null : Math.round(cost * scale * 1e6) / 1e6,
    price_source: cost === null ? null : "bundled",
    priced_model: cost === null ? null : model,
    estimated: provider === "cursor",
    latency_ms: 1200,
    ttfb_ms: 300,
    lap_id: lapId,
    project: null,
  };
}

/** Two real calls through the relay, so today has exact, priced usage. */
async function callThroughRelay(stack: Stack): Promise<void> {
  const call = sdkClients(stack);
  await call.chat();
  await call.claude({ maxTokens: 64 });
}

/** The last `days` local days, today included, as /api/history query bounds. */
function lastDays(days: number): { from: number; to: number } {
  const d = new Date();
  return {
    from: new Date(d.getFullYear(), d.getMonth(), d.getDate() + 1 - days)
      .getTime(),
    to: new Date(d.getFullYear(), d.getMonth(), d.getDate() + 1).getTime(),
  };
}

/** Waits until the page's range totals are /api/history's for `range`; returns that cost. */
async function expectTotals(
  page: Page,
  stack: Stack,
  range: { from?: number; to?: number },
) {
  const query = new URLSearchParams({ group: "day" });
  if (range.from !== undefined) query.set("from", String(range.from));
  if (range.to !== undefined) query.set("to", String(range.to));
  const { total } = await stack.daemon.api(`/api/history?${query}`);
  const cost = formatUsd(total.cost_usd);
  // Polled from here: the dashboard's CSP forbids the eval a string predicate needs in the page.
  await eventually(
    async () => (await page.textContent('[data-testid="summary-cost"]')) === cost,
    `the range total ${cost}`,
  );

  const requests = await page.textContent('[data-testid="summary-requests"]');
  assert.equal(requests, total.requests.toLocaleString("en-US"));
  return cost;
}

/** Whether the daily chart's canvas has opaque pixels of colour `rgb` (a bar). */
function chartHasColour(
  page: Page,
  rgb: [number, number, number],
): Promise<boolean> {
  // A string: these tests are type-checked without the DOM library.
  return page.evaluate(`(() => {
    const canvas = document.querySelector('[data-testid="daily-chart"] canvas');
    const px = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
    const [r, g, b] = ${JSON.stringify(rgb)};
    for (let i = 0; i < px.length; i += 4) {
      if (px[i + 3] === 255 && Math.abs(px[i] - r) < 3 && Math.abs(px[i + 1] - g) < 3 &&
        Math.abs(px[i + 2] - b) < 3) return true;
    }
    return false;
  })()`);
}

/** Waits until no chart changes between two looks 100 ms apart (animations done). */
async function chartsSettled(page: Page): Promise<void> {
  const look = () =>
    page.evaluate(
      `[...document.querySelectorAll("canvas")].map((c) => c.toDataURL()).join()`,
    );
  let last = await look();
  await eventually(async () => {
    await new Promise((r) => setTimeout(r, 100));
    const next = await look();
    const same = next === last;
    last = next;
    return same;
  }, "the charts to settle");
}

/** Polls `check` until it holds, for at most 5 s. */
async function eventually(
  check: () => Promise<boolean>,
  what: string,
): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const LIGHT_ACCENT: [number, number, number] = [0xc7, 0x6b, 0x00];
const DARK_ACCENT: [number, number, number] = [0xff, 0xb2, 0x3f];

Deno.test({
  name: "History: charts, and totals equal to /api/history for each range",
  ...BROWSER,
  async fn() {
    const home = await Deno.makeTempDir({ prefix: "lumen-history-" });
    try {
      await seedHistory(home, Date.now());
      await withDashboard(async (stack, browser) => {
        await callThroughRelay(stack);
        await forEachScheme(browser, async (page, scheme) => {
          await page.goto(`${stack.daemon.apiOrigin}/dashboard/history`);
          await page.waitForSelector('[data-testid="daily-chart"] canvas');
          await page.waitForSelector('[data-testid="model-chart"] canvas');
          assert.ok(
            await page.getAttribute('[data-testid="daily-chart"]', "aria-label"),
          );
          const month = await expectTotals(page, stack, lastDays(30));
          const models = await page.textContent('[data-testid="model-table"]');
          assert.ok(
            models?.includes("claude-sonnet-4-6") &&
              models.includes("gpt-5-mini"),
            models!,
          );

          if (scheme === "light") {
            await page.click('[data-testid="preset-7"]');
            const week = await expectTotals(page, stack, lastDays(7));
            assert.equal(
              await page.getAttribute('[data-testid="preset-7"]', "aria-pressed"),
              "true",
            );
            await page.click('[data-testid="preset-all"]');
            const all = await expectTotals(page, stack, {});
            assert.notEqual(week, month);
            assert.notEqual(all, month);
            await page.click('[data-testid="preset-30"]');
            await expectTotals(page, stack, lastDays(30));
            // New usage shows up in a range that includes today, without a reload.
            const loadedAt = await page.evaluate(() => performance.timeOrigin);
            await callThroughRelay(stack);
            const after = await expectTotals(page, stack, lastDays(30));
            assert.notEqual(after, month);
            assert.equal(await page.evaluate(() => performance.timeOrigin), loadedAt);
            // The export links carry the range.
            const csv = await page.getAttribute(
              '[data-testid="export-csv"]',
              "href",
            );
            assert.match(csv!, /^\/api\/export\?format=csv&from=\d+&to=\d+$/);
          }
          // Let the bars finish growing before the picture.
          await eventually(
            () =>
              chartHasColour(
                page,
                scheme === "light" ? LIGHT_ACCENT : DARK_ACCENT,
              ),
            "the bars",
          );
          await chartsSettled(page);
          await screenshot(page, "history", scheme);

          if (scheme === "light") {
            // The charts take the new scheme's colours without a reload.
            await page.emulateMedia({ colorScheme: "dark" });
            await eventually(
              () => chartHasColour(page, DARK_ACCENT),
              "dark bars",
            );
            assert.equal(await chartHasColour(page, LIGHT_ACCENT), false);
            await page.emulateMedia({ colorScheme: "light" });

            // The tooltip of the most expensive model (a picture of that card alone: a full-page
            // shot resizes the viewport, and the resized chart drops its tooltip).
            const card = page.locator('[data-testid="model-spend"]');
            await card.scrollIntoViewIfNeeded();
            const box = (await page.locator('[data-testid="model-chart"]').boundingBox())!;
            await page.mouse.move(box.x + box.width * 0.3, box.y + 22);
            await chartsSettled(page);
            await card.screenshot({
              path: new URL("history-tooltip-light.png", SCREENSHOT_DIR).pathname,
            });
            await page.mouse.move(0, 0);

            // A custom range: a first day after the last is refused, an empty one says so.
            await page.fill('[data-testid="range-from"]', "2020-02-01");
            await page.fill('[data-testid="range-to"]', "2020-01-01");
            await page.waitForSelector('#range-error:has-text("on or before")');
            await page.fill('[data-testid="range-to"]', "2020-02-29");
            await page.waitForSelector('[data-testid="history-empty"]');
            assert.equal(await page.$("#range-error"), null);
            await screenshot(page, "history-empty-range", scheme);
          }
        });
      }, { env: { LUMEN_HOME: home } });
    } finally {
      await Deno.remove(home, { recursive: true });
    }
  },
});

Deno.test({
  name: "History: a new install is told how to get its first figures",
  ...BROWSER,
  async fn() {
    await withDashboard(async (stack, browser) => {
      const page = await openPage(browser);
      await page.goto(`${stack.daemon.apiOrigin}/dashboard/history`);
      await page.waitForSelector(
        '[data-testid="history-empty"]:has-text("No LLM calls recorded yet")',
      );
      const steps = await page.textContent('[data-testid="history-empty"]');
      assert.ok(
        steps?.includes(`127.0.0.1:${stack.daemon.proxyPort}/anthropic`),
        steps!,
      );
      assert.equal(await page.$("canvas"), null);
      await screenshot(page, "history-new-install", "light");
    });
  },
});

const HOST = "llm.example.test";
const row = (host: string) => `[data-testid="host-row"][data-host="${host}"]`;

Deno.test({
  name: "Endpoints: a custom host is added, an invalid one refused, and removed again",
  ...BROWSER,
  async fn() {
    await withDashboard(async (stack, browser) => {
      const page = await openPage(browser);
      await page.goto(`${stack.daemon.apiOrigin}/dashboard/endpoints`);
      await page.waitForSelector('[data-testid="host-row"]');
      const { hosts } = await stack.daemon.api("/api/hosts");
      const builtIn = hosts.filter((h: { built_in: boolean }) => h.built_in).length;
      assert.equal(
        await page.locator('[data-testid="host-row"][data-kind="built-in"]')
          .count(),
        builtIn,
      );
      assert.equal(
        await page.locator('[data-kind="built-in"] [data-testid="remove-host"]')
          .count(),
        0,
      );
      // The relay URL carries this daemon's port once the page knows it.
      const relayUrl = `127.0.0.1:${stack.daemon.proxyPort}/openai`;
      await eventually(
        async () => (await page.textContent(row("api.openai.com")))?.includes(relayUrl) ?? false,
        relayUrl,
      );
      assert.ok(
        !(await page.textContent(row("claude.ai")))?.includes("/anthropic"),
      );

      await page.fill('[data-testid="add-host-input"]', HOST);
      await page.getByRole("button", { name: "Add host" }).click();
      await page.waitForSelector(`${row(HOST)}[data-kind="custom"]`);
      const added = await stack.daemon.api("/api/hosts");
      assert.ok(
        added.hosts.some((h: { host: string; built_in: boolean }) =>
          h.host === HOST && !h.built_in
        ),
      );
      assert.equal(await page.inputValue('[data-testid="add-host-input"]'), "");
      await screenshot(page, "endpoints", "light");

      const dark = await openPage(browser, { colorScheme: "dark" });
      await dark.goto(`${stack.daemon.apiOrigin}/dashboard/endpoints`);
      await dark.waitForSelector(row(HOST));
      await screenshot(dark, "endpoints", "dark");
      await dark.context().close();

      // The daemon's own reason, shown inline.
      const bad = "https://bad host/x";
      const refused = await fetch(`${stack.daemon.apiOrigin}/api/hosts`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ host: bad }),
      });
      assert.equal(refused.status, 400);
      const { error } = await refused.json();
      await page.fill('[data-testid="add-host-input"]', bad);
      await page.getByRole("button", { name: "Add host" }).click();
      await page.waitForSelector('[data-testid="add-host-error"]');
      assert.equal(
        await page.textContent('[data-testid="add-host-error"]'),
        error.message,
      );
      assert.equal(
        await page.getAttribute(
          '[data-testid="add-host-input"]',
          "aria-invalid",
        ),
        "true",
      );
      await screenshot(page, "endpoints-invalid", "light");

      // Remove asks once more on the spot, then the host is gone from the page and the API.
      const remove = page.locator(`${row(HOST)} [data-testid="remove-host"]`);
      await remove.click();
      assert.equal((await remove.textContent())?.trim(), "Confirm remove");
      assert.ok(
        (await stack.daemon.api("/api/hosts")).hosts.some((
          h: { host: string },
        ) => h.host === HOST),
      );
      await remove.click();
      await page.waitForSelector(row(HOST), { state: "detached" });
      await page.waitForSelector('[data-testid="no-custom-hosts"]');
      const after = await stack.daemon.api("/api/hosts");
      assert.ok(!after.hosts.some((h: { host: string }) => h.host === HOST));
    });
  },
});
