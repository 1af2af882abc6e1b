// Dashboard benchmark: the JavaScript a first visit downloads (gzip), and the time from a usage
// event to the gauge changing in a real browser (Debian's chromium). Targets: ≤ 150 KB gz and
// ≤ 100 ms. Prints a table and writes bench-results/dashboard.json. Not a test: nothing asserts.
//
//   deno task build:dashboard && deno run -A scripts/bench_dashboard.ts
import { gzipSync } from "node:zlib";
import { startStack } from "../tests/_stack.ts";
import { browserAvailable, launchBrowser, openPage } from "../tests/dashboard/_browser.ts";
import { percentile, round } from "./_bench_stats.ts";

const EVENTS = 40;
const TARGET_KB = 150;
const TARGET_MS = 100;

if (!browserAvailable()) Deno.exit(0);

const stack = await startStack();
const browser = await launchBrowser();
try {
  const page = await openPage(browser);
  // Timestamps every `stats` message as the page's EventSource receives it, before the app sees it.
  await page.addInitScript(() => {
    type Add = (this: EventSource, type: string, listener: unknown, options?: unknown) => void;
    const w = globalThis as unknown as { __statsAt: number[] };
    const proto = EventSource.prototype as unknown as { addEventListener: Add };
    const add = proto.addEventListener;
    w.__statsAt = [];
    proto.addEventListener = function (type, listener, options) {
      if (type === "stats") {
        add.call(this, type, () => w.__statsAt.push(performance.timeOrigin + performance.now()));
      }
      add.call(this, type, listener, options);
    };
  });
  const scripts = new Map<string, number>();
  page.on("response", async (response) => {
    if (!response.url().endsWith(".js")) return;
    const body = await response.body().catch(() => null);
    if (body) scripts.set(new URL(response.url()).pathname, gzipSync(body, { level: 9 }).length);
  });
  await page.goto(`${stack.daemon.apiOrigin}/dashboard/`);
  await page.waitForSelector('[data-testid="connection"][data-state="live"]');
  await page.waitForLoadState("networkidle");
  const firstVisitBytes = [...scripts.values()].reduce((a, b) => a + b, 0);
  const allBytes = await buildScriptBytes();

  // Records when the total-spend figure changes, in wall-clock ms with sub-ms precision.
  await page.evaluate(`(() => {
    window.__changedAt = [];
    const target = document.querySelector('[data-testid="gauge-total-value"]');
    new MutationObserver(() => window.__changedAt.push(performance.timeOrigin + performance.now()))
      .observe(target, { characterData: true, childList: true, subtree: true });
  })()`);

  const eventToGauge: number[] = [];
  const messageToGauge: number[] = [];
  for (let i = 0; i < EVENTS; i++) {
    const seen = await page.evaluate("window.__changedAt.length") as number;
    const stats = await page.evaluate("window.__statsAt.length") as number;
    const res = await fetch(`${stack.relay("openai")}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer sk-bench" },
      body: JSON.stringify({ model: "gpt-5-mini", messages: [{ role: "user", content: "hi" }] }),
    });
    await res.body?.cancel();
    const { event } = await stack.feed.next();
    // A function, not a string: the dashboard's CSP forbids eval, which string predicates use.
    await page.waitForFunction(
      (n) => (globalThis as unknown as { __changedAt: number[] }).__changedAt.length > n,
      seen,
      { timeout: 5_000 },
    );
    const changedAt = await page.evaluate(`window.__changedAt[${seen}]`) as number;
    const statsAt = await page.evaluate(`window.__statsAt[${stats}]`) as number;
    // The event's ts is when the response completed (ms precision, same clock as the browser).
    eventToGauge.push(changedAt - event.ts);
    messageToGauge.push(changedAt - statsAt);
  }

  const results = {
    date: new Date().toISOString(),
    bundle: {
      first_visit_js_gzip_kb: round(firstVisitBytes / 1024, 1),
      first_visit_files: scripts.size,
      all_routes_js_gzip_kb: round(allBytes / 1024, 1),
      target_kb: TARGET_KB,
    },
    event_to_gauge_ms: {
      p50: round(percentile(eventToGauge, 50), 1),
      p95: round(percentile(eventToGauge, 95), 1),
      max: round(Math.max(...eventToGauge), 1),
      target: TARGET_MS,
    },
    sse_message_to_gauge_ms: {
      p50: round(percentile(messageToGauge, 50), 2),
      p95: round(percentile(messageToGauge, 95), 2),
    },
    samples: EVENTS,
  };
  console.log(`
| dashboard | figure | target | ratio to target |
|---|---:|---:|---:|
| JS on first visit (gzip) | ${results.bundle.first_visit_js_gzip_kb} KB (${scripts.size} files) | ≤ ${TARGET_KB} KB | ${
    round(results.bundle.first_visit_js_gzip_kb / TARGET_KB, 2)
  } |
| JS of every route (gzip) | ${results.bundle.all_routes_js_gzip_kb} KB | — | — |
| usage event → gauge p50 | ${results.event_to_gauge_ms.p50} ms | ≤ ${TARGET_MS} ms | ${
    round(results.event_to_gauge_ms.p50 / TARGET_MS, 2)
  } |
| usage event → gauge p95 | ${results.event_to_gauge_ms.p95} ms | ≤ ${TARGET_MS} ms | ${
    round(results.event_to_gauge_ms.p95 / TARGET_MS, 2)
  } |
| SSE message → gauge p50 / p95 | ${results.sse_message_to_gauge_ms.p50} / ${results.sse_message_to_gauge_ms.p95} ms | — | — |
(${EVENTS} events; the event time is when the upstream response completed)`);
  await Deno.mkdir("bench-results", { recursive: true });
  await Deno.writeTextFile("bench-results/dashboard.json", JSON.stringify(results, null, 2));
  console.log("JSON: bench-results/dashboard.json");
} finally {
  await browser.close();
  await stack.close();
}

/** Every script of the build, gzipped: what all views together weigh. */
async function buildScriptBytes(): Promise<number> {
  let total = 0;
  const walk = async (dir: string) => {
    for await (const entry of Deno.readDir(dir)) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory) await walk(path);
      else if (entry.name.endsWith(".js")) {
        total += gzipSync(await Deno.readFile(path), { level: 9 }).length;
      }
    }
  };
  await walk(new URL("../dashboard/build/_app", import.meta.url).pathname);
  return total;
}
