import assert from "node:assert/strict";
import { launcherById } from "./definitions.ts";
import { launchEnv, mergeNoProxy } from "./env.ts";
import { cmdCommandLine, planLaunch, runInForeground, startDetached } from "./launch.ts";

const PATHS = { proxyPort: 9123, caPath: "/h/ca.pem", bundlePath: "/h/ca-bundle.pem" };

Deno.test("planLaunch() puts the fixed arguments first, then the user's, and keeps NO_PROXY entries", () => {
  const plan = planLaunch(launcherById("cursor")!, {
    os: "linux",
    path: "/usr/bin/cursor",
    mode: "proxy",
    paths: PATHS,
    userArgs: ["--new-window", "my dir"],
    inheritedNoProxy: "corp.example, 127.0.0.1,,.internal",
  });
  assert.equal(plan.command, "/usr/bin/cursor");
  assert.deepEqual(plan.args, ["--proxy-server=http://127.0.0.1:9123", "--new-window", "my dir"]);
  assert.equal(plan.env.NO_PROXY, "localhost,127.0.0.1,::1,corp.example,.internal");
  assert.equal(plan.env.no_proxy, plan.env.NO_PROXY);
  assert.equal(plan.env.HTTPS_PROXY, "http://127.0.0.1:9123");
  assert.equal(plan.windowsRawArguments, false);
});

Deno.test("planLaunch() runs Windows batch shims through cmd.exe with a checked command line", () => {
  const plan = planLaunch(launcherById("claude-code")!, {
    os: "windows",
    path: "C:\\Users\\John Doe\\AppData\\Roaming\\npm\\claude.cmd",
    mode: "relay",
    paths: PATHS,
    userArgs: ["--version", "two words", "", "a=b"],
    comspec: "C:\\Windows\\system32\\cmd.exe",
  });
  assert.equal(plan.command, "C:\\Windows\\system32\\cmd.exe");
  assert.equal(plan.windowsRawArguments, true);
  assert.deepEqual(plan.args, [
    "/d",
    "/v:off",
    "/s",
    "/c",
    '""C:\\Users\\John Doe\\AppData\\Roaming\\npm\\claude.cmd" --version "two words" "" "a=b""',
  ]);
  // An .exe is started directly, whatever its arguments.
  const exe = planLaunch(launcherById("claude-code")!, {
    os: "windows",
    path: "C:\\U\\.local\\bin\\claude.exe",
    mode: "relay",
    paths: PATHS,
    userArgs: ["a & b"],
  });
  assert.equal(exe.command, "C:\\U\\.local\\bin\\claude.exe");
  assert.deepEqual(exe.args, ["a & b"]);
});

Deno.test("cmdCommandLine() refuses every argument cmd.exe would reinterpret", () => {
  for (const arg of ["a&b", "a|b", "<x", ">x", "^", "%PATH%", '"', "!x!", "a\nb", "a\rb"]) {
    assert.throws(
      () => cmdCommandLine("C:\\npm\\claude.cmd", [arg]),
      (error: Error) =>
        error instanceof TypeError && /claude\.cmd: it is a batch file/.test(error.message),
      JSON.stringify(arg),
    );
  }
  assert.throws(() => cmdCommandLine("C:\\100%\\x.cmd", []), /path contains/);
  assert.deepEqual(cmdCommandLine("C:\\x.cmd", []).at(-1), '""C:\\x.cmd""');
});

Deno.test("launchEnv() refuses a port clients cannot reach", () => {
  for (const port of [0, -1, 65536, 1.5]) {
    assert.throws(() => launchEnv("relay", { ...PATHS, proxyPort: port }), RangeError);
  }
  assert.deepEqual(mergeNoProxy({ A: "1" }, "x"), { A: "1" }, "no NO_PROXY: nothing to merge");
});

Deno.test({
  name: "runInForeground() passes the client's exit code through; startDetached() returns at once",
  ignore: Deno.build.os === "windows",
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      const out = `${dir}/out`;
      const script = `${dir}/client`;
      await Deno.writeTextFile(
        script,
        // Written aside, then renamed: a reader never sees half of it.
        `#!/bin/sh\nprintf '%s|' "$@" "$ANTHROPIC_BASE_URL" > "${out}.tmp"\n` +
          `mv "${out}.tmp" "${out}.$MARK"\nexit 7\n`,
        { mode: 0o755 },
      );
      const plan = planLaunch(launcherById("claude-code")!, {
        os: "linux",
        path: script,
        mode: "relay",
        paths: PATHS,
        userArgs: ["a b", "$HOME", "'"],
      });
      const code = await runInForeground({ ...plan, env: { ...plan.env, MARK: "fg" } });
      assert.equal(code, 7);
      assert.equal(
        await Deno.readTextFile(`${out}.fg`),
        "a b|$HOME|'|http://127.0.0.1:9123/anthropic|",
      );

      const pid = startDetached({ ...plan, env: { ...plan.env, MARK: "bg" } });
      assert.ok(pid > 0);
      const deadline = Date.now() + 10_000;
      while (!(await Deno.stat(`${out}.bg`).catch(() => null))) {
        assert.ok(Date.now() < deadline, "the detached client never ran");
        await new Promise((r) => setTimeout(r, 20));
      }
      assert.equal(await Deno.readTextFile(`${out}.bg`), await Deno.readTextFile(`${out}.fg`));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
