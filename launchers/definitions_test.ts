// Every definition on every OS: found where it is installed there, nowhere when it is not, and
// started with exactly the variables and fixed arguments it needs.
import assert from "node:assert/strict";
import { defaultMode, launcherById, LAUNCHERS, type Os } from "./definitions.ts";
import { envFor } from "./env.ts";
import { findProgram } from "./find.ts";
import { planLaunch } from "./launch.ts";

const PATHS = { proxyPort: 9090, caPath: "/h/ca.pem", bundlePath: "/h/ca-bundle.pem" };
const LOOPBACK = { NO_PROXY: "localhost,127.0.0.1,::1", no_proxy: "localhost,127.0.0.1,::1" };
const ELECTRON = {
  HTTPS_PROXY: "http://127.0.0.1:9090",
  https_proxy: "http://127.0.0.1:9090",
  ...LOOPBACK,
  NODE_EXTRA_CA_CERTS: "/h/ca.pem",
};

/** Each launcher's variables in its default mode, exactly. */
const EXPECTED_ENV: Record<string, Record<string, string>> = {
  "claude-code": { ANTHROPIC_BASE_URL: "http://127.0.0.1:9090/anthropic", ...LOOPBACK },
  "opencode": {
    ANTHROPIC_BASE_URL: "http://127.0.0.1:9090/anthropic/v1",
    OPENAI_BASE_URL: "http://127.0.0.1:9090/openai/v1",
    ...LOOPBACK,
  },
  "codex": { OPENAI_BASE_URL: "http://127.0.0.1:9090/openai/v1", ...LOOPBACK },
  "gemini-cli": { GOOGLE_GEMINI_BASE_URL: "http://127.0.0.1:9090/google", ...LOOPBACK },
  "cursor": ELECTRON,
  "claude-desktop": ELECTRON,
  "shell": {
    HTTPS_PROXY: "http://127.0.0.1:9090",
    https_proxy: "http://127.0.0.1:9090",
    ...LOOPBACK,
    NODE_EXTRA_CA_CERTS: "/h/ca.pem",
    NODE_USE_ENV_PROXY: "1",
    SSL_CERT_FILE: "/h/ca-bundle.pem",
    REQUESTS_CA_BUNDLE: "/h/ca-bundle.pem",
    CURL_CA_BUNDLE: "/h/ca-bundle.pem",
  },
};

/** A typical machine of each OS; the program under test is added to its files. */
const MACHINES: Record<Os, { env: Record<string, string>; files: string[] }> = {
  darwin: {
    env: { PATH: "/opt/homebrew/bin:/usr/local/bin:/usr/bin:/bin", HOME: "/Users/u" },
    files: ["/bin/bash", "/usr/bin/ls"],
  },
  linux: {
    env: { PATH: "/usr/local/bin:/usr/bin:/bin", HOME: "/home/u", SHELL: "/usr/bin/fish" },
    files: ["/bin/sh", "/usr/bin/ls"],
  },
  windows: {
    env: {
      PATH:
        "C:\\Windows\\system32;C:\\Users\\u\\AppData\\Roaming\\npm;C:\\Program Files\\PowerShell\\7",
      PATHEXT: ".COM;.EXE;.BAT;.CMD",
      USERPROFILE: "C:\\Users\\u",
      LOCALAPPDATA: "C:\\Users\\u\\AppData\\Local",
    },
    files: ["C:\\Windows\\system32\\where.exe"],
  },
};

/** Where each client is installed on each OS in this table. */
const INSTALLED: Record<string, Record<Os, string>> = {
  "claude-code": {
    darwin: "/usr/local/bin/claude",
    linux: "/home/u/.local/bin/claude",
    windows: "C:\\Users\\u\\AppData\\Roaming\\npm\\claude.cmd",
  },
  "opencode": {
    darwin: "/Users/u/.opencode/bin/opencode",
    linux: "/usr/bin/opencode",
    windows: "C:\\Users\\u\\.opencode\\bin\\opencode.exe",
  },
  "codex": {
    darwin: "/opt/homebrew/bin/codex",
    linux: "/usr/local/bin/codex",
    windows: "C:\\Users\\u\\AppData\\Roaming\\npm\\codex.cmd",
  },
  "gemini-cli": {
    darwin: "/usr/local/bin/gemini",
    linux: "/usr/bin/gemini",
    windows: "C:\\Users\\u\\AppData\\Roaming\\npm\\gemini.cmd",
  },
  "cursor": {
    darwin: "/Users/u/Applications/Cursor.app/Contents/MacOS/Cursor",
    linux: "/usr/bin/cursor",
    windows: "C:\\Users\\u\\AppData\\Local\\Programs\\cursor\\Cursor.exe",
  },
  "claude-desktop": {
    darwin: "/Applications/Claude.app/Contents/MacOS/Claude",
    linux: "/usr/bin/claude-desktop",
    windows: "C:\\Users\\u\\AppData\\Local\\AnthropicClaude\\claude.exe",
  },
  "shell": {
    darwin: "/bin/bash",
    linux: "/usr/bin/fish",
    windows: "C:\\Program Files\\PowerShell\\7\\pwsh.exe",
  },
};

/** `os`'s machine with `extra` installed; `bare`: with no file at all. */
function machine(os: Os, extra: string[], bare = false) {
  const files = new Set([...(bare ? [] : MACHINES[os].files), ...extra]);
  return {
    os,
    env: (name: string) => MACHINES[os].env[name],
    isExecutable: (path: string) => files.has(path),
  };
}

Deno.test("LAUNCHERS has the seven clients, each with a unique id and every OS", () => {
  assert.deepEqual(LAUNCHERS.map((l) => l.id), Object.keys(EXPECTED_ENV));
  for (const launcher of LAUNCHERS) {
    assert.deepEqual(Object.keys(launcher.os).sort(), ["darwin", "linux", "windows"]);
    const modes = Object.keys(launcher.variables).sort();
    assert.deepEqual(modes, launcher.mode === "either" ? ["proxy", "relay"] : [launcher.mode]);
  }
  assert.equal(launcherById("cursor")?.kind, "gui");
  assert.equal(launcherById("nope"), undefined);
  assert.match(launcherById("claude-desktop")!.os.linux.note!, /no Linux build/);
});

for (const launcher of LAUNCHERS) {
  for (const os of ["darwin", "linux", "windows"] as const) {
    Deno.test(`findProgram() and planLaunch() for ${launcher.id} on ${os}`, () => {
      const path = INSTALLED[launcher.id][os];
      const found = findProgram(launcher, machine(os, [path]));
      assert.equal(found.path, path);

      const missing = findProgram(launcher, machine(os, [], true));
      assert.equal(missing.path, null);
      assert.ok(missing.looked.length > 0, "says where it looked");

      const env = envFor(launcher, defaultMode(launcher), PATHS);
      assert.deepEqual(env, EXPECTED_ENV[launcher.id]);
      assert.deepEqual(Object.keys(env), Object.keys(EXPECTED_ENV[launcher.id]), "order");

      const plan = planLaunch(launcher, { os, path, mode: defaultMode(launcher), paths: PATHS });
      assert.deepEqual(plan.env, env);
      assert.equal(plan.kind, launcher.kind);
      const fixed = launcher.kind === "gui" ? ["--proxy-server=http://127.0.0.1:9090"] : [];
      if (path.endsWith(".cmd")) {
        assert.equal(plan.command, "cmd.exe");
        assert.equal(plan.windowsRawArguments, true);
        assert.equal(plan.args.at(-1), `""${path}"${fixed.map((a) => ` ${a}`).join("")}"`);
      } else {
        assert.equal(plan.command, path);
        assert.deepEqual(plan.args, fixed);
      }
    });
  }
}

Deno.test("envFor() gives the shell the relay variables when asked, and refuses other modes", () => {
  assert.deepEqual(envFor(launcherById("shell")!, "relay", PATHS), {
    ANTHROPIC_BASE_URL: "http://127.0.0.1:9090/anthropic",
    OPENAI_BASE_URL: "http://127.0.0.1:9090/openai/v1",
    GOOGLE_GEMINI_BASE_URL: "http://127.0.0.1:9090/google",
    ...LOOPBACK,
  });
  assert.throws(() => envFor(launcherById("cursor")!, "relay", PATHS), /does not support relay/);
  assert.throws(() => envFor(launcherById("codex")!, "proxy", PATHS), /does not support proxy/);
});
