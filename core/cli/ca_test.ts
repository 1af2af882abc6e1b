// `lumen ca` with this machine's parts replaced: the detected OS, root or not, the command runner
// and the trust check. The real daemon, CLI and handshake are in tests/ca_trust_test.ts.
import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { loadOrCreateCa } from "../tls/ca.ts";
import type { HandshakeResult, RunResult, TrustTarget } from "../trust/mod.ts";
import { type CaCommandDeps, runCa } from "./ca.ts";

const DEBIAN: TrustTarget = { os: "linux", family: "debian" };

/** A temp LUMEN_HOME with a real CA, and runCa() with output and the runner recorded. */
async function caFixture() {
  const home = await Deno.makeTempDir();
  const ca = await loadOrCreateCa(home);
  const out: string[] = [];
  const err: string[] = [];
  const ran: string[][][] = [];
  return {
    home,
    ca,
    out,
    err,
    ran,
    run(args: string[], deps: Partial<CaCommandDeps> & { result?: RunResult } = {}) {
      return runCa(args, {
        home,
        apiPort: 1,
        self: ["/nonexistent/lumen"],
        detect: () => ({ target: DEBIAN }),
        isRoot: () => true,
        run: (commands) => {
          ran.push(commands);
          return Promise.resolve(deps.result ?? { ok: true });
        },
        log: (line) => out.push(line),
        error: (line) => err.push(line),
        ...deps,
      });
    },
    async [Symbol.asyncDispose]() {
      await Deno.remove(home, { recursive: true });
    },
  };
}

Deno.test("runCa() trust --print prints the commands with the real path, and runs nothing", async () => {
  await using f = await caFixture();
  assert.equal(await f.run(["trust", "--print"]), 0);
  assert.deepEqual(f.out.slice(0, 2), [
    `install -m 644 ${f.ca.certPath} /usr/local/share/ca-certificates/lumen-ca.crt`,
    "update-ca-certificates",
  ]);
  assert.match(f.out[2], /^# Firefox and Java keep their own trust stores/);
  assert.equal(f.ran.length, 0);
});

Deno.test("runCa() trust as a non-root Linux user prints sudo lines and exits 1", async () => {
  await using f = await caFixture();
  assert.equal(await f.run(["trust"], { isRoot: () => false }), 1);
  assert.equal(f.ran.length, 0, "Lumen never runs sudo itself");
  assert.match(f.err.join("\n"), /needs root, and Lumen never runs sudo itself/);
  assert.match(
    f.err.join("\n"),
    new RegExp(
      `sudo install -m 644 ${f.ca.certPath} /usr/local/share/ca-certificates/lumen-ca\\.crt\n  sudo update-ca-certificates`,
    ),
  );
});

Deno.test("runCa() trust as root runs the plan and says how to check it", async () => {
  await using f = await caFixture();
  assert.equal(await f.run(["trust"]), 0);
  assert.deepEqual(f.ran, [[
    ["install", "-m", "644", f.ca.certPath, "/usr/local/share/ca-certificates/lumen-ca.crt"],
    ["update-ca-certificates"],
  ]]);
  const text = f.out.join("\n");
  assert.match(
    text,
    new RegExp(`SHA-256 ${f.ca.fingerprintSha256}\\) is in the system trust store`),
  );
  assert.match(text, /Check it with: lumen ca status/);
});

Deno.test("runCa() untrust on macOS and Windows names the certificate by SHA-1 and serial", async () => {
  await using f = await caFixture();
  const darwin = await f.run(["untrust"], {
    detect: () => ({ target: { os: "darwin", userHome: "/Users/ada" } }),
    isRoot: () => false,
  });
  assert.equal(darwin, 0, "the login keychain needs no root");
  assert.equal(f.ran[0][1][2], "-Z");
  assert.match(f.ran[0][1][3], /^[0-9A-F]{40}$/);
  assert.equal(await f.run(["untrust"], { detect: () => ({ target: { os: "windows" } }) }), 0);
  assert.deepEqual(f.ran[1], [[
    "certutil",
    "-user",
    "-delstore",
    "Root",
    new X509Certificate(f.ca.certPem).serialNumber.toLowerCase(),
  ]]);
  assert.match(f.out.join("\n"), /no longer in the current user's trusted root store/);
});

Deno.test("runCa() trust reports a failed or missing tool with exit 1", async () => {
  await using f = await caFixture();
  const missing = await f.run(["trust"], {
    result: {
      ok: false,
      failed: ["update-ca-certificates"],
      message:
        'Cannot run update-ca-certificates: "update-ca-certificates" is not installed or not on PATH',
    },
  });
  assert.equal(missing, 1);
  assert.match(f.err[0], /^Cannot trust the CA: .* \(it comes with the ca-certificates package\)$/);
});

Deno.test("runCa() trust explains a missing CA and an unknown system", async () => {
  await using f = await caFixture();
  await Deno.remove(f.ca.certPath);
  assert.equal(await f.run(["trust"]), 1);
  assert.match(f.err[0], /There is no CA at .*ca\.pem yet: start Lumen once/);
  await Deno.writeTextFile(f.ca.certPath, f.ca.certPem);
  const unknown = await f.run(["trust", "--print"], {
    detect: () => ({ target: null, problem: "Lumen knows … not this Linux (ID=alpine …)" }),
  });
  assert.equal(unknown, 1);
  assert.match(f.err[1], /^Cannot trust the CA here: .*ID=alpine.*by hand/);
});

Deno.test("runCa() refuses unknown commands and arguments with exit 2", async () => {
  await using f = await caFixture();
  assert.equal(await f.run([]), 2);
  assert.equal(await f.run(["trusted"]), 2);
  assert.equal(await f.run(["trust", "--yes"]), 2);
  assert.equal(await f.run(["status", "--print"]), 2);
  assert.match(f.err.join("\n"), /Unknown command "lumen ca trusted"/);
  assert.match(f.err.join("\n"), /Unknown argument "--yes"/);
  assert.equal(f.ran.length, 0);
});

/** A stand-in daemon API answering /api/health and /api/ca. */
function fakeApi(certPath: string) {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    const path = new URL(req.url).pathname;
    if (path === "/api/health") return Response.json({ proxy_port: 4242 });
    return Response.json({
      subject: "CN=Lumen Local CA (test)",
      fingerprint_sha256: "AB:CD",
      not_after: Date.now() + 10 * 86_400_000 + 60_000,
      cert_path: certPath,
      trusted: null,
      checked_at: null,
      trust_error: null,
    });
  });
  return { port: server.addr.port, close: () => server.shutdown() };
}

Deno.test("runCa() status maps the check to exit 0, 1 and 2 and shows the fix", async () => {
  await using f = await caFixture();
  const api = fakeApi(f.ca.certPath);
  try {
    const checked: number[] = [];
    const status = async (result: HandshakeResult) => {
      f.out.length = 0;
      return await f.run(["status"], {
        apiPort: api.port,
        check: (options) => {
          checked.push(options.proxyPort);
          return Promise.resolve(result);
        },
      });
    };
    assert.equal(await status({ trusted: true, error: null }), 0);
    assert.match(f.out.join("\n"), /Expires {3}\d{4}-\d\d-\d\d \(in 10 days\)/);
    assert.match(f.out.join("\n"), /Trust {5}trusted/);
    assert.equal(await status({ trusted: false, error: "invalid peer certificate: X" }), 1);
    const text = f.out.join("\n");
    assert.match(text, /NOT trusted: .*\(invalid peer certificate: X\)/);
    assert.match(text, /To trust it, run: lumen ca trust\nwhich runs:\n {2}install -m 644 /);
    assert.equal(await status({ trusted: null, error: "The trust check failed" }), 2);
    assert.match(f.out.join("\n"), /could not check: The trust check failed/);
    assert.deepEqual(checked, [4242, 4242, 4242], "the check goes through the daemon's proxy port");
  } finally {
    await api.close();
  }
});

Deno.test("runCa() status without a daemon shows the CA file and exits 2", async () => {
  await using f = await caFixture();
  const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = probe.addr.port;
  probe.close();
  assert.equal(await f.run(["status"], { apiPort: port }), 2);
  const text = f.out.join("\n");
  assert.match(text, new RegExp(`SHA-256   ${f.ca.fingerprintSha256}`));
  assert.match(text, /could not check: Lumen is not running .* Start it with: /);
});
