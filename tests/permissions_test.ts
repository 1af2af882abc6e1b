// The daemon under exactly the `start` task's permission flags (startTaskFlags): the full flow works
// (relay, proxy mode, API, dashboard), and what the flags narrow stays refused.
import assert from "node:assert/strict";
import { fixture } from "./fake_upstream.ts";
import { assertEventMatches, startStack } from "./_stack.ts";
import { curl } from "./_curl.ts";
import { startDaemon, startTaskFlags } from "./_daemon.ts";
import denoJson from "../deno.json" with { type: "json" };

/** The sys calls Lumen never makes; `--allow-sys` cannot name the one it needs (see README). */
const DENIED_SYS = [
  "hostname",
  "osRelease",
  "osUptime",
  "loadavg",
  "networkInterfaces",
  "systemMemoryInfo",
  "gid",
  "cpus",
  "homedir",
  "getegid",
  "username",
  "statfs",
  "getPriority",
  "setPriority",
  "userInfo",
];

Deno.test("the start and lumen tasks grant no -A and deny the sys calls Lumen does not make", () => {
  const flags = startTaskFlags();
  assert.deepEqual(flags, [
    "--allow-net",
    "--allow-env=LUMEN_*,HOME,USERPROFILE,PATH,PATHEXT,SHELL,ComSpec,LOCALAPPDATA,ProgramFiles,NO_PROXY,no_proxy",
    "--allow-read",
    "--allow-write",
    "--allow-sys",
    `--deny-sys=${DENIED_SYS.join(",")}`,
    "--allow-run",
    "--v8-flags=--memory-saver-mode",
  ]);
  const lumenFlags = denoJson.tasks.lumen.split(/\s+/).filter((part) => part.startsWith("-"));
  assert.deepEqual(lumenFlags, flags, "the CLI runs with the daemon's flags");
  for (const task of [denoJson.tasks.start.split("&&").pop()!, denoJson.tasks.lumen]) {
    assert.doesNotMatch(task, /\s-A\s|--allow-all|--allow-ffi|--allow-import/);
  }
});

Deno.test("a program under the start task's flags is refused what they leave out", async () => {
  // `deno eval` would run with every permission: the probe is a file run with `deno run`.
  const dir = await Deno.makeTempDir({ prefix: "lumen-permissions-test-" });
  try {
    await Deno.writeTextFile(
      `${dir}/probe.ts`,
      `import tls from "node:tls";
      const results: Record<string, string> = {};
      const calls: [string, () => unknown][] = [
        ["hostname", () => Deno.hostname()],
        ["osRelease", () => Deno.osRelease()],
        ["networkInterfaces", () => Deno.networkInterfaces()],
        ["homedir", () => Deno.permissions.querySync({ name: "sys", kind: "homedir" }).state],
        ["uid", () => Deno.uid()],
        ["rootCertificates", () => tls.rootCertificates.length],
        ["envLumen", () => Deno.env.get("LUMEN_HOME")],
        ["envOther", () => Deno.env.get("AWS_SECRET_ACCESS_KEY")],
        ["envAll", () => Deno.env.toObject()],
      ];
      for (const [name, call] of calls) {
        try {
          const value = call();
          results[name] = value === "denied" ? "refused" : "granted";
        } catch (error) {
          results[name] = error instanceof Deno.errors.NotCapable ? "refused" : String(error);
        }
      }
      results.ffi = Deno.permissions.querySync({ name: "ffi" }).state;
      results.import = Deno.permissions.querySync({ name: "import", host: "example.com" }).state;
      console.log(JSON.stringify(results));
      `,
    );
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--no-prompt", ...startTaskFlags(), `${dir}/probe.ts`],
      stdin: "null",
    }).output();
    const stdout = new TextDecoder().decode(out.stdout);
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    assert.deepEqual(JSON.parse(stdout), {
      hostname: "refused",
      osRelease: "refused",
      networkInterfaces: "refused",
      homedir: "refused",
      uid: "granted",
      rootCertificates: "granted",
      envLumen: "granted",
      envOther: "refused",
      envAll: "refused",
      ffi: "prompt",
      import: "prompt",
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the daemon's full flow works under exactly the start task's flags", async (t) => {
  const stack = await startStack();
  try {
    await t.step("relay: curl to /openai on the proxy port is forwarded and counted", async () => {
      const { meta } = await fixture("openai/chat");
      const res = await curl(`${stack.relay("openai")}${meta.path}`, {
        headers: { "content-type": "application/json" },
        body: JSON.stringify(meta.request),
      });
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, stack.upstream.sent(res.headers["x-fake-request-id"]));
      const { event } = await stack.feed.next();
      assertEventMatches(event, "openai", meta.usage);
      assert.equal(event.mode, "relay");
    });

    await t.step(
      "proxy: curl with HTTPS_PROXY semantics and Lumen's CA is intercepted",
      async () => {
        const { meta } = await fixture("anthropic/messages");
        const res = await curl(`https://api.anthropic.com${meta.path}`, {
          headers: { "content-type": "application/json" },
          body: JSON.stringify(meta.request),
          args: ["--proxy", stack.daemon.proxyOrigin, "--cacert", `${stack.daemon.home}/ca.pem`],
        });
        assert.equal(res.status, 200);
        assert.deepEqual(res.body, stack.upstream.sent(res.headers["x-fake-request-id"]));
        const { event } = await stack.feed.next();
        assertEventMatches(event, "anthropic", meta.usage);
        assert.equal(event.mode, "proxy");
      },
    );

    await t.step("API: /api/stats counts both requests", async () => {
      const stats = await stack.daemon.api("/api/stats");
      assert.equal(stats.total.requests, 2);
      assert.equal(stats.by_provider.openai.requests, 1);
      assert.equal(stats.by_provider.anthropic.requests, 1);
    });

    await t.step("dashboard: /dashboard/ serves the built index.html", async () => {
      const res = await fetch(`${stack.daemon.apiOrigin}/dashboard/`);
      const html = await res.text();
      assert.equal(res.status, 200, html);
      assert.match(res.headers.get("content-type") ?? "", /^text\/html/);
      const built = await Deno.readTextFile(
        new URL("../dashboard/build/index.html", import.meta.url),
      );
      assert.equal(html, built);
    });
  } finally {
    await stack.close();
  }
});

Deno.test("the daemon serves the dashboard from LUMEN_ASSETS_DIR, a copy outside the repo", async () => {
  const build = new URL("../dashboard/build/", import.meta.url);
  const copy = await Deno.makeTempDir({ prefix: "lumen-assets-copy-" });
  try {
    await copyDir(build, copy);
    const marker = `<!-- lumen-assets-copy ${crypto.randomUUID()} -->`;
    const original = await Deno.readTextFile(`${copy}/index.html`);
    assert.ok(original.includes("</head>"), "the build's index.html has a head to mark");
    await Deno.writeTextFile(`${copy}/index.html`, original.replace("</head>", `${marker}</head>`));

    const daemon = await startDaemon({ env: { LUMEN_ASSETS_DIR: copy } });
    try {
      const res = await fetch(`${daemon.apiOrigin}/dashboard/`);
      const html = await res.text();
      assert.equal(res.status, 200, html);
      assert.ok(html.includes(marker), "index.html comes from the copy");
      // Other assets come from the copy too: one removed there is missing, though the repo has it.
      const icon = await fetch(`${daemon.apiOrigin}/dashboard/icon.svg`);
      assert.equal(icon.status, 200);
      await icon.body?.cancel();
      await Deno.remove(`${copy}/icon.svg`);
      const gone = await fetch(`${daemon.apiOrigin}/dashboard/icon.svg`);
      assert.equal(gone.status, 404);
      await gone.body?.cancel();
    } finally {
      await daemon.stop();
    }
  } finally {
    await Deno.remove(copy, { recursive: true });
  }
});

async function copyDir(from: URL, to: string): Promise<void> {
  for await (const entry of Deno.readDir(from)) {
    const target = `${to}/${entry.name}`;
    if (entry.isDirectory) {
      await Deno.mkdir(target);
      await copyDir(new URL(`${entry.name}/`, from), target);
    } else if (entry.isFile) {
      await Deno.copyFile(new URL(entry.name, from), target);
    }
  }
}
