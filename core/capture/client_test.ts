import assert from "node:assert/strict";
import { detectClient } from "./client.ts";

Deno.test("detectClient() recognises known clients and SDKs", () => {
  assert.equal(detectClient({ "user-agent": "claude-cli/2.1.187 (external, cli)" }), "claude-code");
  assert.equal(detectClient({ "user-agent": "opencode/0.9.1 ai-sdk/5" }), "opencode");
  assert.equal(detectClient({ "user-agent": "curl/7.88.1" }), "curl");
  assert.equal(detectClient({ "user-agent": "OpenAI/JS 7.57.0" }), "sdk");
  assert.equal(detectClient({ "user-agent": "Anthropic/JS 1.14.0" }), "sdk");
  assert.equal(detectClient({ "x-goog-api-client": "google-genai-sdk/3.3.0 gl-node/20" }), "sdk");
  assert.equal(detectClient({ "user-agent": "python-requests/2.32" }), "other");
  assert.equal(detectClient({}), "other");
});
