import assert from "node:assert/strict";
import { openConfigFile } from "../config_file.ts";
import { apiFixture, PORT } from "./_handler_fixture.ts";
import { DEFAULTS } from "../_settings_fixture.ts";

/** The API fixture, answering status and parsed JSON, with a helper for PUT /api/settings. */
async function setup() {
  const api = await apiFixture();
  const call = (path: string, init?: RequestInit) => api.json(path, init);
  return {
    ...api,
    call,
    put: (body: string, headers: HeadersInit = {}) =>
      call("/api/settings", {
        method: "PUT",
        headers: { "content-type": "application/json", ...headers },
        body,
      }),
  };
}

Deno.test("GET /api/settings answers every setting", async () => {
  await using api = await setup();
  assert.deepEqual(await api.call("/api/settings"), {
    status: 200,
    body: {
      settings: DEFAULTS,
    },
  });
});

Deno.test("PUT /api/settings saves a partial change and answers every setting", async () => {
  await using api = await setup();
  const changed = await api.put('{"include_stream_usage": false}');
  assert.deepEqual(changed, {
    status: 200,
    body: {
      settings: { ...DEFAULTS, include_stream_usage: false },
    },
  });
  assert.deepEqual((await api.call("/api/settings")).body.settings, {
    ...DEFAULTS,
    include_stream_usage: false,
  });
  assert.deepEqual(openConfigFile(api.home).settings, { ...DEFAULTS, include_stream_usage: false });
  assert.deepEqual((await api.put("{}")).body.settings, {
    ...DEFAULTS,
    include_stream_usage: false,
  });
});

Deno.test("PUT /api/settings answers 400 naming an unknown key or a wrong type", async () => {
  await using api = await setup();
  assert.deepEqual(await api.put('{"include_stream_usage": false, "colour": "blue"}'), {
    status: 400,
    body: { error: { code: "invalid_setting", message: 'Unknown setting "colour"' } },
  });
  assert.deepEqual(await api.put('{"include_stream_usage": "no"}'), {
    status: 400,
    body: {
      error: {
        code: "invalid_setting",
        message: 'Setting "include_stream_usage" must be true or false',
      },
    },
  });
  for (const body of ["", "{oops", "[false]", "false"]) {
    const res = await api.put(body);
    assert.equal(res.status, 400, body);
    assert.equal(res.body.error.code, "bad_request", body);
  }
  assert.deepEqual((await api.call("/api/settings")).body.settings, DEFAULTS);
  const names = [...Deno.readDirSync(api.home)].map((entry) => entry.name);
  assert.ok(!names.includes("config.json"), "nothing was written");
});

Deno.test("PUT /api/settings refuses a foreign origin and changes nothing", async () => {
  await using api = await setup();
  const foreign: Record<string, string>[] = [
    { origin: "https://evil.example" },
    { "sec-fetch-site": "cross-site" },
  ];
  for (const headers of foreign) {
    const res = await api.put('{"include_stream_usage": false}', headers);
    assert.equal(res.status, 403);
    assert.equal(res.body.error.code, "forbidden_origin");
  }
  const local = await api.put('{"include_stream_usage": false}', {
    origin: `http://127.0.0.1:${PORT}`,
  });
  assert.equal(local.status, 200, "the dashboard's own origin may change settings");
});

Deno.test("PUT /api/settings answers 500 config_write_failed and changes nothing", async () => {
  await using api = await setup();
  Deno.removeSync(api.home, { recursive: true });
  try {
    const res = await api.put('{"include_stream_usage": false}');
    assert.equal(res.status, 500);
    assert.equal(res.body.error.code, "config_write_failed");
    assert.deepEqual((await api.call("/api/settings")).body.settings, DEFAULTS);
  } finally {
    Deno.mkdirSync(api.home);
  }
});
