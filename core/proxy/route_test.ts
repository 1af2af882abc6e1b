import assert from "node:assert/strict";
import { resolveRelayRoute } from "./route.ts";

Deno.test("resolveRelayRoute() maps each prefix to its provider host", () => {
  assert.deepEqual(resolveRelayRoute("/openai/v1/chat/completions"), {
    host: "api.openai.com",
    pathWithQuery: "/v1/chat/completions",
  });
  assert.deepEqual(resolveRelayRoute("/anthropic/v1/messages?beta=true"), {
    host: "api.anthropic.com",
    pathWithQuery: "/v1/messages?beta=true",
  });
  assert.deepEqual(resolveRelayRoute("/google/v1beta/models/gemini-2.5-flash:generateContent"), {
    host: "generativelanguage.googleapis.com",
    pathWithQuery: "/v1beta/models/gemini-2.5-flash:generateContent",
  });
});

Deno.test("resolveRelayRoute() keeps a query that follows the prefix directly", () => {
  assert.deepEqual(resolveRelayRoute("/openai?x=1"), {
    host: "api.openai.com",
    pathWithQuery: "/?x=1",
  });
});

Deno.test("resolveRelayRoute() returns null for unknown or inherited prefixes", () => {
  assert.equal(resolveRelayRoute("/azure/v1/chat"), null);
  assert.equal(resolveRelayRoute("/constructor/x"), null);
  assert.equal(resolveRelayRoute("/openaix/v1"), null);
  assert.equal(resolveRelayRoute("http://api.openai.com/v1"), null);
  assert.equal(resolveRelayRoute("/"), null);
});

Deno.test("resolveRelayRoute() keeps the prefix's host whatever follows it", () => {
  const cases: [string, string][] = [
    ["/openai/v1/@evil.com", "/v1/@evil.com"],
    ["/openai/http://evil.com/", "/http://evil.com/"],
    ["/openai/v1/files/a%2Fb", "/v1/files/a%2Fb"],
    ["/openai/v1//chat/completions", "/v1//chat/completions"],
    ["/openai/v1/models/a...b", "/v1/models/a...b"],
    ["/openai/v1/chat?next=../x&u=http://evil.com", "/v1/chat?next=../x&u=http://evil.com"],
  ];
  for (const [target, pathWithQuery] of cases) {
    assert.deepEqual(resolveRelayRoute(target), { host: "api.openai.com", pathWithQuery }, target);
  }
});

Deno.test("resolveRelayRoute() refuses paths another server could read differently", () => {
  const refused = [
    "/openai/../anthropic/v1/messages",
    "/openai/./v1/chat/completions",
    "/openai/v1/..",
    "/openai/%2e%2e/x",
    "/openai/%2E%2e/x",
    "/openai/.%2E/x",
    "/openai/v1/..%2Fanthropic",
    "/openai/v1/..%2fx",
    "/openai/v1%2F..%2Fx",
    "/openai/v1/..%5Cx",
    "/openai/..\\x",
    "/openai/v1\\chat",
    "/openai//evil.com/v1",
    "/openai/%2e",
    // Not a known prefix at all:
    "/openai@evil.com/v1",
    "/openai\\..\\x",
    "//evil.com/openai/v1",
    "/openai%2F..%2Fanthropic/v1",
    "/%6fpenai/v1",
  ];
  for (const target of refused) assert.equal(resolveRelayRoute(target), null, target);
});

Deno.test("resolveRelayRoute() reads a /p/<project>/ prefix before the provider's", () => {
  assert.deepEqual(resolveRelayRoute("/p/website/anthropic/v1/messages?beta=true"), {
    host: "api.anthropic.com",
    pathWithQuery: "/v1/messages?beta=true",
    project: "website",
  });
  assert.deepEqual(resolveRelayRoute("/p/My_App-2.0/openai/v1/chat/completions"), {
    host: "api.openai.com",
    pathWithQuery: "/v1/chat/completions",
    project: "My_App-2.0",
  });
});

Deno.test("resolveRelayRoute() refuses bad project prefixes and keeps refusing ambiguous paths", () => {
  for (
    const target of [
      "/p/",
      "/p/website",
      "/p//openai/v1/chat/completions",
      "/p/../openai/v1/chat/completions",
      "/p/./openai/v1/chat/completions",
      "/p/a%2Fb/openai/v1/chat/completions",
      "/p/a%2e%2e/openai/v1",
      "/p/has space/openai/v1",
      `/p/${"x".repeat(65)}/openai/v1`,
      "/p/web/p/api/openai/v1",
      "/p/web/azure/v1",
      "/p/web/openai/../anthropic/v1/messages",
      "/p/web/openai/%2e%2e/x",
      "/p/web/openai//evil.com/x",
      "/p/web/openai/v1\\x",
      "/p/web\\/openai/v1",
      "/p/web?x=/openai/v1",
    ]
  ) {
    assert.equal(resolveRelayRoute(target), null, target);
  }
});
