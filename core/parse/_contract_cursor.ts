// Test support (not imported by the daemon): Cursor agent messages built from the reverse-
// engineered schema (provider-formats.md §6), and the fixtures in tests/fixtures/cursor/, which
// are constructed here rather than captured. Regenerate them with
// `deno run -A core/parse/_contract_cursor.ts`; cursor_test.ts checks they still match.

import type { Usage } from "../types.ts";
import { emptyUsage } from "./_shared.ts";
import { connectFrame, connectStream, join, protoBytes, protoVarint } from "./_contract_connect.ts";

/** AgentServerMessage{interaction_update(1): InteractionUpdate{<field>: <update>}}. */
export function interactionUpdate(field: number, update: Uint8Array): Uint8Array {
  return protoBytes(1, protoBytes(field, update));
}

/** An InteractionUpdate text delta (field 1, TextDeltaUpdate{text=1}; assumed, never read). */
export function textDelta(text: string): Uint8Array {
  return interactionUpdate(1, protoBytes(1, text));
}

/** An InteractionUpdate token_delta (field 8, TokenDeltaUpdate{tokens=1}): UI-only, not usage. */
export function tokenDelta(tokens: number): Uint8Array {
  return interactionUpdate(8, protoVarint(1, tokens));
}

/** An InteractionUpdate turn_ended (field 14) with TurnEndedUpdate's five counts, zeros omitted. */
export function turnEnded(counts: number[]): Uint8Array {
  return interactionUpdate(
    14,
    join(counts.flatMap((n, i) => n > 0 ? [protoVarint(i + 1, n)] : [])),
  );
}

const TEXT = ["I'll", " run the failing test", " first, then fix the parser."];
const PROTO = "application/connect+proto";
const RUN = "/agent.v1.AgentService/Run";
const ERROR_END = JSON.stringify({
  error: { code: "resource_exhausted", message: "You've hit your usage limit" },
  metadata: { "x-request-id": ["6f1c2d3e-0000-4000-8000-000000000001"] },
});

/** Builds every tests/fixtures/cursor case (body, request and case.json), by file name. */
export function buildCursorFixtures(): Record<string, Uint8Array> {
  const files: Record<string, Uint8Array> = {};
  function add(name: string, path: string, type: string, bytes: Uint8Array[], usage: Usage) {
    const [body, request] = bytes;
    files[`${name}.bin`] = body;
    files[`${name}.request.bin`] = request;
    const text = TEXT.slice(0, name === "agent_run_error" ? 2 : 3).join("");
    const spec = { path, query: "", content_type: type, request_file: `${name}.request.bin` };
    const json = JSON.stringify({ ...spec, streamed: true, usage, text }, null, 2);
    files[`${name}.case.json`] = new TextEncoder().encode(json + "\n");
  }
  const prompt = protoBytes(2, protoBytes(1, protoBytes(1, "Fix the failing test in parser.ts")));
  const runRequest = connectFrame(protoBytes(1, join([prompt, protoBytes(3, "claude-4.5")])));
  const agent = [
    textDelta(TEXT[0]),
    tokenDelta(3),
    protoBytes(2, protoBytes(1, "run_terminal_cmd")), // another kind of server message
    textDelta(TEXT[1]),
    tokenDelta(5),
    textDelta(TEXT[2]),
    tokenDelta(7),
    turnEnded([18342, 412, 15872, 1290, 128]),
  ];
  const exact = {
    ...emptyUsage(null, false),
    input_tokens: 18342,
    output_tokens: 412,
    cache_read_tokens: 15872,
    cache_write_tokens: 1290,
    reasoning_tokens: 128,
  };
  add("agent_run", RUN, PROTO, [connectStream(agent), runRequest], exact);
  add(
    "agent_run_gzip",
    RUN,
    PROTO,
    [connectStream(agent, "{}", { gzip: true }), runRequest],
    exact,
  );
  const cut = agent.slice(0, 4);
  const failed = estimate(runRequest.length - 5, cut);
  add("agent_run_error", RUN, PROTO, [connectStream(cut, ERROR_END), runRequest], failed);

  // StreamUnifiedChatResponse-like messages: text (1) and debugging_only_token_count (3).
  const legacy = TEXT.map((t, i) => protoBytes(2, join([protoBytes(1, t), protoVarint(3, 9 + i)])));
  const chat = protoBytes(1, protoBytes(1, protoBytes(1, "Fix the failing test")));
  const chatPath = "/aiserver.v1.ChatService/StreamUnifiedChatWithTools";
  const chatUsage = estimate(chat.length, legacy);
  add(
    "stream_unified_chat",
    chatPath,
    PROTO,
    [connectStream(legacy), connectFrame(chat)],
    chatUsage,
  );

  const update = (u: object) => JSON.stringify({ interactionUpdate: u });
  const turn = { inputTokens: "9120", outputTokens: "233", cacheReadTokens: "8704" };
  const json = [
    ...TEXT.map((text) => update({ textDelta: { text } })),
    update({ tokenDelta: { tokens: 12 } }),
    update({ turnEnded: turn }),
  ];
  const runJson = { runRequest: { userMessage: { text: "Fix the failing test" } } };
  const jsonRequest = connectFrame(JSON.stringify({ ...runJson, modelName: "claude-4.5-sonnet" }));
  const jsonUsage = {
    ...emptyUsage("claude-4.5-sonnet", false),
    input_tokens: 9120,
    output_tokens: 233,
    cache_read_tokens: 8704,
  };
  const sse = "/aiserver.v1.AiService/RunSSE";
  add(
    "run_sse_json",
    sse,
    "application/connect+json",
    [connectStream(json), jsonRequest],
    jsonUsage,
  );
  return files;
}

// The estimate of a stream without turn_ended: ~4 bytes per token of message payloads.
function estimate(requestBytes: number, messages: Uint8Array[]): Usage {
  const usage = emptyUsage(null, true);
  usage.input_tokens = Math.ceil(requestBytes / 4);
  usage.output_tokens = Math.ceil(messages.reduce((n, m) => n + m.length, 0) / 4);
  return usage;
}

if (import.meta.main) {
  const dir = new URL("../../tests/fixtures/cursor/", import.meta.url);
  await Deno.mkdir(dir, { recursive: true });
  for (const [name, bytes] of Object.entries(buildCursorFixtures())) {
    await Deno.writeFile(new URL(name, dir), bytes);
  }
}
