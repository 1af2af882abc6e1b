// Builds and checks the SvelteKit dashboard with Deno (SvelteKit 3 needs a newer Node than many
// machines have; Deno runs Vite fine). `build` skips the work when dashboard/build already comes
// from the current sources; `check` runs svelte-check. Both install the npm packages when needed.
//
//   deno run -A scripts/dashboard.ts build [--force]
//   deno run -A scripts/dashboard.ts check
import { createHash } from "node:crypto";
import { fileURLToPath } from "node:url";

const DIR = fileURLToPath(new URL("../dashboard/", import.meta.url));
const BUILD_STAMP = `${DIR}build/.source-hash`;
const INSTALL_STAMP = `${DIR}node_modules/.lumen-install-hash`;
/** What the build reads; a change to any of these makes the build stale. */
const BUILD_INPUTS = [
  "src",
  "static",
  "package.json",
  "deno.lock",
  "vite.config.ts",
  "tsconfig.json",
  "../core/api/types.ts",
];

async function main(args: string[]): Promise<number> {
  const [command, ...flags] = args;
  if (command === "build") return await build(flags.includes("--force"));
  if (command === "check") return await check();
  console.error("Usage: deno run -A scripts/dashboard.ts build [--force] | check");
  return 2;
}

async function build(force: boolean): Promise<number> {
  // One build at a time: Vite empties build/ first, and parallel test runs each build.
  using lock = await Deno.open(`${DIR}.build-lock`, { create: true, write: true });
  await lock.lock(true);
  await install();
  const hash = await hashInputs(BUILD_INPUTS);
  if (!force && (await readText(BUILD_STAMP)) === hash) {
    console.error("Dashboard build is up to date");
    return 0;
  }
  console.error("Building the dashboard (vite build)…");
  const started = performance.now();
  const code = await run(["run", "-A", "npm:vite", "build", "--logLevel", "warn"]);
  if (code !== 0) {
    console.error("Dashboard build failed (see above)");
    return code;
  }
  await Deno.writeTextFile(BUILD_STAMP, hash);
  console.error(`Dashboard built in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return 0;
}

async function check(): Promise<number> {
  await install();
  // Generates the route types and the tsconfig that svelte-check reads.
  const synced = await run(["run", "-A", "npm:@sveltejs/kit/svelte-kit", "sync"]);
  if (synced !== 0) return synced;
  const checked = await run(["run", "-A", "npm:svelte-check", "--fail-on-warnings"]);
  if (checked !== 0) return checked;
  // svelte-check leaves the service worker out (it has its own tsconfig, with the WebWorker lib).
  return await run(["run", "-A", "npm:typescript/tsc", "-p", "src/service-worker/tsconfig.json"]);
}

/** Installs dashboard/node_modules from package.json and deno.lock unless already done. */
async function install(): Promise<void> {
  const hash = await hashInputs(["package.json", "deno.lock"]);
  if ((await readText(INSTALL_STAMP)) === hash) return;
  console.error("Installing the dashboard's npm packages…");
  const code = await run(["install", "--frozen"]);
  if (code !== 0) throw new Error(`Cannot install the dashboard's npm packages (exit ${code})`);
  await Deno.writeTextFile(INSTALL_STAMP, hash);
}

function run(args: string[]): Promise<number> {
  return new Deno.Command(Deno.execPath(), { args, cwd: DIR, stdin: "null" })
    .spawn().status.then((status) => status.code);
}

/** SHA-256 over every file under `paths` (relative to dashboard/), names and contents. */
async function hashInputs(paths: string[]): Promise<string> {
  const files: string[] = [];
  for (const path of paths) await collect(`${DIR}${path}`, files);
  files.sort();
  const hash = createHash("sha256");
  for (const file of files) {
    hash.update(`${file.slice(DIR.length)}\0`).update(await Deno.readFile(file));
  }
  return hash.digest("hex");
}

async function collect(path: string, files: string[]): Promise<void> {
  const info = await Deno.stat(path).catch(() => null);
  if (!info) return;
  if (info.isFile) {
    files.push(path);
    return;
  }
  for await (const entry of Deno.readDir(path)) await collect(`${path}/${entry.name}`, files);
}

async function readText(path: string): Promise<string | null> {
  return await Deno.readTextFile(path).catch(() => null);
}

if (import.meta.main) Deno.exit(await main(Deno.args));
