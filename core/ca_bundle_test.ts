import assert from "node:assert/strict";
import tls from "node:tls";
import { writeCaBundle } from "./ca_bundle.ts";

const CA_A = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
const CA_B = "-----BEGIN CERTIFICATE-----\nBBBB\n-----END CERTIFICATE-----";
const ROOTS = "-----BEGIN CERTIFICATE-----\nROOT1\n-----END CERTIFICATE-----\n" +
  "-----BEGIN CERTIFICATE-----\nROOT2\n-----END CERTIFICATE-----";

function certs(text: string): string[] {
  return text.match(/-----BEGIN CERTIFICATE-----\n(\w+)\n/g)!.map((m) => m.split("\n")[1]);
}

Deno.test("writeCaBundle() writes the first system bundle found plus the CA, and rewrites on change", async () => {
  const home = await Deno.makeTempDir();
  try {
    const roots = `${home}/roots.pem`;
    await Deno.writeTextFile(roots, ROOTS);
    await Deno.writeTextFile(`${home}/empty.pem`, "no certificates here\n");
    const rootFiles = [`${home}/missing.pem`, home, `${home}/empty.pem`, roots];

    const first = await writeCaBundle(home, CA_A, { rootFiles });
    assert.deepEqual(first, { path: `${home}/ca-bundle.pem`, written: true, rootsFrom: roots });
    const text = await Deno.readTextFile(first.path);
    assert.deepEqual(certs(text), ["ROOT1", "ROOT2", "AAAA"]);
    assert.ok(text.startsWith("# System roots"));
    if (Deno.build.os !== "windows") {
      assert.equal((await Deno.stat(first.path)).mode! & 0o777, 0o644);
    }
    const mtime = (await Deno.stat(first.path)).mtime;

    assert.equal((await writeCaBundle(home, CA_A, { rootFiles })).written, false);
    assert.deepEqual(
      (await Deno.stat(first.path)).mtime,
      mtime,
      "an unchanged bundle is not rewritten",
    );

    assert.equal((await writeCaBundle(home, CA_B, { rootFiles })).written, true);
    assert.deepEqual(certs(await Deno.readTextFile(first.path)), ["ROOT1", "ROOT2", "BBBB"]);

    await Deno.writeTextFile(
      roots,
      `${ROOTS}\n-----BEGIN CERTIFICATE-----\nROOT3\n-----END CERTIFICATE-----\n`,
    );
    assert.equal((await writeCaBundle(home, CA_B, { rootFiles })).written, true);
    assert.deepEqual(certs(await Deno.readTextFile(first.path)), [
      "ROOT1",
      "ROOT2",
      "ROOT3",
      "BBBB",
    ]);
    // Nothing but the bundle is left behind (the atomic write's temp file is renamed).
    const names = [...Deno.readDirSync(home)].map((e) => e.name).sort();
    assert.deepEqual(names, ["ca-bundle.pem", "empty.pem", "roots.pem"]);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("writeCaBundle() falls back to Node's root list when no system file exists", async () => {
  const home = await Deno.makeTempDir();
  try {
    const result = await writeCaBundle(home, CA_A, { rootFiles: [`${home}/none.pem`] });
    assert.equal(result.rootsFrom, "node:tls");
    const text = await Deno.readTextFile(result.path);
    const count = text.match(/-----BEGIN CERTIFICATE-----/g)!.length;
    assert.ok(tls.rootCertificates.length > 50);
    assert.equal(count, tls.rootCertificates.length + 1);
    assert.ok(text.trimEnd().endsWith(CA_A.trimEnd()));
    await assert.rejects(() => writeCaBundle(home, "not a cert"), TypeError);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});
