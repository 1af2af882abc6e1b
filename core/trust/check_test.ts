// checkTrust() with stand-in programs for `lumen ca handshake` (sh scripts): what it starts, with
// which environment, and how it reads or bounds the answer. The real child runs in
// tests/ca_trust_test.ts.
import assert from "node:assert/strict";
import { checkTrust } from "./check.ts";

/** A `self` command whose "ca handshake <port>" run is the sh `script` ($3 is the port). */
function standIn(script: string): string[] {
  return ["sh", "-c", script, "lumen"];
}

Deno.test("checkTrust() runs `ca handshake <port>` with the system store and DENO_CERT naming an empty file", async () => {
  const dir = await Deno.makeTempDir();
  Deno.env.set("DENO_CERT", "/somewhere/extra.pem");
  try {
    const result = await checkTrust({
      proxyPort: 4321,
      self: standIn(
        `echo "$@" > ${dir}/args; env > ${dir}/env; ` +
          `echo 'Download noise'; echo '{"trusted":false,"error":"invalid peer certificate: UnknownIssuer"}'`,
      ),
    });
    assert.deepEqual(result, { trusted: false, error: "invalid peer certificate: UnknownIssuer" });
    assert.equal(await Deno.readTextFile(`${dir}/args`), "ca handshake 4321\n");
    const env = await Deno.readTextFile(`${dir}/env`);
    assert.match(env, /^DENO_TLS_CA_STORE=system$/m);
    // An empty file adds no certificate (a variable cannot be unset without clearEnv).
    assert.match(env, /^DENO_CERT=\/dev\/null$/m);
    assert.match(env, /^PATH=/m, "the rest of the environment is passed on");
  } finally {
    Deno.env.delete("DENO_CERT");
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("checkTrust() reports a child that fails or answers nonsense as unknown", async () => {
  const failed = await checkTrust({
    proxyPort: 1,
    self: standIn("echo 'first line' >&2; echo 'error: Module not found' >&2; exit 3"),
  });
  assert.deepEqual(failed, {
    trusted: null,
    error: "The trust check failed (exit code 3): error: Module not found",
  });
  const nonsense = await checkTrust({ proxyPort: 1, self: standIn(`echo '{"trusted":"yes"}'`) });
  assert.equal(nonsense.trusted, null);
  assert.match(nonsense.error!, /The trust check failed \(exit code 0\): it printed no result/);
});

Deno.test("checkTrust() kills a child that does not answer in time", async () => {
  const started = Date.now();
  // exec: the shell becomes sleep, so the kill reaches the process holding the output pipe.
  const result = await checkTrust({ proxyPort: 1, self: standIn("exec sleep 30"), timeoutMs: 300 });
  assert.deepEqual(result, {
    trusted: null,
    error: "The trust check did not finish within 0.3 s",
  });
  assert.ok(Date.now() - started < 5_000, "bounded by the timeout, not by the child");
});

Deno.test("checkTrust() ends at once when its signal aborts", async () => {
  const stop = new AbortController();
  const running = checkTrust({ proxyPort: 1, self: standIn("exec sleep 30"), signal: stop.signal });
  setTimeout(() => stop.abort(), 100);
  assert.deepEqual(await running, { trusted: null, error: "The trust check was cancelled" });
  assert.deepEqual(
    await checkTrust({ proxyPort: 1, self: standIn("exit 0"), signal: AbortSignal.abort() }),
    { trusted: null, error: "The trust check was cancelled" },
  );
});

Deno.test("checkTrust() says when it cannot start the program", async () => {
  const result = await checkTrust({ proxyPort: 1, self: ["/nonexistent/lumen"] });
  assert.equal(result.trusted, null);
  assert.match(result.error!, /^Cannot start the trust check \(/);
});
