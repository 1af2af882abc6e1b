import assert from "node:assert/strict";
import { detectClient } from "./client.ts";

/** [headers, expected client]: real header values as each client sends them. */
const CASES: [Record<string, string>, string][] = [
  // Claude Code (built on Anthropic/JS, whose x-stainless headers it keeps).
  [{ "user-agent": "claude-cli/2.1.187 (external, cli)", "x-stainless-lang": "js" }, "claude-code"],
  [{ "user-agent": "Anthropic/JS 0.60.0", "x-app": "cli" }, "claude-code"],
  // Codex CLI.
  [{ "user-agent": "codex_cli_rs/0.38.0 (Ubuntu 24.04.2 LTS; x86_64) WindowsTerminal" }, "codex"],
  [{ "user-agent": "reqwest/0.12", originator: "codex_cli_rs" }, "codex"],
  [{ originator: "codex_vscode" }, "codex"],
  // Gemini CLI (built on @google/genai).
  [{
    "user-agent": "GeminiCLI/0.1.5 (linux; x64)",
    "x-goog-api-client": "google-genai-sdk/1.4.0 gl-node/v22.14.0",
  }, "gemini-cli"],
  [{ "user-agent": "gemini-cli/0.24.0" }, "gemini-cli"],
  // OpenCode (built on the AI SDK).
  [{ "user-agent": "opencode/0.9.1 ai-sdk/provider-utils/3.0.0" }, "opencode"],
  // Cursor.
  [{ "user-agent": "Cursor/1.4.2 Electron" }, "cursor"],
  [{ "user-agent": "connect-es/1.6.1", "x-cursor-client-version": "1.4.2" }, "cursor"],
  // Claude Desktop, curl.
  [{ "user-agent": "Claude/0.12.28 Electron/35" }, "claude-desktop"],
  [{ "user-agent": "curl/7.88.1" }, "curl"],
  // SDKs by vendor and language.
  [{ "user-agent": "OpenAI/JS 4.57.0", "x-stainless-lang": "js" }, "openai-js"],
  [{ "user-agent": "OpenAI/Python 1.40.0", "x-stainless-lang": "python" }, "openai-python"],
  [{ "user-agent": "Anthropic/JS 0.30.0" }, "anthropic-js"],
  [{ "user-agent": "Anthropic/Python 0.34.0" }, "anthropic-python"],
  [{ "user-agent": "OpenAI/Go 1.0.0" }, "openai-go"],
  [{ "x-goog-api-client": "google-genai-sdk/1.2.0 gl-node/v20.19.0" }, "google-genai-js"],
  [{ "x-goog-api-client": "google-genai-sdk/1.2.0 gl-python/3.12.1" }, "google-genai-python"],
  [{ "x-goog-api-client": "google-genai-sdk/1.2.0" }, "google-genai-sdk"],
  // Other SDKs and unknowns.
  [{ "user-agent": "ai-sdk/openai/2.0.0" }, "sdk"],
  [{ "x-goog-api-client": "genai-js/0.21.0 gl-node/20" }, "sdk"],
  [{ "user-agent": "my-app/1.0", "x-stainless-lang": "ruby" }, "sdk"],
  [{ "user-agent": "python-requests/2.32" }, "other"],
  [{ "x-app": "web" }, "other"],
  [{}, "other"],
];

Deno.test("detectClient() names each known app, SDK and tool from its headers", () => {
  for (const [headers, expected] of CASES) {
    assert.equal(detectClient(headers), expected, JSON.stringify(headers));
  }
});
