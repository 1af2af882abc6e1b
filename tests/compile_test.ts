// `deno task compile` (scripts/compile.ts), the release workflow that runs it on hosted runners, and
// the smoke test (scripts/smoke.ts) that workflow runs against each binary.
import assert from "node:assert/strict";
import { parse } from "yaml";
import {
  checkDenort,
  compileArgs,
  outputFor,
  startTaskFlags,
  type Target,
  TARGETS,
} from "../scripts/compile.ts";
import { startTaskFlags as daemonTestFlags } from "./_daemon.ts";

const ROOT = new URL("..", import.meta.url);

/** Runs `deno task compile …` with `env` and no way to reach dl.deno.land. */
async function runCompile(args: string[], env: Record<string, string> = {}) {
  const started = performance.now();
  const inherited: Record<string, string> = {};
  for (const name of ["PATH", "HOME", "DENO_DIR", "XDG_CACHE_HOME"]) {
    const value = Deno.env.get(name);
    if (value !== undefined) inherited[name] = value;
  }
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["task", "--quiet", "compile", ...args],
    cwd: ROOT,
    env: {
      ...inherited,
      // A dead proxy makes the probe fail at once even on a machine with internet access.
      HTTPS_PROXY: "http://127.0.0.1:9",
      HTTP_PROXY: "http://127.0.0.1:9",
      ...env,
    },
    clearEnv: true,
    stdin: "null",
  }).output();
  const seconds = (performance.now() - started) / 1000;
  const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr), seconds };
}

/** Whether this machine's Deno cache already holds denort for every target (then nothing is probed). */
async function denortCached(): Promise<boolean> {
  const info = await new Deno.Command(Deno.execPath(), { args: ["info", "--json"] }).output();
  const denoDir = JSON.parse(new TextDecoder().decode(info.stdout)).denoDir;
  return TARGETS.every((target) => {
    try {
      return Deno.statSync(`${denoDir}/dl/release/v${Deno.version.deno}/denort-${target}.zip`)
        .isFile;
    } catch {
      return false; // Not cached.
    }
  });
}

Deno.test("startTaskFlags() takes the permission flags of the start task's core/main.ts command", () => {
  assert.deepEqual(startTaskFlags(), daemonTestFlags());
  assert.ok(startTaskFlags().length > 0);
  assert.ok(!startTaskFlags().includes("-A"));
  assert.deepEqual(
    startTaskFlags(
      "deno run -A scripts/dashboard.ts build && deno run --allow-net=127.0.0.1:0 --deny-env=X --quiet core/main.ts serve",
    ),
    ["--allow-net=127.0.0.1:0", "--deny-env=X"],
  );
  assert.throws(() => startTaskFlags("deno run -A scripts/other.ts"), /core\/main\.ts/);
});

Deno.test("compileArgs() embeds the dashboard build and writes dist/lumen-<target>", () => {
  const args = compileArgs("x86_64-pc-windows-msvc", ["--allow-net"]);
  assert.deepEqual(args, [
    "compile",
    "--quiet",
    "--allow-net",
    "--include",
    "dashboard/build",
    "--target",
    "x86_64-pc-windows-msvc",
    "--output",
    "dist/lumen-x86_64-pc-windows-msvc.exe",
    "core/main.ts",
  ]);
  assert.equal(outputFor("aarch64-apple-darwin"), "dist/lumen-aarch64-apple-darwin");
  assert.equal(TARGETS.length, 5);
});

Deno.test("checkDenort() accepts a reachable host and asks for --target with DENORT_BIN", async () => {
  const none = () => undefined;
  assert.equal(
    await checkDenort(["aarch64-apple-darwin"], { env: none, probe: () => null as never }),
    null,
  );
  const offline = await checkDenort(TARGETS, {
    env: none,
    probe: () => Promise.resolve("dns error"),
  });
  assert.match(offline ?? "", /dns error/);
  const bin = (name: string) => name === "DENORT_BIN" ? Deno.execPath() : undefined;
  assert.match(await checkDenort(TARGETS, { env: bin }) ?? "", /--target/);
  assert.equal(await checkDenort(["x86_64-unknown-linux-gnu"], { env: bin }), null);
});

Deno.test("deno task compile stops fast and clearly when denort cannot be downloaded", async () => {
  if (await denortCached()) {
    console.log("skipped: denort is cached for every target, so there is nothing to stop");
    return;
  }
  const run = await runCompile([]);
  assert.notEqual(run.code, 0);
  assert.ok(run.seconds < 15, `took ${run.seconds} s`);
  assert.match(run.stderr, /cannot download it from https:\/\/dl\.deno\.land/);
  assert.match(run.stderr, /DENORT_BIN/);
  assert.match(run.stderr, /\.github\/workflows\/release\.yml/);
  assert.doesNotMatch(run.stdout, /building the dashboard/, "no work starts before the check");
});

Deno.test("deno task compile reports a DENORT_BIN that does not exist", async () => {
  const missing = "/nonexistent/lumen-test/denort";
  const run = await runCompile(["--target", "x86_64-unknown-linux-gnu"], { DENORT_BIN: missing });
  assert.notEqual(run.code, 0);
  assert.ok(run.seconds < 15, `took ${run.seconds} s`);
  assert.match(
    run.stderr,
    /Cannot compile Lumen: cannot use DENORT_BIN "\/nonexistent\/lumen-test\/denort"/,
  );

  const bad = await runCompile(["--target", "mips-unknown-linux-gnu"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /Usage: deno task compile/);
});

Deno.test("release.yml builds and smoke-tests exactly the compile targets on tag", async () => {
  const workflow = parse(await Deno.readTextFile(new URL(".github/workflows/release.yml", ROOT)));
  assert.deepEqual(workflow.on.push.tags, ["v*"]);
  const include: { target: Target; runner: string; binary: string }[] = workflow.jobs.build.strategy
    .matrix.include;
  assert.deepEqual(include.map((row) => row.target), [...TARGETS]);
  for (const row of include) assert.equal(row.binary, outputFor(row.target));
  const runners = Object.fromEntries(include.map((row) => [row.target, row.runner]));
  assert.deepEqual(runners, {
    "x86_64-unknown-linux-gnu": "ubuntu-latest",
    "aarch64-unknown-linux-gnu": "ubuntu-24.04-arm",
    "x86_64-apple-darwin": "macos-13",
    "aarch64-apple-darwin": "macos-14",
    "x86_64-pc-windows-msvc": "windows-latest",
  });
  const steps: { uses?: string; run?: string; with?: Record<string, unknown> }[] =
    workflow.jobs.build.steps;
  const setup = steps.find((step) => step.uses?.startsWith("denoland/setup-deno@"));
  assert.equal(String(setup?.with?.["deno-version"]), Deno.version.deno);
  const runs = steps.map((step) => step.run ?? "");
  assert.ok(runs.includes("deno task compile --target ${{ matrix.target }}"));
  assert.ok(runs.includes("deno run -A scripts/smoke.ts ${{ matrix.binary }}"));
  assert.deepEqual(workflow.jobs.release.needs, "build");
  assert.equal(workflow.jobs.release.permissions.contents, "write");
});

Deno.test("scripts/smoke.ts passes against the daemon run from source", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "scripts/smoke.ts",
      Deno.execPath(),
      "run",
      ...startTaskFlags(),
      "core/main.ts",
    ],
    cwd: ROOT,
    stdin: "null",
    signal: AbortSignal.timeout(60_000),
  }).output();
  const stdout = new TextDecoder().decode(out.stdout);
  assert.equal(out.code, 0, `${stdout}\n${new TextDecoder().decode(out.stderr)}`);
  assert.match(stdout, /smoke: relay call 200/);
  assert.match(stdout, /smoke: usage recorded/);
  assert.match(stdout, /smoke: ok/);
});

Deno.test("scripts/smoke.ts fails when the program does not start", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "scripts/smoke.ts", Deno.execPath(), "eval", "Deno.exit(3)"],
    cwd: ROOT,
    stdin: "null",
    signal: AbortSignal.timeout(60_000),
  }).output();
  assert.equal(out.code, 1);
  assert.match(
    new TextDecoder().decode(out.stderr),
    /smoke: FAILED: Lumen exited before listening/,
  );
});
