// The daemon process: home directory, startup errors, clean shutdown, CLI against a live daemon.
import assert from "node:assert/strict";
import net from "node:net";
import { runLumen, startDaemon } from "./_daemon.ts";

Deno.test("daemon creates LUMEN_HOME with mode 0700 and reports health", async () => {
  const daemon = await startDaemon({ keepHome: true });
  try {
    const mode = (await Deno.stat(daemon.home)).mode! & 0o777;
    assert.equal(mode.toString(8), "700");
    const health = await daemon.api("/api/health");
    assert.equal(health.ok, true);
    assert.equal(health.proxy_port, daemon.proxyPort);
    assert.equal(health.api_port, daemon.apiPort);
    assert.equal(typeof health.uptime_s, "number");
  } finally {
    await daemon.stop();
    await Deno.remove(daemon.home.replace(/\/lumen$/, ""), { recursive: true });
  }
});

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  Deno.test(`daemon exits 0 on ${signal}`, async () => {
    const daemon = await startDaemon();
    const status = await daemon.stop(signal);
    assert.equal(status.code, 0, daemon.output());
  });
}

Deno.test("daemon refuses a taken port with one clear line and a non-zero exit", async () => {
  const blocker = net.createServer();
  await new Promise<void>((r) => blocker.listen(0, "127.0.0.1", r));
  const port = (blocker.address() as net.AddressInfo).port;
  const home = await Deno.makeTempDir();
  try {
    for (const variable of ["LUMEN_PROXY_PORT", "LUMEN_API_PORT"]) {
      const out = await runLumen(["serve"], {
        LUMEN_HOME: home,
        LUMEN_PROXY_PORT: "0",
        LUMEN_API_PORT: "0",
        [variable]: String(port),
      });
      assert.equal(out.code, 1);
      assert.equal(
        out.stderr.trim(),
        `lumen: Cannot listen on 127.0.0.1:${port} (${variable}): ` +
          "the port is already in use (is another Lumen running?)",
      );
    }
  } finally {
    await new Promise<void>((r) => blocker.close(() => r()));
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("daemon refuses an unusable home and bad settings with one clear line", async () => {
  const file = await Deno.makeTempFile();
  try {
    const cases: [Record<string, string>, RegExp][] = [
      [{ LUMEN_HOME: `${file}/lumen` }, /^lumen: Cannot use LUMEN_HOME ".*\/lumen": /],
      [{ LUMEN_HOME: "/tmp/x", LUMEN_PROXY_PORT: "99999" }, /^lumen: Invalid LUMEN_PROXY_PORT/],
      [
        { LUMEN_HOME: "/tmp/x", LUMEN_UPSTREAM_OVERRIDES: "api.openai.com" },
        /^lumen: Invalid LUMEN_UPSTREAM_OVERRIDES item "api.openai.com"/,
      ],
      [{ LUMEN_HOME: "/tmp/x", LUMEN_EXTRA_CA_CERTS: file }, /^lumen: Cannot use LUMEN_EXTRA_CA/],
    ];
    for (const [env, expected] of cases) {
      const out = await runLumen(["serve"], env);
      assert.equal(out.code, 1, JSON.stringify(env));
      assert.match(out.stderr, expected);
      assert.equal(out.stderr.trim().split("\n").length, 1, out.stderr);
    }
  } finally {
    await Deno.remove(file);
  }
});

Deno.test("lumen status and lap talk to the running daemon", async () => {
  const daemon = await startDaemon();
  try {
    const env = { LUMEN_HOME: daemon.home, LUMEN_API_PORT: String(daemon.apiPort) };
    const lap = await runLumen(["lap", "first", "task"], env);
    assert.equal(lap.code, 0, lap.stderr);
    assert.match(lap.stdout, /Closed "Lap 1" \(\$0\.0000\); started "first task"/);
    const status = await runLumen(["status"], env);
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /^today\s+\$\s+0\.0000\s+0 req/m);
    assert.match(status.stdout, /^rate\s+0 tokens\/s over 60 s/m);
  } finally {
    await daemon.stop();
  }
  const down = await runLumen(["status"], { LUMEN_HOME: "/tmp/x", LUMEN_API_PORT: "1" });
  assert.equal(down.code, 1);
  assert.match(down.stderr, /^Lumen is not running \(nothing answers on 127\.0\.0\.1:1\)/);
});
