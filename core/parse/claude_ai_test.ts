import assert from "node:assert/strict";
import type { ParseWarning, PlanWindow } from "../types.ts";
import { loadFixtures, parseBody, runParserContract } from "./_contract.ts";
import { createClaudeAiParser, isClaudeAiCompletionPath } from "./claude_ai.ts";
import { estimateRequestValueTokens, estimateTokens } from "./estimate.ts";
import { parserFor } from "./mod.ts";
import { epochMs, readPlanWindows } from "./plan_windows.ts";

const fixtures = await loadFixtures("claude_ai");
runParserContract("createClaudeAiParser()", createClaudeAiParser, fixtures);

const PATH = "/api/organizations/org-1/chat_conversations/conv-1/completion";
const SSE = "text/event-stream; charset=utf-8";
const event = (type: string, data: Record<string, unknown>) =>
  `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
const start = event("message_start", { message: { model: "claude-opus-4-5", content: [] } });
const delta = (kind: "text" | "thinking", text: string) =>
  event("content_block_delta", { index: 0, delta: { type: `${kind}_delta`, [kind]: text } });
const limit = (windows: Record<string, unknown>, type = "within_limit") =>
  event("message_limit", { message_limit: { type, windows } });
const parse = (body: string | string[], options: Parameters<typeof parseBody>[5] = {}) =>
  parseBody(createClaudeAiParser, "claude_ai", PATH, SSE, body, options);

Deno.test("createClaudeAiParser() estimates a messages-mode stream, thinking counted as reasoning", () => {
  const body = event("conversation_ready", {}) + start + delta("thinking", "Consider the user.") +
    delta("text", "Hello there, friend.") + event("message_delta", { delta: {} }) +
    event("message_stop", {});
  const result = parse(body, { request: { prompt: "Hi", model: "claude-sonnet-4-5" } });
  assert.equal(result.usage?.model, "claude-opus-4-5"); // message_start outranks the request
  assert.equal(result.usage?.estimated, true);
  assert.equal(result.usage?.reasoning_tokens, estimateTokens("Consider the user."));
  assert.equal(
    result.usage?.output_tokens,
    estimateTokens("Consider the user.") + estimateTokens("Hello there, friend."),
  );
  assert.equal(result.plan_windows, undefined);
  assert.equal(result.streamed, true);
});

Deno.test("createClaudeAiParser() reads raw-mode completion events and their model", () => {
  const completion = (text: string) =>
    event("completion", { completion: text, stop_reason: null, model: "claude-2.1" });
  const result = parse([completion("Hello"), completion(" world"), completion("")], {
    request: { prompt: "Hi", model: "claude-3-opus" },
  });
  assert.equal(result.usage?.model, "claude-2.1");
  assert.equal(result.usage?.output_tokens, estimateTokens("Hello world"));
  // The oldest streams had neither `event:` lines nor `type`.
  const untyped = parse('data: {"completion":"Hello world","stop_reason":null}\n\n', {
    request: { model: "claude-3-opus" },
  });
  assert.equal(untyped.usage?.model, "claude-3-opus");
  assert.equal(untyped.usage?.output_tokens, estimateTokens("Hello world"));
});

Deno.test("createClaudeAiParser() estimates input from the prompt and extracted attachments", () => {
  const request = {
    prompt: "Summarize this.",
    model: "claude-sonnet-4-5",
    attachments: [{ file_name: "a.txt", extracted_content: "Quarterly revenue rose 12%." }],
    files: ["file-uuid"],
  };
  const result = parse(start, { request });
  const expected = estimateRequestValueTokens("claude_ai", {
    prompt: "Summarize this.",
    content: ["Quarterly revenue rose 12%."],
  });
  assert.equal(result.usage?.input_tokens, expected);
  assert.ok(expected > estimateRequestValueTokens("claude_ai", { prompt: "Summarize this." }));
});

Deno.test("createClaudeAiParser() keeps the latest plan windows, normalized", () => {
  const body = start +
    limit({ "5h": { status: "within_limit", resets_at: 1764000000, utilization: 0.4 } }) +
    limit({
      "5h": { status: "approaching_limit", resets_at: 1764000000123, utilization: 0.91 },
      "7d": { resets_at: "2026-11-25T08:00:00Z", utilization: 0.13 },
    }, "approaching_limit");
  const windows: Record<string, PlanWindow> = {
    "5h": { utilization: 0.91, resets_at: 1764000000123, status: "approaching_limit" },
    "7d": { utilization: 0.13, resets_at: Date.UTC(2026, 10, 25, 8), status: "approaching_limit" },
  };
  assert.deepEqual(parse(body).plan_windows, windows);
});

Deno.test("createClaudeAiParser() returns plan windows from an aborted stream", () => {
  const body = start + limit({ "5h": { status: "within_limit", utilization: 0.5 } }) +
    delta("text", "Half an ans");
  const result = parse(body, { aborted: true });
  assert.equal(result.reason, "aborted");
  assert.deepEqual(result.plan_windows, {
    "5h": { utilization: 0.5, resets_at: null, status: "within_limit" },
  });
});

Deno.test("createClaudeAiParser() warns on an in-stream error and still estimates", () => {
  const warnings: ParseWarning[] = [];
  const error = event("error", { error: { type: "overloaded_error", message: "Overloaded" } });
  const result = parse(start + delta("text", "Partial answer") + error, { warnings });
  assert.equal(result.reason, "upstream error");
  assert.equal(result.usage?.output_tokens, estimateTokens("Partial answer"));
  assert.deepEqual(warnings, [{ code: "upstream-error", detail: "Overloaded" }]);
});

Deno.test("epochMs() normalizes seconds, milliseconds and ISO text", () => {
  assert.equal(epochMs(1764000000), 1764000000000);
  assert.equal(epochMs(1764000000.5), 1764000000500);
  assert.equal(epochMs(1764000000000), 1764000000000);
  assert.equal(epochMs("1764000000"), 1764000000000);
  assert.equal(epochMs("2026-11-25T08:00:00.000Z"), Date.UTC(2026, 10, 25, 8));
  for (const bad of [null, undefined, "soon", -5, 0, NaN, Infinity, {}]) {
    assert.equal(epochMs(bad), null, String(bad));
  }
});

Deno.test("readPlanWindows() ignores malformed windows and keeps a __proto__ name as data", () => {
  const windows = new Map<string, PlanWindow>();
  readPlanWindows(
    JSON.parse('{"windows":{"5h":7,"__proto__":{"utilization":"high","status":3}}}'),
    windows,
  );
  assert.deepEqual([...windows], [["__proto__", {
    utilization: null,
    resets_at: null,
    status: null,
  }]]);
  readPlanWindows({ windows: null }, windows);
  readPlanWindows("nope", windows);
  assert.equal(windows.size, 1);
});

Deno.test("isClaudeAiCompletionPath() accepts only completion and retry_completion", () => {
  const org = "/api/organizations/1b0c6f9e/chat_conversations/8d2e4b7a";
  assert.equal(isClaudeAiCompletionPath(`${org}/completion`), true);
  assert.equal(isClaudeAiCompletionPath(`${org}/retry_completion`), true);
  const other = [
    `${org}`,
    `${org}/title`,
    `${org}/completion/status`,
    "/api/organizations/1b0c6f9e/chat_conversations",
    "/api/organizations/1b0c6f9e/usage",
    "/api/auth/session",
    "/v1/messages",
  ];
  for (const path of other) {
    assert.equal(isClaudeAiCompletionPath(path), false, path);
    const request = { provider: "claude_ai" as const, path, query: "", body: new Uint8Array() };
    assert.equal(parserFor(request, { status: 200, contentType: SSE }), null, path);
  }
});

Deno.test("createClaudeAiParser() reports no usage for an error status", () => {
  const result = parse('{"type":"error","error":{"type":"rate_limit_error"}}', { status: 429 });
  assert.deepEqual(result, { usage: null, streamed: true, reason: "error status" });
});
