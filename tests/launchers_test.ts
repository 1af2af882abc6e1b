// Launching for real, with harmless stand-ins: shell scripts named `claude` and `cursor`, first on
// PATH, that record their arguments and environment. Through the CLI (`lumen launch`) and through
// the running daemon's API, which may start only allow-listed, installed GUI apps.
import assert from "node:assert/strict";
import { runLumen, startDaemon, startTaskFlags } from "./_daemon.ts";
import { standIns } from "./_stand_ins.ts";

Deno.test("lumen launch claude-code -- args: runs the program with the relay env and its exit code", async () => {
  const s = await standIns();
  try {
    const out = await runLumen(["launch", "claude-code", "--", "--version", "two words", "$HOME"], {
      ...s.env,
      LUMEN_HOME: `${s.dir}/home`,
      LUMEN_PROXY_PORT: "9555",
      NO_PROXY: "corp.example",
      HTTPS_PROXY: "http://127.0.0.1:9",
    });
    assert.equal(out.code, 3, out.stderr);
    assert.equal(out.stdout, "stand-in claude ran\n");
    assert.match(out.stderr, /starting Claude Code \(.*\/bin\/claude\) in relay mode/);
    const { args, env } = await s.recorded("claude");
    assert.deepEqual(args, ["--version", "two words", "$HOME"]);
    assert.equal(env.ANTHROPIC_BASE_URL, "http://127.0.0.1:9555/anthropic");
    assert.equal(env.NO_PROXY, "localhost,127.0.0.1,::1,corp.example");
    assert.equal(env.no_proxy, env.NO_PROXY);
    assert.equal(env.OPENAI_BASE_URL, undefined, "only what Claude Code reads");
    assert.equal(env.HTTPS_PROXY, "http://127.0.0.1:9", "the rest of the environment is inherited");
    assert.equal(env.LUMEN_STANDIN_DIR, s.out);
    // Relay mode needs no CA: the CLI created nothing.
    assert.equal(await Deno.stat(`${s.dir}/home`).catch(() => null), null);
  } finally {
    await s.remove();
  }
});

Deno.test("lumen launch names the valid ids, and says where it looked for a missing client", async () => {
  const s = await standIns();
  try {
    const env = { ...s.env, LUMEN_HOME: `${s.dir}/home` };
    const unknown = await runLumen(["launch", "claude"], env);
    assert.equal(unknown.code, 1);
    assert.equal(
      unknown.stderr,
      'lumen: Unknown launcher "claude"; choose one of: claude-code, opencode, codex, gemini-cli, ' +
        "cursor, claude-desktop, shell\n",
    );
    const missing = await runLumen(["launch", "codex"], env);
    assert.equal(missing.code, 1);
    assert.equal(
      missing.stderr,
      "lumen: Codex CLI is not installed: looked for codex on PATH. " +
        "To install it: npm install -g @openai/codex\n",
    );
  } finally {
    await s.remove();
  }
});

Deno.test("the daemon lists the launchers and starts an installed GUI app with the proxy env", async () => {
  const s = await standIns();
  const daemon = await startDaemon({ env: s.env });
  try {
    const { launchers } = await daemon.api("/api/launchers");
    const installed = Object.fromEntries(
      launchers.map((l: { id: string; installed: boolean }) => [l.id, l.installed]),
    );
    assert.deepEqual(installed, {
      "claude-code": true,
      "opencode": false,
      "codex": false,
      "gemini-cli": false,
      "cursor": true,
      "claude-desktop": false,
      "shell": true, // /bin/bash
    });
    const cursor = launchers.find((l: { id: string }) => l.id === "cursor");
    assert.equal(cursor.path, `${s.bin}/cursor`);
    assert.equal(cursor.launchable, true);

    const post = (id: string, body: string, headers: Record<string, string> = {}) =>
      fetch(`${daemon.apiOrigin}/api/launchers/${id}/launch`, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body,
      }).then(async (res) => ({ status: res.status, body: await res.json() }));

    // Refusals first: nothing may have started when the real launch below is checked.
    assert.equal((await post("cursor", "{}", { origin: "https://evil.example" })).status, 403);
    assert.equal((await post("nope", "{}")).status, 404);
    const command = await post("cursor", '{"command":"rm"}');
    assert.equal(command.status, 400);
    assert.equal(command.body.error.code, "bad_request");
    const terminal = await post("claude-code", "{}");
    assert.equal(terminal.status, 409);
    assert.equal(terminal.body.error.code, "not_launchable");
    assert.deepEqual([...Deno.readDirSync(s.out)], [], "no refused request started anything");

    const started = await post("cursor", "{}");
    assert.equal(started.status, 202);
    assert.equal(started.body.launched, "cursor");
    const { pid, args, env } = await s.recorded("cursor");
    assert.equal(pid, started.body.pid);
    assert.deepEqual(args, [`--proxy-server=${daemon.proxyOrigin}`]);
    assert.equal(env.HTTPS_PROXY, daemon.proxyOrigin);
    assert.equal(env.https_proxy, daemon.proxyOrigin);
    assert.equal(env.NO_PROXY, "localhost,127.0.0.1,::1");
    assert.equal(env.NODE_EXTRA_CA_CERTS, `${daemon.home}/ca.pem`);
    assert.equal(env.ANTHROPIC_BASE_URL, undefined);
    assert.ok((await Deno.stat(`${daemon.home}/ca-bundle.pem`)).isFile);
  } finally {
    await daemon.stop();
    await s.remove();
  }
});

/** A `claude` that says it is ready, then runs until $LUMEN_STANDIN_DIR/finish exists (≤ 10 s). */
const LINGERING = `#!/bin/sh
trap 'echo "stand-in got SIGINT"' INT
touch "$LUMEN_STANDIN_DIR/ready"
i=0
while [ ! -e "$LUMEN_STANDIN_DIR/finish" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done
exit 4
`;

Deno.test({
  name: "lumen launch leaves Ctrl-C to the client and passes SIGTERM on to it",
  ignore: Deno.build.os === "windows",
  async fn() {
    const s = await standIns();
    await Deno.writeTextFile(`${s.bin}/claude`, LINGERING, { mode: 0o755 });
    const start = () =>
      new Deno.Command(Deno.execPath(), {
        args: ["run", ...startTaskFlags(), "core/main.ts", "launch", "claude-code"],
        env: { ...s.env, HOME: Deno.env.get("HOME") ?? "/", LUMEN_HOME: `${s.dir}/home` },
        clearEnv: true,
        stdin: "null",
        stdout: "piped",
        stderr: "null",
      }).spawn();
    const ready = async () => {
      const deadline = Date.now() + 10_000;
      while (!(await Deno.stat(`${s.out}/ready`).catch(() => null))) {
        if (Date.now() > deadline) throw new Error("The stand-in never started");
        await new Promise((r) => setTimeout(r, 25));
      }
      await Deno.remove(`${s.out}/ready`);
    };
    try {
      // SIGINT to Lumen alone (a terminal sends it to the client too): Lumen keeps waiting.
      const first = start();
      await ready();
      first.kill("SIGINT");
      const early = await Promise.race([
        first.status.then(() => "exited"),
        new Promise((r) => setTimeout(() => r("waiting"), 300)),
      ]);
      assert.equal(early, "waiting", "Lumen must not exit while its client runs");
      await Deno.writeTextFile(`${s.out}/finish`, "");
      const [status, stdout] = await Promise.all([first.status, new Response(first.stdout).text()]);
      assert.equal(status.code, 4, "the client's exit code, not Lumen's 130");
      assert.equal(stdout, "");
      await Deno.remove(`${s.out}/finish`);

      // SIGTERM reaches the client, which ends; Lumen reports how it ended.
      const second = start();
      await ready();
      second.kill("SIGTERM");
      const [ended] = await Promise.all([second.status, second.stdout.cancel()]);
      assert.equal(ended.code, 143, "the client died of SIGTERM (128 + 15)");
    } finally {
      await Deno.writeTextFile(`${s.out}/finish`, "").catch(() => {});
      await s.remove();
    }
  },
});
