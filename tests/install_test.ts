// scripts/install.sh in --dry-run mode with a fake HOME: what it would write and run, on Linux and
// (by LUMEN_INSTALL_OS) macOS; plus `sh -n` and shellcheck over it.
import assert from "node:assert/strict";

const SCRIPT = new URL("../scripts/install.sh", import.meta.url).pathname;

/** Runs install.sh with `args` in a fresh fake HOME holding a stand-in binary. */
async function install(args: string[], env: Record<string, string> = {}) {
  const home = await Deno.makeTempDir({ prefix: "lumen-install-test-" });
  try {
    const binary = `${home}/lumen-build`;
    await Deno.writeTextFile(binary, "#!/bin/sh\necho stand-in\n");
    const out = await new Deno.Command("sh", {
      args: [SCRIPT, ...args.map((arg) => arg.replace("$BINARY", binary))],
      env: { PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin", HOME: home, ...env },
      clearEnv: true,
      stdin: "null",
      signal: AbortSignal.timeout(15_000),
    }).output();
    const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
    const left = [];
    for await (const entry of Deno.readDir(home)) left.push(entry.name);
    return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr), home, left };
  } finally {
    await Deno.remove(home, { recursive: true });
  }
}

/** The body of a `+ write PATH <<EOF … EOF` block in dry-run output. */
function written(stdout: string, path: string): string | undefined {
  const start = stdout.indexOf(`+ write ${path} <<EOF\n`);
  if (start < 0) return undefined;
  const body = stdout.slice(stdout.indexOf("\n", start) + 1);
  return body.slice(0, body.indexOf("\nEOF\n") + 1);
}

Deno.test("install.sh --dry-run on Linux copies the binary and enables a systemd user unit", async () => {
  const run = await install(["--binary", "$BINARY", "--dry-run"], { LUMEN_INSTALL_OS: "linux" });
  assert.equal(run.code, 0, run.stderr);
  const bin = `${run.home}/.local/bin/lumen`;
  const lines = run.stdout.split("\n");
  assert.ok(lines.includes(`+ 'mkdir' '-p' '${run.home}/.local/bin'`), run.stdout);
  assert.ok(lines.includes(`+ 'cp' '${run.home}/lumen-build' '${bin}'`));
  assert.ok(lines.includes(`+ 'chmod' '755' '${bin}'`));
  const unit = written(run.stdout, `${run.home}/.config/systemd/user/lumen.service`);
  assert.ok(unit, run.stdout);
  assert.match(unit, new RegExp(`^ExecStart="${bin}" serve$`, "m"));
  assert.match(unit, /^Restart=on-failure$/m);
  assert.match(unit, /^WantedBy=default\.target$/m);
  assert.doesNotMatch(unit, /@[A-Z_]+@/, "every placeholder is filled in");
  const reload = lines.indexOf("+ 'systemctl' '--user' 'daemon-reload'");
  const enable = lines.indexOf("+ 'systemctl' '--user' 'enable' '--now' 'lumen'");
  assert.ok(reload > 0 && enable > reload, "daemon-reload, then enable --now");
  assert.deepEqual(run.left, ["lumen-build"], "a dry run writes nothing");
});

Deno.test("install.sh --dry-run on macOS writes a launchd agent and bootstraps it", async () => {
  const run = await install(["--binary", "$BINARY", "--dry-run"], { LUMEN_INSTALL_OS: "macos" });
  assert.equal(run.code, 0, run.stderr);
  const plist = `${run.home}/Library/LaunchAgents/ai.lumen.daemon.plist`;
  const body = written(run.stdout, plist);
  assert.ok(body, run.stdout);
  assert.match(body, /<string>ai\.lumen\.daemon<\/string>/);
  assert.ok(
    body.includes(`<string>${run.home}/.local/bin/lumen</string>\n    <string>serve</string>`),
  );
  assert.match(body, /<key>RunAtLoad<\/key>\s*<true\/>/);
  assert.match(body, /<key>KeepAlive<\/key>\s*<true\/>/);
  assert.doesNotMatch(body, /@[A-Z_]+@/);
  const uid = Deno.uid();
  assert.ok(run.stdout.includes(`+ 'launchctl' 'bootstrap' 'gui/${uid}' '${plist}'\n`));
});

Deno.test("install.sh --uninstall --dry-run removes the service and binary and skips untrust", async () => {
  const run = await install(["--uninstall", "--dry-run"], { LUMEN_INSTALL_OS: "linux" });
  assert.equal(run.code, 0, run.stderr);
  const lines = run.stdout.split("\n");
  const disable = lines.indexOf("+ 'systemctl' '--user' 'disable' '--now' 'lumen'");
  const removeUnit = lines.indexOf(`+ 'rm' '-f' '${run.home}/.config/systemd/user/lumen.service'`);
  const removeBin = lines.indexOf(`+ 'rm' '-f' '${run.home}/.local/bin/lumen'`);
  assert.ok(disable >= 0 && removeUnit > disable && removeBin > removeUnit, run.stdout);
  assert.match(run.stdout, /Not interactive: skipping 'lumen ca untrust'/);
  assert.doesNotMatch(run.stdout, /'ca' 'untrust'/);

  const yes = await install(["--uninstall", "--untrust-ca", "--dry-run"], {
    LUMEN_INSTALL_OS: "macos",
  });
  assert.equal(yes.code, 0, yes.stderr);
  assert.ok(yes.stdout.includes(`+ '${yes.home}/.local/bin/lumen' 'ca' 'untrust'\n`), yes.stdout);
  assert.ok(yes.stdout.includes(`+ 'launchctl' 'bootout' 'gui/${Deno.uid()}/ai.lumen.daemon'\n`));
  assert.ok(
    yes.stdout.includes(`+ 'rm' '-f' '${yes.home}/Library/LaunchAgents/ai.lumen.daemon.plist'\n`),
  );
});

Deno.test("install.sh refuses a missing binary and unknown arguments", async () => {
  const missing = await install(["--binary", "/nonexistent/lumen", "--dry-run"]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /cannot find the lumen binary \/nonexistent\/lumen/);
  const unknown = await install(["--frobnicate"]);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /unknown argument: --frobnicate/);
});

Deno.test("install.sh passes sh -n and shellcheck", async (t) => {
  const syntax = await new Deno.Command("sh", { args: ["-n", SCRIPT] }).output();
  assert.equal(syntax.code, 0, new TextDecoder().decode(syntax.stderr));
  let shellcheck: Deno.CommandOutput;
  try {
    shellcheck = await new Deno.Command("shellcheck", { args: ["--shell=sh", SCRIPT] }).output();
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    console.log("shellcheck is not installed (apt-get install shellcheck): only sh -n ran");
    return;
  }
  await t.step("shellcheck", () => {
    assert.equal(shellcheck.code, 0, new TextDecoder().decode(shellcheck.stdout));
  });
});
