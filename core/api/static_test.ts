import assert from "node:assert/strict";
import { apiFixture, PORT, TEST_CA } from "./_handler_fixture.ts";

const SHELL = `<!doctype html><html><head></head><body><script>
  start("/dashboard/_app/immutable/entry/app.js");
</script></body></html>`;

/** A stand-in build directory shaped like adapter-static's output, with a file beside it. */
async function fakeBuild(root: string): Promise<string> {
  const dir = `${root}/build`;
  await Deno.writeTextFile(`${root}/outside.txt`, "secret");
  await Deno.mkdir(`${dir}/_app/immutable/entry`, { recursive: true });
  await Deno.writeTextFile(`${dir}/index.html`, SHELL);
  await Deno.writeTextFile(
    `${dir}/_app/immutable/entry/app.js`,
    "export const app = 1;",
  );
  await Deno.writeTextFile(`${dir}/manifest.webmanifest`, '{"name":"Lumen"}');
  await Deno.writeTextFile(`${dir}/service-worker.js`, "self.x = 1;");
  return dir;
}

async function withBuild(
  fn: (api: Awaited<ReturnType<typeof apiFixture>>) => Promise<void>,
) {
  const root = await Deno.makeTempDir({ prefix: "lumen-dashboard-" });
  try {
    await using api = await apiFixture({ dashboardDir: await fakeBuild(root) });
    await fn(api);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

Deno.test("createApiHandler() redirects / to the dashboard", async () => {
  await withBuild(async (api) => {
    const res = await api.call("/");
    assert.equal(res.status, 302);
    assert.equal(res.headers.get("location"), "/dashboard/");
    const bare = await api.call("/dashboard");
    assert.equal(bare.status, 301);
    assert.equal(bare.headers.get("location"), "/dashboard/");
  });
});

Deno.test("createApiHandler() serves the dashboard shell with a hash-pinned script policy", async () => {
  await withBuild(async (api) => {
    const res = await api.call("/dashboard/");
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "text/html; charset=utf-8");
    assert.equal(await res.text(), SHELL);
    const csp = res.headers.get("content-security-policy") ?? "";
    const inline = SHELL.slice(
      SHELL.indexOf("<script>") + 8,
      SHELL.indexOf("</script>"),
    );
    const digest = await crypto.subtle.digest(
      "SHA-256",
      new TextEncoder().encode(inline),
    );
    const hash = btoa(String.fromCharCode(...new Uint8Array(digest)));
    assert.match(
      csp,
      new RegExp(`script-src 'self' 'sha256-${hash.replace(/[+/]/g, "\\$&")}'`),
    );
    assert.match(csp, /frame-ancestors 'none'/);
    assert.match(csp, /connect-src 'self'/);
    assert.equal(res.headers.get("x-frame-options"), "DENY");
    assert.equal(res.headers.get("x-content-type-options"), "nosniff");
  });
});

Deno.test("createApiHandler() answers any dashboard page path with the shell (SPA routing)", async () => {
  await withBuild(async (api) => {
    for (
      const path of [
        "/dashboard/events",
        "/dashboard/laps/",
        "/dashboard/popover",
      ]
    ) {
      const res = await api.call(path);
      assert.equal(res.status, 200, path);
      assert.equal(await res.text(), SHELL, path);
    }
  });
});

Deno.test("createApiHandler() serves hashed files as immutable and others as revalidated", async () => {
  await withBuild(async (api) => {
    const app = await api.call("/dashboard/_app/immutable/entry/app.js");
    assert.equal(app.status, 200);
    assert.equal(
      app.headers.get("content-type"),
      "text/javascript; charset=utf-8",
    );
    assert.equal(
      app.headers.get("cache-control"),
      "public, max-age=31536000, immutable",
    );
    assert.equal(await app.text(), "export const app = 1;");
    const manifest = await api.call("/dashboard/manifest.webmanifest");
    assert.equal(
      manifest.headers.get("content-type"),
      "application/manifest+json; charset=utf-8",
    );
    assert.equal(manifest.headers.get("cache-control"), "no-cache");
    await manifest.body?.cancel();
    const worker = await api.call("/dashboard/service-worker.js");
    assert.equal(worker.headers.get("cache-control"), "no-cache");
    await worker.body?.cancel();
  });
});

Deno.test("createApiHandler() answers a missing dashboard asset with 404, not the shell", async () => {
  await withBuild(async (api) => {
    const res = await api.json("/dashboard/_app/immutable/entry/gone.js");
    assert.equal(res.status, 404);
    assert.equal(res.body.error.code, "not_found");
  });
});

Deno.test("createApiHandler() never serves a file outside the dashboard build", async () => {
  await withBuild(async (api) => {
    for (
      const path of [
        "/dashboard/%2e%2e/outside.txt",
        "/dashboard/..%2foutside.txt",
        "/dashboard/_app/..%5c..%5coutside.txt",
        "/dashboard/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "/dashboard/x%00.js",
      ]
    ) {
      const res = await api.call(path);
      const text = await res.text();
      assert.ok(!text.includes("secret"), path);
      assert.notEqual(res.status, 200, `${path} answered ${res.status}`);
    }
  });
});

Deno.test("createApiHandler() applies the Host check to the dashboard too", async () => {
  await withBuild(async (api) => {
    const res = await api.json("/dashboard/", {
      headers: { host: `evil.example:${PORT}` },
    });
    assert.equal(res.status, 403);
    assert.equal(res.body.error.code, "forbidden_host");
  });
});

Deno.test("createApiHandler() refuses to change anything under /dashboard", async () => {
  await withBuild(async (api) => {
    const res = await api.json("/dashboard/", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    assert.equal(res.status, 405);
  });
});

Deno.test("createApiHandler() says how to build the dashboard when there is no build", async () => {
  await using api = await apiFixture();
  const res = await api.json("/dashboard/");
  assert.equal(res.status, 503);
  assert.equal(res.body.error.code, "dashboard_not_built");
  assert.match(res.body.error.message, /deno task build:dashboard/);
});

Deno.test("createApiHandler() describes the CA and offers its certificate, never its key", async () => {
  await using api = await apiFixture();
  const info = await api.json("/api/ca");
  assert.equal(info.status, 200);
  assert.deepEqual(info.body, {
    subject: TEST_CA.subject,
    fingerprint_sha256: TEST_CA.fingerprintSha256,
    not_after: TEST_CA.notAfter.getTime(),
    cert_path: TEST_CA.certPath,
    trusted: null,
    checked_at: null,
    trust_error: null,
  });
  const pem = await api.call("/api/ca.pem");
  assert.equal(pem.status, 200);
  assert.equal(pem.headers.get("content-type"), "application/x-pem-file");
  assert.match(
    pem.headers.get("content-disposition") ?? "",
    /attachment; filename="lumen-ca.pem"/,
  );
  const text = await pem.text();
  assert.equal(text, TEST_CA.certPem);
  assert.ok(!text.includes("PRIVATE KEY"));
});
