// The daemon's per-install CA: created at first start, certificate-only ca.pem, private key 0600 in
// a 0700 home, reused by later starts, unique per install, and refused when others can read it.
import assert from "node:assert/strict";
import { runLumen, startDaemon } from "./_daemon.ts";

const mode = async (path: string) => ((await Deno.stat(path)).mode! & 0o777).toString(8);

Deno.test("the daemon creates its CA once, key 0600, and reuses it on later starts", async () => {
  const root = await Deno.makeTempDir();
  const home = `${root}/lumen`;
  try {
    const first = await startDaemon({ env: { LUMEN_HOME: home } });
    await first.stop();
    const certPem = await Deno.readTextFile(`${home}/ca.pem`);
    assert.match(certPem, /^-----BEGIN CERTIFICATE-----/);
    assert.doesNotMatch(certPem, /PRIVATE KEY/);
    assert.equal(await mode(home), "700");
    assert.equal(await mode(`${home}/ca-key.pem`), "600");
    assert.match(first.output(), /Proxy mode CA: .*ca\.pem \(SHA-256 [0-9A-F:]{95}\)/);

    const second = await startDaemon({ env: { LUMEN_HOME: home } });
    await second.stop();
    assert.equal(await Deno.readTextFile(`${home}/ca.pem`), certPem, "the CA is reused");

    const other = await startDaemon({ keepHome: true });
    await other.stop();
    const otherPem = await Deno.readTextFile(`${other.home}/ca.pem`);
    await Deno.remove(other.home.replace(/\/lumen$/, ""), { recursive: true });
    assert.notEqual(otherPem, certPem, "each install has its own CA");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("the daemon refuses a CA key others can read, saying how to fix it", async () => {
  const root = await Deno.makeTempDir();
  const home = `${root}/lumen`;
  try {
    const daemon = await startDaemon({ env: { LUMEN_HOME: home } });
    await daemon.stop();
    await Deno.chmod(`${home}/ca-key.pem`, 0o644);
    const out = await runLumen(["serve"], {
      LUMEN_HOME: home,
      LUMEN_PROXY_PORT: "0",
      LUMEN_API_PORT: "0",
    });
    assert.equal(out.code, 1);
    assert.match(out.stderr, /^lumen: .*ca-key\.pem.*chmod 600/s);
    assert.equal(out.stderr.trim().split("\n").length, 1, out.stderr);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
