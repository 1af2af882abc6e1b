import assert from "node:assert/strict";
import { openConfigFile } from "../config_file.ts";
import { apiFixture } from "./_handler_fixture.ts";

const JSON_HEADERS = { "content-type": "application/json" };

/** The API fixture, answering status and parsed JSON, with helpers for the hosts routes. */
async function setup() {
  const api = await apiFixture();
  const call = (path: string, init?: RequestInit) => api.json(path, init);
  return {
    ...api,
    call,
    add: (host: unknown) =>
      call("/api/hosts", { method: "POST", headers: JSON_HEADERS, body: JSON.stringify({ host }) }),
    customHosts: async () =>
      (await call("/api/hosts")).body.hosts.filter((h: { built_in: boolean }) => !h.built_in),
  };
}

Deno.test("GET /api/hosts lists the built-in hosts", async () => {
  await using api = await setup();
  const { status, body } = await api.call("/api/hosts");
  assert.equal(status, 200);
  assert.deepEqual(body.hosts[0], { host: "api.openai.com", provider: "openai", built_in: true });
  assert.deepEqual(
    body.hosts.map((h: { host: string }) => h.host),
    [
      "api.openai.com",
      "api.anthropic.com",
      "generativelanguage.googleapis.com",
      "*.cursor.sh",
      "claude.ai",
    ],
  );
});

Deno.test("POST /api/hosts adds a custom host: 201, listed, saved, monitored", async () => {
  await using api = await setup();
  const entry = { host: "llm.mycorp.internal", provider: "custom", built_in: false };
  assert.deepEqual(await api.add("LLM.mycorp.internal"), { status: 201, body: { host: entry } });
  assert.deepEqual(await api.customHosts(), [entry]);
  assert.equal(api.hosts.providerOf("llm.mycorp.internal:443"), "custom");
  assert.deepEqual(openConfigFile(api.home).hosts, ["llm.mycorp.internal"]);
  assert.deepEqual(await api.add("llm.mycorp.internal"), { status: 200, body: { host: entry } });
  assert.deepEqual(await api.customHosts(), [entry]);
});

Deno.test("POST /api/hosts answers 400 for invalid hosts and bodies", async () => {
  await using api = await setup();
  const invalid = await api.add("https://llm.example.com/v1");
  assert.equal(invalid.status, 400);
  assert.equal(invalid.body.error.code, "invalid_host");
  assert.match(invalid.body.error.message, /without https:\/\/ or a path$/);
  const builtIn = await api.add("api.anthropic.com");
  assert.deepEqual(builtIn, {
    status: 400,
    body: {
      error: {
        code: "invalid_host",
        message: '"api.anthropic.com" is already monitored (built in)',
      },
    },
  });
  for (const body of ["{not json", "[]", "{}", '{"host": 42}', ""]) {
    const res = await api.call("/api/hosts", { method: "POST", headers: JSON_HEADERS, body });
    assert.equal(res.status, 400, body);
    assert.equal(res.body.error.code, "bad_request", body);
  }
  assert.deepEqual(await api.customHosts(), []);
});

Deno.test("DELETE /api/hosts/:host removes a custom host, URL-decoded", async () => {
  await using api = await setup();
  await api.add("*.mycorp.internal");
  await api.add("::1");
  const removed = await api.call("/api/hosts/%2A.mycorp.internal", { method: "DELETE" });
  assert.deepEqual(removed, { status: 200, body: { removed: "*.mycorp.internal" } });
  assert.equal(api.hosts.providerOf("a.mycorp.internal"), null);
  const ipv6 = await api.call(`/api/hosts/${encodeURIComponent("[::1]")}`, { method: "DELETE" });
  assert.deepEqual(ipv6, { status: 200, body: { removed: "[::1]" } });
  assert.deepEqual(openConfigFile(api.home).hosts, []);
});

Deno.test("DELETE /api/hosts/:host answers 404 for unknown and 400 for built-in hosts", async () => {
  await using api = await setup();
  const unknown = await api.call("/api/hosts/llm.example.com", { method: "DELETE" });
  assert.equal(unknown.status, 404);
  assert.equal(unknown.body.error.code, "not_found");
  const builtIn = await api.call("/api/hosts/api.openai.com", { method: "DELETE" });
  assert.deepEqual(builtIn, {
    status: 400,
    body: { error: { code: "built_in_host", message: "Built-in hosts cannot be removed" } },
  });
  const wildcard = await api.call("/api/hosts/*.cursor.sh", { method: "DELETE" });
  assert.equal(wildcard.status, 400);
  const malformed = await api.call("/api/hosts/%E0%A4%A", { method: "DELETE" });
  assert.equal(malformed.status, 400);
  const wrongMethod = await api.call("/api/hosts/llm.example.com");
  assert.equal(wrongMethod.status, 405);
});

Deno.test("POST and DELETE /api/hosts refuse a foreign origin and change nothing", async () => {
  await using api = await setup();
  await api.add("kept.example.com");
  const foreign: Record<string, string>[] = [
    { origin: "https://evil.example" },
    { "sec-fetch-site": "cross-site" },
  ];
  for (const headers of foreign) {
    const post = await api.call("/api/hosts", {
      method: "POST",
      headers: { ...JSON_HEADERS, ...headers },
      body: JSON.stringify({ host: "evil.example.com" }),
    });
    assert.equal(post.status, 403);
    assert.equal(post.body.error.code, "forbidden_origin");
    const del = await api.call("/api/hosts/kept.example.com", { method: "DELETE", headers });
    assert.equal(del.status, 403);
  }
  const form = await api.call("/api/hosts", {
    method: "POST",
    headers: { "content-type": "text/plain" },
    body: JSON.stringify({ host: "evil.example.com" }),
  });
  assert.equal(form.status, 403);
  assert.deepEqual((await api.customHosts()).map((h: { host: string }) => h.host), [
    "kept.example.com",
  ]);
});

Deno.test("POST and DELETE /api/hosts answer 500 config_write_failed and change nothing", async () => {
  await using api = await setup();
  await api.add("kept.example.com");
  Deno.removeSync(api.home, { recursive: true });
  try {
    const post = await api.add("new.example.com");
    assert.equal(post.status, 500);
    assert.equal(post.body.error.code, "config_write_failed");
    assert.match(post.body.error.message, /^Cannot save .*config\.json: /);
    const del = await api.call("/api/hosts/kept.example.com", { method: "DELETE" });
    assert.equal(del.status, 500);
    assert.equal(del.body.error.code, "config_write_failed");
    assert.deepEqual((await api.customHosts()).map((h: { host: string }) => h.host), [
      "kept.example.com",
    ]);
    assert.equal(api.hosts.providerOf("new.example.com"), null);
  } finally {
    Deno.mkdirSync(api.home);
  }
});
