import assert from "node:assert/strict";
import { type AssetsContext, denoAssetsContext, findDashboardDir } from "./assets.ts";

const MODULE = "file:///src/lumen/core/assets.ts";
const SOURCE_BUILD = "/src/lumen/dashboard/build/";

function context(options: Partial<AssetsContext> & { indexes?: string[] } = {}): AssetsContext {
  const indexes = new Set(options.indexes ?? []);
  return {
    env: options.env ?? (() => undefined),
    standalone: options.standalone ?? false,
    execPath: options.execPath ?? "/usr/local/bin/lumen",
    hasIndex: options.hasIndex ?? ((path) => indexes.has(path)),
  };
}

Deno.test("findDashboardDir() prefers LUMEN_ASSETS_DIR and ends it with a separator", () => {
  const env = (name: string) => name === "LUMEN_ASSETS_DIR" ? "/opt/lumen/dash" : undefined;
  assert.equal(findDashboardDir(context({ env }), MODULE), "/opt/lumen/dash/");
  assert.equal(
    findDashboardDir(context({ env, standalone: true, indexes: [SOURCE_BUILD] }), MODULE),
    "/opt/lumen/dash/",
  );
});

Deno.test("findDashboardDir() ignores an empty LUMEN_ASSETS_DIR", () => {
  const env = (name: string) => name === "LUMEN_ASSETS_DIR" ? "" : undefined;
  assert.equal(findDashboardDir(context({ env }), MODULE), SOURCE_BUILD);
});

Deno.test("findDashboardDir() uses the module-relative build from source, present or not", () => {
  assert.equal(findDashboardDir(context(), MODULE), SOURCE_BUILD);
  assert.equal(findDashboardDir(context({ indexes: [SOURCE_BUILD] }), MODULE), SOURCE_BUILD);
});

Deno.test("findDashboardDir() uses the embedded build of a compiled binary when it has one", () => {
  const ctx = context({ standalone: true, indexes: [SOURCE_BUILD, "/usr/local/bin/dashboard/"] });
  assert.equal(findDashboardDir(ctx, MODULE), SOURCE_BUILD);
});

Deno.test("findDashboardDir() falls back to a dashboard folder beside a compiled binary", () => {
  const ctx = context({ standalone: true, indexes: ["/usr/local/bin/dashboard/"] });
  assert.equal(findDashboardDir(ctx, MODULE), "/usr/local/bin/dashboard/");
  const windows = context({
    standalone: true,
    execPath: "C:\\Lumen\\lumen.exe",
    indexes: ["C:\\Lumen\\dashboard/"],
  });
  assert.equal(findDashboardDir(windows, MODULE), "C:\\Lumen\\dashboard/");
});

Deno.test("findDashboardDir() keeps the embedded path when a compiled binary finds neither", () => {
  assert.equal(findDashboardDir(context({ standalone: true }), MODULE), SOURCE_BUILD);
});

Deno.test("denoAssetsContext() counts a folder as a build only once it holds index.html", async () => {
  const dir = await Deno.makeTempDir({ prefix: "lumen-assets-test-" });
  try {
    const ctx = denoAssetsContext();
    assert.equal(ctx.hasIndex(dir), false);
    await Deno.writeTextFile(`${dir}/index.html`, "<!doctype html>");
    assert.equal(ctx.hasIndex(dir), true);
    assert.equal(ctx.standalone, false);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
