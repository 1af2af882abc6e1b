import assert from "node:assert/strict";
import { loadOrCreateCa } from "./ca.ts";
import { readTrustFacts } from "./trust_facts.ts";

/** openssl's view of the same file, as an independent second opinion. */
async function openssl(...args: string[]): Promise<string> {
  const out = await new Deno.Command("openssl", { args, stdin: "null" }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  return new TextDecoder().decode(out.stdout).trim();
}

Deno.test("readTrustFacts() names the CA as openssl, macOS and certutil do", async () => {
  const home = await Deno.makeTempDir();
  try {
    const ca = await loadOrCreateCa(home);
    const facts = await readTrustFacts(ca.certPath);
    assert.equal(facts.path, ca.certPath);
    assert.equal(facts.fingerprintSha256, ca.fingerprintSha256);
    assert.equal(facts.subject, ca.subject);
    assert.equal(facts.notAfter.getTime(), ca.notAfter.getTime());
    const sha1 = await openssl("x509", "-in", ca.certPath, "-noout", "-fingerprint", "-sha1");
    assert.equal(facts.sha1, sha1.replace(/^.*=/, "").replaceAll(":", ""));
    assert.match(facts.sha1, /^[0-9A-F]{40}$/);
    const serial = await openssl("x509", "-in", ca.certPath, "-noout", "-serial");
    assert.equal(facts.serial.toUpperCase(), serial.replace(/^serial=/, ""));
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("readTrustFacts() refuses a file that is not a certificate, naming it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/ca.pem`, "not a certificate\n");
    await assert.rejects(
      readTrustFacts(`${dir}/ca.pem`),
      new RegExp(`Cannot parse "${dir}/ca\\.pem" as a PEM certificate`),
    );
    await assert.rejects(readTrustFacts(`${dir}/missing.pem`), Deno.errors.NotFound);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
