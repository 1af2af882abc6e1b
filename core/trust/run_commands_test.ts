// runCommands() with harmless stand-ins for the trust tools: a temp folder plays the anchor folder
// and a script plays update-ca-certificates, so the system store is never touched.
import assert from "node:assert/strict";
import { runCommands } from "./run_commands.ts";

Deno.test("runCommands() runs a Debian-shaped plan in order against a stand-in anchor folder", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const ca = `${dir}/ca.pem`;
    await Deno.writeTextFile(ca, "-----BEGIN CERTIFICATE-----\nTEST\n-----END CERTIFICATE-----\n");
    await Deno.chmod(ca, 0o600);
    await Deno.mkdir(`${dir}/anchors`);
    const anchor = `${dir}/anchors/lumen-ca.crt`;
    const result = await runCommands([
      ["install", "-m", "644", ca, anchor],
      // The "update tool": records what the anchor folder held when it ran.
      ["sh", "-c", 'ls "$1" > "$2"', "update", `${dir}/anchors`, `${dir}/updated`],
    ]);
    assert.deepEqual(result, { ok: true });
    assert.equal(await Deno.readTextFile(anchor), await Deno.readTextFile(ca));
    assert.equal(
      (await Deno.stat(anchor)).mode! & 0o777,
      0o644,
      "world-readable whatever the umask",
    );
    assert.equal(await Deno.readTextFile(`${dir}/updated`), "lumen-ca.crt\n");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("runCommands() stops at the first failing command and names it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const result = await runCommands([
      ["sh", "-c", "exit 4"],
      ["touch", `${dir}/ran`],
    ]);
    assert.deepEqual(result, {
      ok: false,
      failed: ["sh", "-c", "exit 4"],
      message: "sh failed with exit code 4",
    });
    await assert.rejects(Deno.stat(`${dir}/ran`), Deno.errors.NotFound);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("runCommands() says which program is missing", async () => {
  const result = await runCommands([["lumen-no-such-update-tool", "--fresh"]]);
  assert.deepEqual(result, {
    ok: false,
    failed: ["lumen-no-such-update-tool", "--fresh"],
    message:
      'Cannot run lumen-no-such-update-tool: "lumen-no-such-update-tool" is not installed or ' +
      "not on PATH",
  });
});
