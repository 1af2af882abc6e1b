// `lumen status` and `lumen lap` through the real CLI, with and without a daemon to answer.
import assert from "node:assert/strict";
import net from "node:net";
import { runLumen, startDaemon } from "./_daemon.ts";

/** A loopback port that nothing listens on: bound by the OS, then released. */
async function deadPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

Deno.test("lumen status and lap say Lumen is not running, how to start it, and exit 1", async () => {
  const port = await deadPort();
  const home = await Deno.makeTempDir();
  try {
    for (const args of [["status"], ["lap"], ["lap", "next", "task"]]) {
      const out = await runLumen(args, { LUMEN_HOME: home, LUMEN_API_PORT: String(port) });
      assert.equal(out.code, 1, args.join(" "));
      assert.equal(out.stdout, "");
      assert.equal(
        out.stderr,
        `Lumen is not running (nothing answers on 127.0.0.1:${port}). ` +
          "Start it with: npx -y deno@2.9.6 task start\n",
      );
    }
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("lumen status refuses LUMEN_API_PORT=0 with one clear line", async () => {
  const out = await runLumen(["status"], { LUMEN_HOME: "/tmp/x", LUMEN_API_PORT: "0" });
  assert.equal(out.code, 1);
  assert.equal(
    out.stderr,
    "lumen: LUMEN_API_PORT is 0, so the CLI cannot find the daemon: " +
      "set it to the API port the daemon printed\n",
  );
});

Deno.test("lumen status prints today, lap, total and rate from a running daemon", async () => {
  const daemon = await startDaemon();
  try {
    const env = { LUMEN_HOME: daemon.home, LUMEN_API_PORT: String(daemon.apiPort) };
    const lap = await runLumen(["lap", "first", "task"], env);
    assert.equal(lap.code, 0, lap.stderr);
    assert.equal(lap.stdout, 'Closed "Lap 1" ($0.0000); started "first task"\n');
    const status = await runLumen(["status"], env);
    assert.equal(status.code, 0, status.stderr);
    const labels = status.stdout.trim().split("\n").map((line) => line.split(/\s+/)[0]);
    assert.deepEqual(labels, ["today", "lap", "total", "rate"]);
    assert.match(status.stdout, /^today\s+\$\s+0\.0000\s+0 req/m);
  } finally {
    await daemon.stop();
  }
});
