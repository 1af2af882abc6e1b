import assert from "node:assert/strict";
import { apiFixture, PORT } from "./_handler_fixture.ts";
import { sampleRecord } from "../capture/_debug_fixture.ts";

const NOW = 1_800_000_000_000;
const MINUTE = 60_000;

/** The API fixture, answering status and parsed JSON, with helpers for the debug routes. */
async function setup() {
  const api = await apiFixture({ now: () => NOW });
  const call = (path: string, init?: RequestInit) => api.json(path, init);
  return {
    ...api,
    call,
    arm: (body?: string, headers: HeadersInit = {}) =>
      call("/api/debug/arm", {
        method: "POST",
        headers: body === undefined ? headers : { "content-type": "application/json", ...headers },
        body,
      }),
  };
}

Deno.test("GET /api/debug/captures answers disarmed and empty by default", async () => {
  await using api = await setup();
  assert.deepEqual(await api.call("/api/debug/captures"), {
    status: 200,
    body: { armed: false, expires_at: null, captures: [] },
  });
});

Deno.test("POST /api/debug/arm arms for 15 minutes, or the minutes asked for", async () => {
  await using api = await setup();
  assert.deepEqual(await api.arm(), {
    status: 200,
    body: { armed: true, expires_at: NOW + 15 * MINUTE },
  });
  assert.deepEqual(await api.arm("{}"), {
    status: 200,
    body: { armed: true, expires_at: NOW + 15 * MINUTE },
  });
  assert.deepEqual(await api.arm('{"minutes": 5}'), {
    status: 200,
    body: { armed: true, expires_at: NOW + 5 * MINUTE },
  });
  assert.deepEqual((await api.call("/api/debug/captures")).body, {
    armed: true,
    expires_at: NOW + 5 * MINUTE,
    captures: [],
  });
});

Deno.test("POST /api/debug/arm answers 400 for a duration it cannot arm for", async () => {
  await using api = await setup();
  for (const body of ['{"minutes": 0}', '{"minutes": 16}', '{"minutes": "5"}', "[]", "nope"]) {
    const answer = await api.arm(body);
    assert.equal(answer.status, 400, body);
    assert.equal(answer.body.error.code, "bad_request", body);
  }
  assert.deepEqual((await api.arm('{"minutes": 5, "forever": true}')).body, {
    error: { code: "bad_request", message: 'Unknown field "forever"' },
  });
  assert.equal((await api.call("/api/debug/captures")).body.armed, false);
});

Deno.test("POST /api/debug/disarm disarms and clears the captures", async () => {
  await using api = await setup();
  await api.arm();
  const ticket = api.debug.begin()!;
  api.debug.add(ticket, sampleRecord("one"));
  const listed = (await api.call("/api/debug/captures")).body;
  assert.deepEqual(listed.captures.map((c: { id: string }) => c.id), ["one"]);
  assert.deepEqual(await api.call("/api/debug/disarm", { method: "POST" }), {
    status: 200,
    body: { armed: false, expires_at: null },
  });
  assert.deepEqual((await api.call("/api/debug/captures")).body, {
    armed: false,
    expires_at: null,
    captures: [],
  });
});

Deno.test("the debug routes refuse cross-origin callers, forms and wrong methods", async () => {
  await using api = await setup();
  const refusals: [string, RequestInit, number][] = [
    ["/api/debug/arm", { method: "POST", headers: { origin: "https://evil.example" } }, 403],
    ["/api/debug/arm", { method: "POST", headers: { "sec-fetch-site": "cross-site" } }, 403],
    ["/api/debug/arm", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "minutes=15",
    }, 403],
    ["/api/debug/disarm", { method: "POST", headers: { origin: "https://evil.example" } }, 403],
    ["/api/debug/captures", { headers: { host: "evil.example:9091" } }, 403],
    ["/api/debug/arm", {}, 405],
    ["/api/debug/captures", { method: "POST" }, 405],
  ];
  for (const [path, init, status] of refusals) {
    assert.equal((await api.call(path, init)).status, status, `${init.method ?? "GET"} ${path}`);
  }
  assert.equal((await api.call("/api/debug/captures")).body.armed, false);
  const own = await api.arm("{}", { origin: `http://127.0.0.1:${PORT}` });
  assert.equal(own.body.armed, true, "the dashboard's own origin may arm");
});
