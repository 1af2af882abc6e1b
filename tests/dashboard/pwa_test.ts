// The dashboard as an installable app: a valid manifest whose icons are what they claim, a
// service worker scoped to /dashboard/ that caches the app shell and never answers for /api/*,
// the shell opening from the cache while the daemon is down, and Chromium's own installability
// check passing.
import assert from "node:assert/strict";
import { type BrowserContext, chromium, type Response as PageResponse } from "playwright-core";
import { type Daemon, startDaemon } from "../_daemon.ts";
import { browserAvailable, CHROMIUM_PATH } from "./_browser.ts";

const BROWSER = { ignore: !browserAvailable(), sanitizeOps: false, sanitizeResources: false };
const TIMEOUT = 10_000;
const BUILD = new URL("../../dashboard/build/", import.meta.url);

interface ManifestIcon {
  src: string;
  sizes: string;
  type: string;
  purpose?: string;
}

/**
 * A browser with a profile on disk: Chromium never offers to install an app from an incognito
 * profile, which is what a plain new context is.
 */
async function launchProfile(dir: string): Promise<BrowserContext> {
  return await chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM_PATH,
    args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"],
    viewport: { width: 1280, height: 900 },
  });
}

/** Width and height from a PNG's IHDR chunk, which the format puts first. */
function pngSize(bytes: Uint8Array): { width: number; height: number } {
  const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  assert.deepEqual([...bytes.subarray(0, 8)], signature, "PNG signature");
  assert.equal(new TextDecoder().decode(bytes.subarray(12, 16)), "IHDR");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

/** Every hashed file of the current build (scripts and styles), as URL paths. */
async function immutableFiles(): Promise<string[]> {
  const paths: string[] = [];
  for (const dir of ["entry", "nodes", "chunks", "assets"]) {
    for await (const entry of Deno.readDir(new URL(`_app/immutable/${dir}/`, BUILD))) {
      paths.push(`/dashboard/_app/immutable/${dir}/${entry.name}`);
    }
  }
  return paths;
}

/** The hashed entry script of the current build, as the page requests it. */
async function startScript(): Promise<string> {
  for await (const entry of Deno.readDir(new URL("_app/immutable/entry/", BUILD))) {
    if (entry.name.startsWith("start.")) return `/dashboard/_app/immutable/entry/${entry.name}`;
  }
  throw new Error("No start script in dashboard/build: run deno task build:dashboard");
}

Deno.test("manifest: required fields, and every icon is served with its declared type and size", async () => {
  const daemon = await startDaemon();
  try {
    const url = `${daemon.apiOrigin}/dashboard/manifest.webmanifest`;
    const res = await fetch(url);
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type")!, /^application\/manifest\+json/);
    const manifest = await res.json();
    assert.equal(manifest.name, "Lumen");
    assert.equal(typeof manifest.short_name, "string");
    assert.ok(manifest.description.length > 0);
    assert.equal(manifest.start_url, "/dashboard/");
    assert.equal(manifest.scope, "/dashboard/");
    assert.equal(manifest.display, "standalone");
    assert.match(manifest.theme_color, /^#[0-9a-f]{6}$/i);
    assert.match(manifest.background_color, /^#[0-9a-f]{6}$/i);

    const icons: ManifestIcon[] = manifest.icons;
    const has = (sizes: string, type: string, purpose = "any") =>
      icons.some((i) => i.sizes === sizes && i.type === type && (i.purpose ?? "any") === purpose);
    assert.ok(has("192x192", "image/png"), "a 192 PNG");
    assert.ok(has("512x512", "image/png"), "a 512 PNG");
    assert.ok(has("512x512", "image/png", "maskable"), "a maskable 512 PNG");
    assert.ok(has("any", "image/svg+xml"), "the SVG");
    for (const icon of icons) {
      const iconRes = await fetch(new URL(icon.src, url));
      assert.equal(iconRes.status, 200, icon.src);
      assert.equal(iconRes.headers.get("content-type"), icon.type, icon.src);
      const bytes = new Uint8Array(await iconRes.arrayBuffer());
      if (icon.type === "image/png") {
        const [width, height] = icon.sizes.split("x").map(Number);
        assert.deepEqual(pngSize(bytes), { width, height }, icon.src);
      } else {
        assert.match(new TextDecoder().decode(bytes), /^<svg[\s>]/, icon.src);
      }
    }
  } finally {
    await daemon.stop();
  }
});

Deno.test({
  name: "service worker: scoped to /dashboard/, caches the shell, leaves /api/* to the network",
  ...BROWSER,
  async fn() {
    let daemon: Daemon | null = await startDaemon();
    const origin = daemon.apiOrigin;
    const profile = await Deno.makeTempDir({ prefix: "lumen-pwa-" });
    const context = await launchProfile(profile);
    try {
      const page = await context.newPage();
      await page.goto(`${origin}/dashboard/`);
      await page.waitForSelector('[data-testid="connection"][data-state="live"]');

      const scope = await page.evaluate("navigator.serviceWorker.ready.then((r) => r.scope)");
      assert.equal(scope, `${origin}/dashboard/`);
      // clients.claim() makes the already open page a client of the worker.
      // (A promise, not waitForFunction: polling evaluates strings, which the page's CSP forbids.)
      await page.evaluate(`new Promise((resolve, reject) => {
        if (navigator.serviceWorker.controller) resolve(true);
        navigator.serviceWorker.addEventListener("controllerchange", () => resolve(true));
        setTimeout(() => reject(new Error("The service worker never took control")), ${TIMEOUT});
      })`);

      const cached = await page.evaluate(`(async () => {
        const names = (await caches.keys()).filter((name) => name.startsWith("lumen-shell-"));
        const cache = await caches.open(names[0]);
        return { names, urls: (await cache.keys()).map((request) => request.url) };
      })()`) as { names: string[]; urls: string[] };
      assert.equal(cached.names.length, 1, `one shell cache: ${cached.names}`);
      const start = await startScript();
      const shell = ["/dashboard/", "/dashboard/manifest.webmanifest", "/dashboard/icon-192.png"]
        .concat(await immutableFiles());
      for (const path of shell) assert.ok(cached.urls.includes(`${origin}${path}`), path);
      assert.ok(!cached.urls.some((url) => url.includes("/api/")), "nothing from /api/ is cached");

      // Chromium's own check for "Install app" finds nothing missing.
      const cdp = await context.newCDPSession(page);
      const { installabilityErrors } = await cdp.send("Page.getInstallabilityErrors");
      assert.deepEqual(installabilityErrors, []);
      const { errors } = await cdp.send("Page.getAppManifest");
      assert.deepEqual(errors, []);

      // Reloaded under the worker: the shell comes from the cache, live data from the daemon.
      const responses: PageResponse[] = [];
      page.on("response", (response) => responses.push(response));
      await page.reload();
      await page.waitForSelector('[data-testid="connection"][data-state="live"]');
      const api = responses.filter((r) => new URL(r.url()).pathname.startsWith("/api/"));
      assert.ok(api.length > 0, "the page called the API");
      for (const r of api) assert.equal(r.fromServiceWorker(), false, r.url());
      const script = responses.find((r) => new URL(r.url()).pathname === start);
      assert.equal(script?.fromServiceWorker(), true, "the start script came from the cache");

      // With the daemon down, the cached shell still opens and says Lumen is not reachable.
      await daemon.stop();
      daemon = null;
      await page.reload();
      await page.waitForSelector('[data-testid="offline-banner"]', { timeout: TIMEOUT });
      assert.equal(await page.textContent("title"), "Lumen · Overview");
    } finally {
      await context.close();
      await daemon?.stop();
      await Deno.remove(profile, { recursive: true });
    }
  },
});
