// Renders the dashboard's PNG icons from dashboard/static/icon.svg with headless chromium; run once
// after changing the SVG and commit the PNGs (the build does not run this).
//
//   deno run -A scripts/dashboard_icons.ts
import { chromium } from "playwright-core";

const STATIC = new URL("../dashboard/static/", import.meta.url);
const CHROMIUM_PATH = "/usr/bin/chromium";

/** The icon's own background; a maskable icon must fill the whole square with it. */
const BACKGROUND = "#1b1f27";

/**
 * The maskable variant: a full-bleed square, the glyph centred and shrunk to stay inside the
 * central circle (80% of the width) that every launcher mask keeps.
 * https://www.w3.org/TR/appmanifest/#icon-masks
 */
function maskable(svg: string): string {
  // What the square holds, without the outer <svg> and the rounded background.
  const inner = svg
    .replace(/^[\s\S]*?<svg[^>]*>/, "")
    .replace(/<\/svg>\s*$/, "")
    .replace(/<rect[^>]*\/>/, "");
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64">
  <rect width="64" height="64" fill="${BACKGROUND}" />
  <g transform="translate(32 32) scale(0.82) translate(-32 -32.5)">${inner}</g>
</svg>`;
}

async function main(): Promise<void> {
  const svg = await Deno.readTextFile(new URL("icon.svg", STATIC));
  const outputs = [
    { file: "icon-192.png", size: 192, svg },
    { file: "icon-512.png", size: 512, svg },
    { file: "icon-maskable-512.png", size: 512, svg: maskable(svg) },
  ];
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ["--headless"],
  });
  try {
    for (const { file, size, svg } of outputs) {
      const page = await browser.newPage({
        viewport: { width: size, height: size },
      });
      const img = `data:image/svg+xml;base64,${btoa(svg)}`;
      await page.setContent(
        `<style>html,body{margin:0;background:transparent}</style>` +
          `<img src="${img}" width="${size}" height="${size}" style="display:block">`,
      );
      // A string: scripts are type-checked without the DOM library.
      await page.locator("img").evaluate("(img) => img.decode()");
      await page.screenshot({
        path: new URL(file, STATIC).pathname,
        omitBackground: true,
        clip: { x: 0, y: 0, width: size, height: size },
      });
      await page.close();
      console.log(`Wrote dashboard/static/${file} (${size}×${size})`);
    }
  } finally {
    await browser.close();
  }
}

if (import.meta.main) await main();
