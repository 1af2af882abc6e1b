import assert from "node:assert/strict";
import type { Os } from "../../launchers/definitions.ts";
import type { LaunchPlan } from "../../launchers/launch.ts";
import { ConfigError } from "../config.ts";
import { captureLog } from "./_console_fixture.ts";
import { type LaunchDeps, parseLaunchArgs, runLaunch } from "./launch.ts";

function fake(os: Os, installed: string[], env: Record<string, string>) {
  const seen = { foreground: [] as LaunchPlan[], detached: [] as LaunchPlan[], ensured: 0 };
  const deps: LaunchDeps = {
    os,
    env: (name) => env[name],
    isExecutable: (path) => installed.includes(path),
    paths: { proxyPort: 9090, caPath: "/h/ca.pem", bundlePath: "/h/ca-bundle.pem" },
    ensureTrustFiles() {
      seen.ensured++;
      return Promise.resolve();
    },
    runInForeground(plan) {
      seen.foreground.push(plan);
      return Promise.resolve(5);
    },
    startDetached(plan) {
      seen.detached.push(plan);
      return 77;
    },
  };
  return { deps, seen };
}

const LINUX = { PATH: "/usr/bin", HOME: "/home/u", SHELL: "/usr/bin/zsh" };

Deno.test("parseLaunchArgs() takes the id and --mode before --, and everything after it verbatim", () => {
  assert.deepEqual(parseLaunchArgs(["claude-code", "--", "--version", "--mode", "x"]), {
    id: "claude-code",
    mode: undefined,
    clientArgs: ["--version", "--mode", "x"],
  });
  assert.deepEqual(parseLaunchArgs(["--mode=relay", "shell"]), {
    id: "shell",
    mode: "relay",
    clientArgs: [],
  });
  assert.throws(
    () => parseLaunchArgs([]),
    /Name a client: lumen launch <client>.*one of: claude-code/,
  );
  assert.throws(() => parseLaunchArgs(["claude-code", "--version"]), /after --/);
  assert.throws(() => parseLaunchArgs(["claude-code", "extra"]), /Unexpected "extra"/);
  assert.throws(() => parseLaunchArgs(["shell", "--mode", "x"]), /--mode takes relay or proxy/);
});

Deno.test("runLaunch() runs a terminal client in the foreground and returns its exit code", async () => {
  const { deps, seen } = fake("linux", ["/usr/bin/claude"], LINUX);
  assert.equal(await runLaunch(["claude-code", "--", "-p", "hi"], deps), 5);
  assert.equal(seen.foreground.length, 1);
  assert.deepEqual(seen.foreground[0].args, ["-p", "hi"]);
  assert.equal(seen.foreground[0].env.ANTHROPIC_BASE_URL, "http://127.0.0.1:9090/anthropic");
  assert.equal(seen.ensured, 0, "relay mode needs no CA");
});

Deno.test("runLaunch() starts a GUI app detached, after making sure the trust files exist", async () => {
  const { deps, seen } = fake("linux", ["/usr/bin/cursor"], LINUX);
  const printed = await captureLog(() => runLaunch(["cursor"], deps));
  assert.match(printed, /^Started Cursor \(pid 77\) in proxy mode, http:\/\/127\.0\.0\.1:9090\n/);
  assert.equal(seen.detached.length, 1);
  assert.equal(seen.ensured, 1);
  // The shell is the user's, in the mode asked for.
  const shell = fake("linux", ["/usr/bin/zsh"], LINUX);
  assert.equal(await runLaunch(["shell", "--mode", "relay"], shell.deps), 5);
  assert.equal(shell.seen.foreground[0].command, "/usr/bin/zsh");
  assert.equal(shell.seen.foreground[0].env.OPENAI_BASE_URL, "http://127.0.0.1:9090/openai/v1");
});

Deno.test("runLaunch() explains unknown ids, missing programs, wrong modes and unsafe arguments", async () => {
  const refuses = async (os: Os, installed: string[], args: string[], message: RegExp) => {
    const { deps, seen } = fake(os, installed, os === "windows" ? { PATH: "C:\\npm" } : LINUX);
    await assert.rejects(() => runLaunch(args, deps), (e: Error) => {
      assert.ok(e instanceof ConfigError, e.message);
      assert.match(e.message, message);
      return true;
    });
    assert.equal(seen.foreground.length + seen.detached.length, 0, "nothing started");
  };
  await refuses(
    "linux",
    [],
    ["cusor"],
    /Unknown launcher "cusor"; choose one of: claude-code, opencode/,
  );
  await refuses(
    "linux",
    [],
    ["opencode"],
    /^OpenCode is not installed: looked for opencode on PATH, \/home\/u\/\.opencode\/bin\/opencode\. To install it: npm install -g opencode-ai/,
  );
  await refuses("linux", ["/usr/bin/cursor"], ["cursor", "--mode", "relay"], /proxy mode only/);
  await refuses("windows", ["C:\\npm\\claude.cmd"], ["claude-code", "--", "a&calc"], /batch file/);
});

Deno.test("runLaunch() reports a program the OS refused to start as one clear line", async () => {
  const { deps } = fake("linux", ["/usr/bin/claude", "/usr/bin/cursor"], LINUX);
  const refused = new Deno.errors.PermissionDenied("Permission denied (os error 13)");
  deps.runInForeground = () => Promise.reject(refused);
  deps.startDetached = () => {
    throw refused;
  };
  for (const id of ["claude-code", "cursor"]) {
    await assert.rejects(
      () => runLaunch([id], deps),
      (e: Error) =>
        e instanceof ConfigError &&
        /^Cannot start (Claude Code|Cursor) \(\/usr\/bin\/\w+\): Permission denied/.test(e.message),
    );
  }
});
