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
