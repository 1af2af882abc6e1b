import assert from "node:assert/strict";
import type { LaunchPlan } from "../../launchers/launch.ts";
import { createLauncherService } from "../../launchers/service.ts";
import { apiFixture, PORT } from "./_handler_fixture.ts";
import type { LaunchersService } from "./launchers.ts";
import type { LauncherInfo } from "./types.ts";

/** Linux with `claude` and `cursor` installed; GUI starts are recorded, not run. */
function fakeMachine(start?: (plan: LaunchPlan) => number) {
  const started: LaunchPlan[] = [];
  const launchers: LaunchersService = createLauncherService({
    os: "linux",
    env: (name) => ({ PATH: "/opt/bin", HOME: "/home/u" } as Record<string, string>)[name],
    isExecutable: (path) => path === "/opt/bin/claude" || path === "/opt/bin/cursor",
    paths: { proxyPort: 9090, caPath: "/h/ca.pem", bundlePath: "/h/ca-bundle.pem" },
    start: start ?? ((plan) => {
      started.push(plan);
      return 321;
    }),
  });
  return { launchers, started };
}

function post(body: string): RequestInit {
  return { method: "POST", headers: { "content-type": "application/json" }, body };
}

Deno.test("GET /api/launchers lists every client with the dashboard's fields", async () => {
  await using api = await apiFixture();
  const { status, body } = await api.json("/api/launchers");
  assert.equal(status, 200);
  const launchers: LauncherInfo[] = body.launchers;
  assert.deepEqual(launchers.map((l) => l.id), [
    "claude-code",
    "opencode",
    "codex",
    "gemini-cli",
    "cursor",
    "claude-desktop",
    "shell",
  ]);
  for (const launcher of launchers) {
    assert.deepEqual(Object.keys(launcher).sort(), [
      "command",
      "description",
      "env",
      "id",
      "installed",
      "kind",
      "launchable",
      "mode",
      "name",
      "path",
      "reason",
    ]);
    assert.equal(launcher.installed, false);
    assert.equal(launcher.launchable, false);
    assert.match(launcher.reason!, /is not installed/);
  }
});

Deno.test("POST /api/launchers/:id/launch starts an installed GUI app and answers 202", async () => {
  const machine = fakeMachine();
  await using api = await apiFixture({ launchers: machine.launchers });
  for (const body of ["", "{}"]) {
    const res = await api.json("/api/launchers/cursor/launch", post(body));
    assert.deepEqual(res, { status: 202, body: { launched: "cursor", pid: 321 } });
  }
  assert.equal(machine.started.length, 2);
  assert.equal(machine.started[0].command, "/opt/bin/cursor");
  assert.equal(machine.started[0].env.HTTPS_PROXY, "http://127.0.0.1:9090");
});

Deno.test("POST /api/launchers/:id/launch refuses what it must not start", async () => {
  const machine = fakeMachine();
  await using api = await apiFixture({ launchers: machine.launchers });
  const cases: [string, string, number, string][] = [
    ["nope", "{}", 404, "not_found"],
    ["..%2F..%2Fbin%2Fsh", "{}", 404, "not_found"],
    ["cursor", '{"command":"rm"}', 400, "bad_request"],
    ["cursor", '{"args":["-rf","/"]}', 400, "bad_request"],
    ["cursor", '{"mode":"relay"}', 400, "bad_request"],
    ["shell", '{"mode":"tunnel"}', 400, "bad_request"],
    ["shell", '{"mode":1}', 400, "bad_request"],
    ["cursor", "[]", 400, "bad_request"],
    ["cursor", "not json", 400, "bad_request"],
    ["claude-code", "{}", 409, "not_launchable"],
    ["claude-desktop", "{}", 409, "not_launchable"],
    ["shell", '{"mode":"relay"}', 409, "not_launchable"],
  ];
  for (const [id, body, status, code] of cases) {
    const res = await api.json(`/api/launchers/${id}/launch`, post(body));
    assert.equal(res.status, status, `${id} ${body}`);
    assert.equal(res.body.error.code, code, `${id} ${body}`);
  }
  const unknown = await api.json("/api/launchers/nope/launch", post("{}"));
  assert.match(unknown.body.error.message, /choose one of: claude-code/);
  const terminal = await api.json("/api/launchers/claude-code/launch", post("{}"));
  assert.equal(terminal.body.error.message, "Start it from a terminal: lumen launch claude-code");
  const get = await api.call("/api/launchers/cursor/launch");
  assert.equal(get.status, 405);
  await get.body?.cancel();
  assert.equal(machine.started.length, 0, "nothing was started");
});

Deno.test("POST /api/launchers/:id/launch answers 500 launch_failed when the OS refuses", async () => {
  const machine = fakeMachine(() => {
    throw new Error("Permission denied (os error 13)");
  });
  await using api = await apiFixture({ launchers: machine.launchers });
  const res = await api.json("/api/launchers/cursor/launch", post("{}"));
  assert.deepEqual(res, {
    status: 500,
    body: {
      error: {
        code: "launch_failed",
        message: "Cannot start cursor: Permission denied (os error 13)",
      },
    },
  });
});

Deno.test("POST /api/launchers/:id/launch from a foreign Origin is refused by the guard", async () => {
  const machine = fakeMachine();
  await using api = await apiFixture({ launchers: machine.launchers });
  const res = await api.json("/api/launchers/cursor/launch", {
    method: "POST",
    headers: { "content-type": "application/json", origin: "https://evil.example" },
    body: "{}",
  });
  assert.equal(res.status, 403);
  assert.equal(res.body.error.code, "forbidden_origin");
  const own = await api.json("/api/launchers/cursor/launch", {
    method: "POST",
    headers: { "content-type": "application/json", origin: `http://127.0.0.1:${PORT}` },
    body: "{}",
  });
  assert.equal(own.status, 202);
  assert.equal(machine.started.length, 1, "only the dashboard's own request started it");
});

Deno.test("GET /api/env answers the lines `lumen env` prints, and 400 to bad parameters", async () => {
  await using api = await apiFixture();
  const relay = await api.json("/api/env?mode=relay&shell=bash");
  assert.deepEqual(relay, {
    status: 200,
    body: {
      mode: "relay",
      shell: "bash",
      lines: "export ANTHROPIC_BASE_URL='http://127.0.0.1:9090/anthropic'\n" +
        "export OPENAI_BASE_URL='http://127.0.0.1:9090/openai/v1'\n" +
        "export GOOGLE_GEMINI_BASE_URL='http://127.0.0.1:9090/google'\n" +
        "export NO_PROXY='localhost,127.0.0.1,::1'\n" +
        "export no_proxy='localhost,127.0.0.1,::1'\n",
    },
  });
  const proxy = await api.json("/api/env?shell=powershell");
  assert.equal(proxy.body.mode, "proxy");
  assert.match(proxy.body.lines, /^\$env:HTTPS_PROXY = 'http:\/\/127\.0\.0\.1:9090'\n/);
  assert.match(proxy.body.lines, /^\$env:SSL_CERT_FILE = '\/lumen-home\/ca-bundle\.pem'$/m);
  for (const query of ["mode=tunnel", "shell=cmd", "shell=", "mode=relay&cmd=rm"]) {
    const res = await api.json(`/api/env?${query}`);
    assert.equal(res.status, 400, query);
    assert.equal(res.body.error.code, "bad_request");
  }
});
