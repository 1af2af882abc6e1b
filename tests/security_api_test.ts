// The :9091 API against what a web page can make a browser send: DNS rebinding (a foreign Host on
// every route), CSRF (foreign Origin, `Origin: null`, cross-site fetches and non-JSON bodies on
// every state-changing route, with the state compared before and after), CORS (never a header,
// preflight included) and GETs that must not change anything. Routes are read from core/api's
// sources, so a route added later is covered without editing this file.
import assert from "node:assert/strict";
import { apiFixture, fakeSync, PORT } from "../core/api/_handler_fixture.ts";
import { startDaemon } from "./_daemon.ts";
import { sendRaw } from "./_raw_client.ts";

const API_DIR = new URL("../core/api/", import.meta.url);
const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];
/** Paths no route declares (yet): the guard runs first, so they are refused the same way. */
const UNDECLARED_PATHS = [
  "/",
  "/dashboard",
  "/dashboard/",
  "/dashboard/index.html",
  "/dashboard/_app/immutable/start.js",
  "/metrics",
  "/api/nope",
  "/api/ca.pem",
  "/api/sync/callback?code=x&state=y",
  "/api/launchers/claude-code/launch",
];
/** What `/:param` routes are called with; seeded as a custom host so DELETE would remove it. */
const PARAM = "custom.example";
/**
 * Each known state-changing route and a body it accepts (null: none), so a refusal is the guard's
 * doing and an accepted call shows in the snapshot. A route added later is still tested, bodiless.
 */
const KNOWN_CHANGES: Record<string, unknown> = {
  "POST /api/laps": { name: "forged" },
  "POST /api/hosts": { host: "forged.example" },
  "PUT /api/settings": { include_stream_usage: false },
  "POST /api/pricing/refresh": null,
  [`DELETE /api/hosts/${PARAM}`]: null,
  "POST /api/debug/arm": { minutes: 5 },
  "POST /api/debug/disarm": null,
};
const GOOD_HOST = `127.0.0.1:${PORT}`;
const OWN_ORIGIN = `http://127.0.0.1:${PORT}`;

type Fixture = Awaited<ReturnType<typeof apiFixture>>;

/** A declared route: the path it is called with and its method. */
interface DeclaredRoute {
  path: string;
  method: string;
}

/**
 * Every `"/path": { METHOD: … }` entry of core/api's route tables; `/:param` routes (keys ending
 * in `/`) get PARAM appended.
 */
async function declaredRoutes(): Promise<DeclaredRoute[]> {
  const found: DeclaredRoute[] = [];
  for await (const entry of Deno.readDir(API_DIR)) {
    if (!entry.name.endsWith(".ts") || entry.name.endsWith("_test.ts")) continue;
    const source = await Deno.readTextFile(new URL(entry.name, API_DIR));
    const keys = [...source.matchAll(/"(\/[^"\s]*)":\s*\{/g)];
    keys.forEach((key, i) => {
      const tableEnd = source.indexOf("\n  };", key.index);
      const end = Math.min(
        keys[i + 1]?.index ?? source.length,
        tableEnd === -1 ? Infinity : tableEnd,
      );
      const block = source.slice(key.index, end);
      // `…/` keys are `…/:param` routes; "/" itself is the redirect to the dashboard.
      const path = key[1].endsWith("/") && key[1] !== "/" ? `${key[1]}${PARAM}` : key[1];
      for (const [, method] of block.matchAll(/\b(GET|HEAD|POST|PUT|PATCH|DELETE):/g)) {
        found.push({ path, method });
      }
    });
  }
  // The reader must not silently find nothing: these are in the API contract.
  for (const known of ["GET /api/health", "POST /api/laps", "PUT /api/settings"]) {
    assert.ok(found.some((r) => `${r.method} ${r.path}` === known), `route table lost ${known}`);
  }
  assert.ok(found.some((r) => r.method === "DELETE" && r.path === `/api/hosts/${PARAM}`));
  return found;
}

/** Calls the handler with exactly `headers` (no Host added); `body` is sent as bytes. */
async function send(
  api: Fixture,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{ status: number; code: string | null; headers: Headers }> {
  const bytes = body === undefined ? undefined : new TextEncoder().encode(body);
  const res = await api.handler(
    new Request(`http://127.0.0.1:${PORT}${path}`, { method, headers, body: bytes }),
  );
  assertNoCors(res.headers, `${method} ${path}`);
  const type = res.headers.get("content-type") ?? "";
  const read = type.includes("json") && res.status >= 400;
  const code = read ? (await res.json()).error?.code : null;
  if (!read) await res.body?.cancel();
  return { status: res.status, code, headers: res.headers };
}

function assertNoCors(headers: Headers, what: string): void {
  for (const [name] of headers) {
    assert.ok(!name.startsWith("access-control-"), `${what} answered ${name}`);
  }
}

/**
 * Everything the API would show: the answer of every declared GET route but the SSE stream. The
 * fixture's clock stands still, so two snapshots differ only when state changed.
 */
async function snapshot(api: Fixture, routes: DeclaredRoute[]): Promise<Record<string, unknown>> {
  const state: Record<string, unknown> = {};
  for (const { path, method } of routes) {
    if (method !== "GET" || path === "/api/events/stream") continue;
    const res = await api.call(path);
    state[path] = { status: res.status, body: await res.text() };
  }
  return state;
}

/** A fixture with some state: an event, a custom host (PARAM) and, if it exists, an armed capture. */
async function seededFixture(routes: DeclaredRoute[]): Promise<Fixture> {
  // A stand-in sync service, so its routes answer as in the daemon. (The OAuth callback is a GET by
  // necessity; its single-use `state` is what refuses a forged one: core/api/sync_test.ts and
  // tests/sync_oauth_test.ts test that.)
  const api = await apiFixture({ sync: fakeSync().service });
  const add = await api.call("/api/hosts", jsonInit("POST", { host: PARAM }));
  assert.equal(add.status, 201);
  await add.body?.cancel();
  if (routes.some((r) => r.path === "/api/debug/arm")) {
    const arm = await api.call("/api/debug/arm", jsonInit("POST", { minutes: 1 }));
    assert.equal(arm.status, 200);
    await arm.body?.cancel();
  }
  return api;
}

function jsonInit(method: string, body?: unknown): RequestInit {
  return {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  };
}

Deno.test("every API route answers 403 to a Host that is not a loopback name with the API port", async () => {
  const routes = await declaredRoutes();
  await using api = await seededFixture(routes);
  const before = await snapshot(api, routes);
  const paths = [...new Set(routes.map((r) => r.path)), ...UNDECLARED_PATHS];
  const foreign = [
    "evil.com",
    "evil.com:9091",
    `127.0.0.1:${PORT + 1}`,
    `localhost.evil.com:${PORT}`,
    `localhost:${PORT}.evil.com`,
    `0.0.0.0:${PORT}`,
    "127.0.0.1",
  ];
  let checked = 0;
  for (const path of paths) {
    for (const method of METHODS) {
      const body = ["GET", "HEAD"].includes(method) ? undefined : "{}";
      const json = { "content-type": "application/json" };
      for (const host of foreign) {
        const res = await send(api, method, path, { ...json, host }, body);
        assert.equal(res.status, 403, `${method} ${path} Host: ${host}`);
        assert.equal(res.code, "forbidden_host");
        checked++;
      }
      const missing = await send(api, method, path, json, body);
      assert.equal(missing.status, 403, `${method} ${path} without Host`);
    }
  }
  assert.ok(checked > 100);
  assert.deepEqual(await snapshot(api, routes), before, "no refused request changed state");

  // [::1] and an upper-case localhost are this machine too: every GET route answers them.
  for (const host of [`[::1]:${PORT}`, `LOCALHOST:${PORT}`, `Localhost:${PORT}`, GOOD_HOST]) {
    for (const { path } of routes.filter((r) => r.method === "GET")) {
      const res = await send(api, "GET", path, { host });
      assert.notEqual(res.status, 403, `GET ${path} Host: ${host}`);
    }
  }
});

Deno.test("every state-changing route refuses forged requests and changes nothing", async (t) => {
  const routes = await declaredRoutes();
  const changing = routes.filter((r) => r.method !== "GET" && r.method !== "HEAD");
  assert.ok(changing.length >= 5, `found ${changing.map((r) => `${r.method} ${r.path}`)}`);
  for (const { path, method } of changing) {
    await t.step(`${method} ${path}`, async () => {
      await using api = await seededFixture(routes);
      const known = Object.hasOwn(KNOWN_CHANGES, `${method} ${path}`);
      const valid = KNOWN_CHANGES[`${method} ${path}`];
      const body = valid === undefined || valid === null ? undefined : JSON.stringify(valid);
      const json = { host: GOOD_HOST, "content-type": "application/json" };
      const forged: [string, Record<string, string>, string | undefined][] = [
        ["a foreign Origin", { ...json, origin: "https://evil.example" }, body],
        ["Origin: null", { ...json, origin: "null" }, body],
        ["another localhost port", { ...json, origin: `http://localhost:${PORT + 1}` }, body],
        ["Sec-Fetch-Site: cross-site", { ...json, "sec-fetch-site": "cross-site" }, body],
        ["a text/plain body", { host: GOOD_HOST, "content-type": "text/plain" }, body ?? "{}"],
        ["a form body", {
          host: GOOD_HOST,
          "content-type": "application/x-www-form-urlencoded",
        }, "a=1"],
        ["a multipart body", {
          host: GOOD_HOST,
          "content-type": "multipart/form-data; boundary=x",
        }, "--x--"],
        ["a body of no type", {
          host: GOOD_HOST,
          "content-length": String((body ?? "{}").length),
        }, body ?? "{}"],
      ];
      const before = await snapshot(api, routes);
      for (const [why, headers, forgedBody] of forged) {
        const res = await send(api, method, path, headers, forgedBody);
        assert.equal(res.status, 403, why);
        assert.match(res.code ?? "", /^forbidden_/, why);
        assert.deepEqual(await snapshot(api, routes), before, `${why} changed state`);
      }
      // The same request from the dashboard's own origin is accepted: the refusals were the guard's.
      const own = await send(api, method, path, { ...json, origin: OWN_ORIGIN }, body);
      assert.notEqual(own.status, 403, `own origin got ${own.status} ${own.code}`);
      if (!known) return;
      assert.ok(own.status < 400, `own origin got ${own.status} ${own.code}`);
      // …and it shows in the snapshot, so a forged request that got through would have too.
      assert.notDeepEqual(await snapshot(api, routes), before, "the snapshot missed a change");
    });
  }
});

Deno.test("no API answer carries a CORS header, and a preflight never succeeds", async () => {
  const routes = await declaredRoutes();
  await using api = await seededFixture(routes);
  const paths = [...new Set(routes.map((r) => r.path)), ...UNDECLARED_PATHS];
  const origins = ["https://evil.example", "null", OWN_ORIGIN, `http://localhost:${PORT}`];
  for (const path of paths) {
    for (const origin of origins) {
      // send() asserts that no access-control-* header came back.
      const preflight = await send(api, "OPTIONS", path, {
        host: GOOD_HOST,
        origin,
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type",
      });
      assert.ok(preflight.status >= 400, `OPTIONS ${path} from ${origin}: ${preflight.status}`);
      if (path !== "/api/events/stream") await send(api, "GET", path, { host: GOOD_HOST, origin });
    }
  }
});

Deno.test("GET and HEAD never change state: every GET route twice, the state compared", async () => {
  const routes = await declaredRoutes();
  await using api = await seededFixture(routes);
  const gets = routes.filter((r) => r.method === "GET");
  const before = await snapshot(api, routes);
  for (let round = 0; round < 2; round++) {
    for (const { path } of gets) {
      for (const method of ["GET", "HEAD"]) {
        const res = await send(api, method, path, { host: GOOD_HOST });
        assert.ok(res.status < 400, `${method} ${path}: ${res.status}`);
      }
      assert.deepEqual(await snapshot(api, routes), before, `GET ${path} changed state`);
    }
  }
});

Deno.test("the daemon's API over loopback: foreign Host refused, loopback names served", async () => {
  const daemon = await startDaemon();
  try {
    const port = daemon.apiPort;
    const refused = [
      "evil.com",
      `evil.com:${port}`,
      `127.0.0.1:${port + 1}`,
      `localhost.evil.com:${port}`,
    ];
    for (const path of ["/api/health", "/api/nope", "/dashboard/", "/"]) {
      for (const host of refused) {
        const res = await rawHttp(port, `GET ${path} HTTP/1.1\r\nhost: ${host}\r\n`);
        assert.equal(res.status, 403, `${path} Host: ${host}`);
        assert.doesNotMatch(res.body, /api_port/);
      }
      for (const version of ["1.1", "1.0"]) {
        const res = await rawHttp(port, `GET ${path} HTTP/${version}\r\n`);
        assert.equal(res.status, 403, `${path} without Host over HTTP/${version}`);
      }
    }
    for (const host of [`[::1]:${port}`, `LOCALHOST:${port}`, `localhost:${port}`]) {
      const res = await rawHttp(port, `GET /api/health HTTP/1.1\r\nhost: ${host}\r\n`);
      assert.equal(res.status, 200, host);
      assert.equal(JSON.parse(res.body).api_port, port);
    }

    const laps = async () => (await daemon.api("/api/laps")).laps.length;
    const lapsBefore = await laps();
    const forged = [
      "origin: https://evil.example\r\ncontent-type: application/json\r\n",
      "origin: null\r\ncontent-type: application/json\r\n",
      "sec-fetch-site: cross-site\r\ncontent-type: application/json\r\n",
      "content-type: text/plain\r\n",
      "",
    ];
    for (const headers of forged) {
      const res = await rawHttp(
        port,
        `POST /api/laps HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\n${headers}content-length: 2\r\n`,
        "{}",
      );
      assert.equal(res.status, 403, headers);
      assert.doesNotMatch(res.head, /access-control-/i);
    }
    const preflight = await rawHttp(
      port,
      `OPTIONS /api/laps HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\norigin: https://evil.example\r\n` +
        "access-control-request-method: POST\r\naccess-control-request-headers: content-type\r\n",
    );
    assert.equal(preflight.status, 403);
    assert.doesNotMatch(preflight.head, /access-control-/i);
    assert.equal(await laps(), lapsBefore, "no forged request closed a lap");
  } finally {
    await daemon.stop();
  }
});

/** Sends `head` (request line and headers, without the blank line) and `body`; reads to close. */
async function rawHttp(
  port: number,
  head: string,
  body = "",
): Promise<{ status: number; head: string; body: string }> {
  const text = await sendRaw(port, `${head}connection: close\r\n\r\n${body}`, 5_000);
  const at = text.indexOf("\r\n\r\n");
  return {
    status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1] ?? 0),
    head: text.slice(0, at),
    body: text.slice(at + 4),
  };
}
