// Test support: Debian's chromium driven by playwright-core (never a downloaded browser), and the
// stack the dashboard tests run against (fake upstream ← daemon serving the built dashboard).
import { type Browser, chromium, type Page } from "playwright-core";
import { type Stack, startStack } from "../_stack.ts";

/** Where Debian's chromium package puts the browser. */
export const CHROMIUM_PATH = "/usr/bin/chromium";

/** Where the tests save screenshots of every view, light and dark. */
export const SCREENSHOT_DIR = new URL("../../bench-results/screenshots/", import.meta.url);

const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

/**
 * Whether browser tests can run. Without chromium they are ignored with a printed reason, except
 * in CI (`LUMEN_REQUIRE_BROWSER=1`), where a missing browser is a failure.
 */
export function browserAvailable(): boolean {
  try {
    Deno.statSync(CHROMIUM_PATH);
    return true;
  } catch {
    if (Deno.env.get("LUMEN_REQUIRE_BROWSER") === "1") {
      throw new Error(`Browser tests need ${CHROMIUM_PATH}: apt-get install -y chromium`);
    }
    console.error(`Skipping browser tests: no ${CHROMIUM_PATH} (apt-get install -y chromium)`);
    return false;
  }
}

/** Starts headless chromium; close it with `await browser.close()`. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

/** Opens a page in a fresh context with the given color scheme and viewport. */
export async function openPage(
  browser: Browser,
  options: { colorScheme?: "light" | "dark"; width?: number; height?: number } = {},
): Promise<Page> {
  const context = await browser.newContext({
    colorScheme: options.colorScheme ?? "light",
    viewport: { width: options.width ?? 1280, height: options.height ?? 900 },
    // The clipboard, for the copy buttons.
    permissions: ["clipboard-read", "clipboard-write"],
  });
  return await context.newPage();
}

/**
 * Starts the stack (with `env` for the daemon) and a browser, runs `fn` with both, and closes
 * them whatever `fn` does.
 */
export async function withDashboard(
  fn: (stack: Stack, browser: Browser) => Promise<void>,
  options: { env?: Record<string, string> } = {},
): Promise<void> {
  const stack = await startStack(options.env);
  try {
    const browser = await launchBrowser();
    try {
      await fn(stack, browser);
    } finally {
      await browser.close();
    }
  } finally {
    await stack.close();
  }
}

/** Runs `fn` on a fresh page in the light scheme, then on another in the dark one. */
export async function forEachScheme(
  browser: Browser,
  fn: (page: Page, scheme: "light" | "dark") => Promise<void>,
): Promise<void> {
  for (const scheme of ["light", "dark"] as const) {
    const page = await openPage(browser, { colorScheme: scheme });
    await fn(page, scheme);
    // On a failure the context is left open: closing the browser closes it.
    await page.context().close();
  }
}

/** Saves a full-page screenshot as `<name>-<scheme>.png` in SCREENSHOT_DIR. */
export async function screenshot(page: Page, name: string, scheme: "light" | "dark") {
  await Deno.mkdir(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({
    path: new URL(`${name}-${scheme}.png`, SCREENSHOT_DIR).pathname,
    fullPage: true,
  });
}
