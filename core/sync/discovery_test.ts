import assert from "node:assert/strict";
import { DEFAULT_SERVER_TEMPLATE, resolveServer } from "./discovery.ts";

const UUID = "0b8e8c1e-5d1f-4c47-9d2a-6f0e6b3f2a10";

Deno.test("resolveServer() expands a bare UUID with the template", () => {
  assert.equal(
    resolveServer(` ${UUID} `, DEFAULT_SERVER_TEMPLATE).href,
    `https://app.datagrout.ai/servers/${UUID}`,
  );
  assert.equal(
    resolveServer(UUID, "http://127.0.0.1:8080/s/{uuid}/").href,
    `http://127.0.0.1:8080/s/${UUID}`,
  );
});

Deno.test("resolveServer() keeps an https URL, without trailing slash, query or fragment", () => {
  assert.equal(
    resolveServer("https://sync.example.com/team/?a=1#x", DEFAULT_SERVER_TEMPLATE).href,
    "https://sync.example.com/team",
  );
});

Deno.test("resolveServer() refuses plain http off this machine, credentials and non-URLs", () => {
  assert.throws(() => resolveServer("http://sync.example.com", DEFAULT_SERVER_TEMPLATE), TypeError);
  assert.equal(
    resolveServer("http://localhost:1/x", DEFAULT_SERVER_TEMPLATE).href,
    "http://localhost:1/x",
  );
  assert.throws(
    () => resolveServer("https://u:p@sync.example.com", DEFAULT_SERVER_TEMPLATE),
    TypeError,
  );
  assert.throws(() => resolveServer("not a server", DEFAULT_SERVER_TEMPLATE), TypeError);
  assert.throws(() => resolveServer("ftp://sync.example.com", DEFAULT_SERVER_TEMPLATE), TypeError);
});
