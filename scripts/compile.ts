// `deno task compile`: builds the dashboard, then `deno compile`s core/main.ts into
// dist/lumen-<target>[.exe] for every release target (or the one given with `--target`), with the
// built dashboard embedded and the `start` task's permission flags baked in.
//
// `deno compile` needs `denort`, Deno's runtime for compiled programs, for each target: from
// DENORT_BIN when set (Deno reads that variable itself), else from the Deno cache, else downloaded
// from dl.deno.land. Where none of these works, this script stops before doing any work and says
// what to do instead (set DENORT_BIN, or let .github/workflows/release.yml build on a hosted runner).
import { fileURLToPath } from "node:url";
import denoJson from "../deno.json" with { type: "json" };

/** Every target a release ships, in the order they are built. */
export const TARGETS = [
  "x86_64-unknown-linux-gnu",
  "aarch64-unknown-linux-gnu",
  "x86_64-apple-darwin",
  "aarch64-apple-darwin",
  "x86_64-pc-windows-msvc",
] as const;

/** One release target. */
export type Target = typeof TARGETS[number];

/** Where denort comes from when DENORT_BIN is not set. */
export const DENORT_HOST = "https://dl.deno.land";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/**
 * The permission and V8 flags of the `start` task's `core/main.ts` command, so the binaries run
 * with exactly what `deno task start` (and the tests) run with.
 */
export function startTaskFlags(task: string = denoJson.tasks.start): string[] {
  const command = task.split("&&").find((part) => part.includes("core/main.ts"));
  if (!command) throw new TypeError(`Cannot find core/main.ts in the start task: ${task}`);
  const flags = command.trim().split(/\s+/).filter((part) =>
    /^--(allow-|deny-|v8-flags=)/.test(part)
  );
  if (flags.length === 0) throw new TypeError(`The start task has no permission flags: ${task}`);
  return flags;
}

/** The output path of `target`'s binary, relative to the repository root. */
export function outputFor(target: Target): string {
  return `dist/lumen-${target}${target.includes("windows") ? ".exe" : ""}`;
}

/** The `deno compile` arguments that build `target`. */
export function compileArgs(target: Target, flags: string[] = startTaskFlags()): string[] {
  return [
    "compile",
    "--quiet",
    ...flags,
    "--include",
    "dashboard/build",
    "--target",
    target,
    "--output",
    outputFor(target),
    "core/main.ts",
  ];
}

/** The message that stops a build which cannot get denort. */
export function denortUnavailableMessage(reason: string): string {
  return [
    `Cannot compile Lumen: deno compile needs denort (Deno's runtime for compiled programs) and cannot download it from ${DENORT_HOST} (${reason}).`,
    `Either set DENORT_BIN to a denort binary of Deno ${Deno.version.deno} for the one target you build`,
    `(denort-<target>.zip from https://github.com/denoland/deno/releases/tag/v${Deno.version.deno}),`,
    `e.g. DENORT_BIN=/path/to/denort deno task compile --target ${Deno.build.target},`,
    "or build every target on a hosted runner: push a v* tag and .github/workflows/release.yml",
    "compiles, smoke-tests and releases them.",
  ].join("\n");
}

/**
 * Checks that `deno compile` can get denort for `targets` and returns null, or returns the reason
 * it cannot. `probe` decides whether the download host answers (a HEAD with a short timeout).
 */
export async function checkDenort(
  targets: readonly Target[],
  options: { env?: (name: string) => string | undefined; probe?: () => Promise<string | null> } =
    {},
): Promise<string | null> {
  const env = options.env ?? ((name: string) => Deno.env.get(name));
  const denortBin = env("DENORT_BIN");
  if (denortBin !== undefined) {
    if (targets.length !== 1) {
      return `Cannot compile Lumen: DENORT_BIN serves one target, so pass --target <t> with it (one of ${
        TARGETS.join(", ")
      })`;
    }
    try {
      if (!Deno.statSync(denortBin).isFile) {
        return `Cannot compile Lumen: DENORT_BIN "${denortBin}" is not a file`;
      }
    } catch (error) {
      return `Cannot compile Lumen: cannot use DENORT_BIN "${denortBin}": ${messageOf(error)}`;
    }
    return null;
  }
  if (await allCached(targets)) return null;
  const unreachable = await (options.probe ?? probeDenortHost)();
  return unreachable === null ? null : denortUnavailableMessage(unreachable);
}

/** Whether the Deno cache already holds denort for every target (Deno then downloads nothing). */
async function allCached(targets: readonly Target[]): Promise<boolean> {
  const info = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json"],
    stdout: "piped",
    stderr: "null",
  }).output();
  if (!info.success) return false;
  const denoDir: string = JSON.parse(new TextDecoder().decode(info.stdout)).denoDir;
  // The layout deno compile reads: <DENO_DIR>/dl/release/v<version>/denort-<target>.zip.
  return targets.every((target) => {
    try {
      return Deno.statSync(`${denoDir}/dl/release/v${Deno.version.deno}/denort-${target}.zip`)
        .isFile;
    } catch {
      return false; // Not cached: this target would be downloaded.
    }
  });
}

/** Null when the denort host answers within 5 s, else why not. */
export async function probeDenortHost(): Promise<string | null> {
  try {
    const res = await fetch(`${DENORT_HOST}/`, {
      method: "HEAD",
      signal: AbortSignal.timeout(5_000),
    });
    await res.body?.cancel();
    return null;
  } catch (error) {
    return messageOf(error);
  }
}

function messageOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // fetch's own message is "fetch failed"; the cause says what failed (DNS, refused, timeout).
  return error.cause instanceof Error ? `${error.message}: ${error.cause.message}` : error.message;
}

async function run(args: string[]): Promise<number> {
  let targets: Target[] = [...TARGETS];
  if (args.length > 0) {
    const [flag, value] = args;
    if (flag !== "--target" || !TARGETS.includes(value as Target) || args.length !== 2) {
      console.error(`Usage: deno task compile [--target <${TARGETS.join("|")}>]`);
      return 2;
    }
    targets = [value as Target];
  }
  const problem = await checkDenort(targets);
  if (problem) {
    console.error(problem);
    return 1;
  }
  const flags = startTaskFlags();
  console.log("compile: building the dashboard");
  const dashboard = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "scripts/dashboard.ts", "build"],
    cwd: ROOT,
  }).spawn().status;
  if (!dashboard.success) {
    console.error("Cannot compile Lumen: the dashboard build failed");
    return 1;
  }
  for (const [index, target] of targets.entries()) {
    console.log(`compile: [${index + 1}/${targets.length}] ${target} → ${outputFor(target)}`);
    const started = performance.now();
    const status = await new Deno.Command(Deno.execPath(), {
      args: compileArgs(target, flags),
      cwd: ROOT,
    }).spawn().status;
    if (!status.success) {
      console.error(`Cannot compile Lumen for ${target}: deno compile exited with ${status.code}`);
      return 1;
    }
    console.log(
      `compile: ${target} done in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
  }
  return 0;
}

if (import.meta.main) Deno.exit(await run(Deno.args));
