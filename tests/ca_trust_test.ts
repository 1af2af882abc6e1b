// `lumen ca status|trust|untrust` and `GET /api/ca` against the real daemon and CLI: the trust
// verdict comes from a real TLS handshake through the proxy, validated by the system store of a
// child process. On Linux that store honours SSL_CERT_FILE (rustls-native-certs), so a bundle of
// the system roots plus Lumen's CA stands in for "the CA was trusted" without touching the real
// store; the same bundle without Lumen's CA is the control.
import assert from "node:assert/strict";
import { type Daemon, runLumen, startDaemon } from "./_daemon.ts";
import { START_COMMAND } from "../core/cli/api_client.ts";
import { linuxFamily } from "../core/trust/plan.ts";

const SYSTEM_BUNDLES = [
  "/etc/ssl/certs/ca-certificates.crt", // Debian, Ubuntu, Arch, Alpine
  "/etc/pki/tls/certs/ca-bundle.crt", // Fedora, RHEL
  "/etc/ssl/cert.pem", // macOS, some others
];

async function systemRoots(): Promise<string> {
  for (const path of SYSTEM_BUNDLES) {
    try {
      return await Deno.readTextFile(path);
    } catch {
      // Not this system's bundle path; try the next.
    }
  }
  return "";
}

/** Polls `/api/ca` until the daemon's own first check has finished. */
async function firstVerdict(daemon: Daemon) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const ca = await daemon.api("/api/ca");
    if (ca.checked_at !== null) return ca;
    if (Date.now() > deadline) throw new Error(`No trust check finished:\n${daemon.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A stand-in for api.anthropic.com that counts connections: the check must open none. */
function upstreamCounter() {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  let connections = 0;
  const accepting = (async () => {
    for await (const conn of listener) {
      connections++;
      conn.close();
    }
  })();
  return {
    override: `api.anthropic.com=https://127.0.0.1:${listener.addr.port}`,
    get connections() {
      return connections;
    },
    async close() {
      listener.close();
      await accepting;
    },
  };
}

Deno.test("lumen ca status and GET /api/ca report the system store's verdict from a real handshake", async () => {
  const root = await Deno.makeTempDir({ prefix: "lumen-trust-" });
  const home = `${root}/lumen`;
  const upstream = upstreamCounter();
  const env = { LUMEN_UPSTREAM_OVERRIDES: upstream.override };
  let daemon: Daemon | null = null;
  try {
    daemon = await startDaemon({ home, env });
    const cli = (extra: Record<string, string> = {}) =>
      runLumen(["ca", "status"], {
        LUMEN_HOME: home,
        LUMEN_API_PORT: String(daemon!.apiPort),
        ...extra,
      });

    // The daemon checks once by itself after start, and again on ?check=1.
    const first = await firstVerdict(daemon);
    assert.equal(first.trusted, false, JSON.stringify(first));
    assert.match(first.trust_error, /invalid peer certificate: UnknownIssuer/);
    const fresh = await daemon.api("/api/ca?check=1");
    assert.equal(fresh.trusted, false);
    assert.ok(fresh.checked_at > first.checked_at, "?check=1 ran a new check");

    const untrusted = await cli();
    assert.equal(untrusted.code, 1, untrusted.stdout + untrusted.stderr);
    assert.match(untrusted.stdout, new RegExp(`CA        ${home}/ca\\.pem`));
    assert.match(untrusted.stdout, new RegExp(`SHA-256   ${fresh.fingerprint_sha256}`));
    assert.match(untrusted.stdout, /Expires {3}\d{4}-\d\d-\d\d \(in \d+ days\)/);
    assert.match(untrusted.stdout, /Trust {5}NOT trusted: .*UnknownIssuer/);
    assert.match(untrusted.stdout, /To trust it, run: lumen ca trust/);

    const roots = await systemRoots();
    const caPem = await Deno.readTextFile(`${home}/ca.pem`);
    await Deno.writeTextFile(`${root}/roots.pem`, roots);
    await Deno.writeTextFile(`${root}/bundle.pem`, `${roots}\n${caPem}`);
    const control = await cli({ SSL_CERT_FILE: `${root}/roots.pem` });
    assert.equal(control.code, 1, `the system roots alone: ${control.stdout}${control.stderr}`);
    const trusted = await cli({ SSL_CERT_FILE: `${root}/bundle.pem` });
    assert.equal(trusted.code, 0, trusted.stdout + trusted.stderr);
    assert.match(trusted.stdout, /Trust {5}trusted: the system trust store accepted/);

    // The daemon's own check sees the store its environment gives it.
    await daemon.stop();
    daemon = await startDaemon({ home, env: { ...env, SSL_CERT_FILE: `${root}/bundle.pem` } });
    const again = await daemon.api("/api/ca?check=1");
    assert.deepEqual([again.trusted, again.trust_error], [true, null]);
    assert.equal(again.fingerprint_sha256, fresh.fingerprint_sha256, "the same CA as before");
    assert.equal((await cli({ SSL_CERT_FILE: `${root}/bundle.pem` })).code, 0);

    const apiPort = daemon.apiPort;
    await daemon.stop();
    daemon = null;
    const stopped = await runLumen(["ca", "status"], {
      LUMEN_HOME: home,
      LUMEN_API_PORT: String(apiPort),
    });
    assert.equal(stopped.code, 2, stopped.stdout + stopped.stderr);
    assert.match(stopped.stdout, new RegExp(`SHA-256   ${fresh.fingerprint_sha256}`));
    assert.ok(stopped.stdout.includes(`could not check: Lumen is not running`));
    assert.ok(stopped.stdout.includes(START_COMMAND));

    assert.equal(upstream.connections, 0, "the check sent nothing towards the real host");
  } finally {
    await daemon?.stop();
    await upstream.close();
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("lumen ca trust|untrust --print print this system's commands with the real path", async () => {
  const root = await Deno.makeTempDir({ prefix: "lumen-trust-" });
  const home = `${root}/lumen`;
  try {
    const daemon = await startDaemon({ home });
    await daemon.stop();
    const ca = `${home}/ca.pem`;
    const osRelease = await Deno.readTextFile("/etc/os-release").catch(() => "");
    const sudo = Deno.uid() === 0 ? "" : "sudo ";
    const expected: Record<string, [string[], string[]]> = {
      debian: [
        [
          `install -m 644 ${ca} /usr/local/share/ca-certificates/lumen-ca.crt`,
          "update-ca-certificates",
        ],
        ["rm -f /usr/local/share/ca-certificates/lumen-ca.crt", "update-ca-certificates --fresh"],
      ],
      fedora: [
        [`install -m 644 ${ca} /etc/pki/ca-trust/source/anchors/lumen-ca.pem`, "update-ca-trust"],
        ["rm -f /etc/pki/ca-trust/source/anchors/lumen-ca.pem", "update-ca-trust"],
      ],
      arch: [[`trust anchor --store ${ca}`], [`trust anchor --remove ${ca}`]],
    };
    const family = Deno.build.os === "linux" ? linuxFamily(osRelease) : null;
    assert.ok(family, "this test knows the Linux families only");
    const [trustLines, untrustLines] = expected[family];
    for (const [action, lines] of [["trust", trustLines], ["untrust", untrustLines]] as const) {
      const out = await runLumen(["ca", action, "--print"], { LUMEN_HOME: home });
      assert.equal(out.code, 0, out.stderr);
      const printed = out.stdout.trimEnd().split("\n");
      assert.deepEqual(printed.slice(0, -1), lines.map((line) => sudo + line), action);
      assert.match(printed.at(-1)!, /^# Firefox and Java keep their own trust stores/);
    }
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("lumen ca handshake (hidden) answers one JSON line, and refuses a bad port", async () => {
  const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = probe.addr.port;
  probe.close();
  const home = await Deno.makeTempDir({ prefix: "lumen-trust-" });
  try {
    const out = await runLumen(["ca", "handshake", String(port)], { LUMEN_HOME: home });
    assert.equal(out.code, 0, out.stderr);
    const result = JSON.parse(out.stdout);
    assert.equal(result.trusted, null);
    assert.match(result.error, /Cannot connect to Lumen's proxy .* is it running\?/);
    const bad = await runLumen(["ca", "handshake", "99999"], { LUMEN_HOME: home });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /Usage: lumen ca handshake <proxy port>/);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});
