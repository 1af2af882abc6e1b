import assert from "node:assert/strict";
import { apiFixture, DISCONNECTED, fakeSync, PORT } from "./_handler_fixture.ts";

function post(body: unknown, headers: Record<string, string> = {}): RequestInit {
  return {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  };
}

Deno.test("GET /api/sync answers 404 when the daemon has no sync", async () => {
  await using api = await apiFixture();
  assert.equal((await api.json("/api/sync")).status, 404);
});

Deno.test("GET /api/sync answers the service's status", async () => {
  await using api = await apiFixture({ sync: fakeSync().service });
  assert.deepEqual(await api.json("/api/sync"), { status: 200, body: DISCONNECTED });
});

Deno.test("POST /api/sync/connect answers the authorization URL", async () => {
  const { service, calls } = fakeSync();
  await using api = await apiFixture({ sync: service });
  const { status, body } = await api.json("/api/sync/connect", post({ server: "abc" }));
  assert.equal(status, 200);
  assert.deepEqual(body, { authorize_url: "https://as.test/authorize?x=1" });
  assert.deepEqual(calls, ["connect abc"]);
});

Deno.test("POST /api/sync/connect refuses a missing server, bad input and server failures", async () => {
  await using api = await apiFixture({ sync: fakeSync().service });
  for (const body of [{}, { server: "" }, { server: 5 }, { server: "x".repeat(3000) }]) {
    assert.equal((await api.json("/api/sync/connect", post(body))).status, 400);
  }
  await using bad = await apiFixture({
    sync: fakeSync({ connect: { ok: false, kind: "input", message: "Server must be a URL" } })
      .service,
  });
  const refused = await bad.json("/api/sync/connect", post({ server: "nope" }));
  assert.deepEqual(refused, {
    status: 400,
    body: { error: { code: "bad_request", message: "Server must be a URL" } },
  });
  await using down = await apiFixture({
    sync: fakeSync({ connect: { ok: false, kind: "server", message: "Cannot connect" } }).service,
  });
  const failed = await down.json("/api/sync/connect", post({ server: "https://s.test" }));
  assert.equal(failed.status, 502);
  assert.equal(failed.body.error.code, "sync_server_error");
});

Deno.test("POST /api/sync/connect from another origin is refused before the service", async () => {
  const { service, calls } = fakeSync();
  await using api = await apiFixture({ sync: service });
  const res = await api.call(
    "/api/sync/connect",
    post({ server: "abc" }, { origin: "https://evil.test" }),
  );
  assert.equal(res.status, 403);
  await res.body?.cancel();
  assert.deepEqual(calls, []);
});

Deno.test("GET /api/sync/callback answers a page, escaped, linking back to the settings", async () => {
  const { service, calls } = fakeSync({
    callback: { ok: true, value: { server: "https://s.test", account: "<b>x</b>" } },
  });
  await using api = await apiFixture({ sync: service });
  const res = await api.call("/api/sync/callback?code=c&state=s1");
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type")!, /^text\/html/);
  assert.match(res.headers.get("content-security-policy")!, /default-src 'none'/);
  const html = await res.text();
  assert.match(html, /Connected to https:\/\/s\.test as &#60;b&#62;x&#60;\/b&#62;/);
  assert.match(html, /href="\/dashboard\/settings#sync"/);
  assert.deepEqual(calls, ["callback s1"]);
});

Deno.test("GET /api/sync/callback answers 400 for a used state and 502 for a server failure", async () => {
  await using used = await apiFixture({
    sync: fakeSync({ callback: { ok: false, kind: "input", message: "already used" } }).service,
  });
  const res = await used.call("/api/sync/callback?code=c&state=s1");
  assert.equal(res.status, 400);
  assert.match(await res.text(), /role="alert" data-testid="sync-callback">already used/);
  await using failed = await apiFixture({
    sync: fakeSync({ callback: { ok: false, kind: "server", message: "token refused" } }).service,
  });
  const bad = await failed.call("/api/sync/callback?code=c&state=s1");
  assert.equal(bad.status, 502);
  await bad.body?.cancel();
});

Deno.test("GET /api/sync/callback with a foreign Host is refused (DNS rebinding)", async () => {
  const { service, calls } = fakeSync();
  await using api = await apiFixture({ sync: service });
  const res = await api.call("/api/sync/callback?code=c&state=s1", {
    headers: { host: `evil.test:${PORT}` },
  });
  assert.equal(res.status, 403);
  await res.body?.cancel();
  assert.deepEqual(calls, []);
});

Deno.test("POST /api/sync/disconnect answers the status after", async () => {
  const { service, calls } = fakeSync();
  await using api = await apiFixture({ sync: service });
  assert.deepEqual(await api.json("/api/sync/disconnect", post({})), {
    status: 200,
    body: DISCONNECTED,
  });
  assert.deepEqual(calls, ["disconnect"]);
});
