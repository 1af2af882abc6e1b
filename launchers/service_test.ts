import assert from "node:assert/strict";
import type { LaunchPlan } from "./launch.ts";
import { createLauncherService, envLines, launcherOs } from "./service.ts";

const PATHS = { proxyPort: 9090, caPath: "/h/ca.pem", bundlePath: "/h/ca-bundle.pem" };

function service(installed: string[], env: Record<string, string> = {}) {
  const started: LaunchPlan[] = [];
  const launchers = createLauncherService({
    os: "linux",
    env: (name) => ({ PATH: "/usr/bin", HOME: "/home/u", ...env })[name],
    isExecutable: (path) => installed.includes(path),
    paths: PATHS,
    start(plan) {
      started.push(plan);
      return 4242;
    },
  });
  return { launchers, started };
}

Deno.test("createLauncherService().list() says what is installed and what the daemon can start", () => {
  const { launchers } = service(["/usr/bin/claude", "/usr/bin/cursor"]);
  const list = launchers.list();
  const byId = Object.fromEntries(list.map((info) => [info.id, info]));
  assert.deepEqual(byId["cursor"], {
    id: "cursor",
    name: "Cursor",
    description: byId["cursor"].description,
    mode: "proxy",
    kind: "gui",
    installed: true,
    path: "/usr/bin/cursor",
    launchable: true,
    reason: null,
    env: {
      HTTPS_PROXY: "http://127.0.0.1:9090",
      https_proxy: "http://127.0.0.1:9090",
      NO_PROXY: "localhost,127.0.0.1,::1",
      no_proxy: "localhost,127.0.0.1,::1",
      NODE_EXTRA_CA_CERTS: "/h/ca.pem",
    },
    command: "lumen launch cursor",
  });
  assert.equal(byId["claude-code"].installed, true);
  assert.equal(byId["claude-code"].launchable, false);
  assert.equal(byId["claude-code"].reason, "Start it from a terminal: lumen launch claude-code");
  assert.equal(byId["claude-desktop"].installed, false);
  assert.equal(byId["claude-desktop"].path, null);
  assert.equal(
    byId["claude-desktop"].reason,
    "Claude Desktop is not installed (Anthropic publishes no Linux build; only community " +
      "packages named claude-desktop): looked for claude-desktop on PATH. " +
      "To install it: download it from https://claude.ai/download",
  );
  assert.equal(byId["shell"].mode, "either");
  assert.equal(byId["shell"].env.SSL_CERT_FILE, "/h/ca-bundle.pem");
});

Deno.test("createLauncherService().launch() starts installed GUI apps only", () => {
  const { launchers, started } = service(["/usr/bin/claude", "/usr/bin/cursor"], {
    NO_PROXY: "corp.example",
  });
  assert.deepEqual(launchers.launch("cursor"), { ok: true, pid: 4242 });
  assert.equal(started.length, 1);
  assert.deepEqual(started[0].args, ["--proxy-server=http://127.0.0.1:9090"]);
  assert.equal(started[0].env.NO_PROXY, "localhost,127.0.0.1,::1,corp.example");

  const refused = (id: string, mode?: "relay" | "proxy") => {
    const outcome = launchers.launch(id, mode);
    assert.ok(!outcome.ok);
    return outcome;
  };
  assert.equal(refused("nope").code, "not_found");
  assert.match(refused("nope").message, /choose one of: claude-code, opencode, .*, shell$/);
  assert.equal(refused("cursor", "relay").code, "bad_request");
  assert.equal(refused("claude-code").code, "not_launchable");
  assert.match(refused("claude-code").message, /lumen launch claude-code/);
  assert.equal(refused("claude-desktop").code, "not_launchable");
  assert.match(refused("claude-desktop").message, /not installed/);
  assert.equal(refused("shell", "relay").code, "not_launchable");
  assert.equal(started.length, 1, "nothing else was started");
});

Deno.test("envLines() renders the plain shell's variables for the mode", () => {
  assert.equal(
    envLines("relay", "fish", PATHS),
    "set -gx ANTHROPIC_BASE_URL 'http://127.0.0.1:9090/anthropic'\n" +
      "set -gx OPENAI_BASE_URL 'http://127.0.0.1:9090/openai/v1'\n" +
      "set -gx GOOGLE_GEMINI_BASE_URL 'http://127.0.0.1:9090/google'\n" +
      "set -gx NO_PROXY 'localhost,127.0.0.1,::1'\n" +
      "set -gx no_proxy 'localhost,127.0.0.1,::1'\n",
  );
  assert.equal(
    service([]).launchers.env("proxy", "powershell"),
    envLines("proxy", "powershell", PATHS),
  );
});

Deno.test("launcherOs() treats other Unixes as Linux", () => {
  assert.equal(launcherOs("darwin"), "darwin");
  assert.equal(launcherOs("windows"), "windows");
  assert.equal(launcherOs("freebsd"), "linux");
});
