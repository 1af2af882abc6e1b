import assert from "node:assert/strict";
import type { ParseRequest, ParseWarning } from "../types.ts";
import { createConnectDecoder } from "./connect.ts";
import { connectFrame, connectStream, join } from "./_contract_connect.ts";
import { loadFixtures, runParserContract } from "./_contract.ts";
import { buildCursorFixtures, textDelta, tokenDelta, turnEnded } from "./_contract_cursor.ts";
import { createCursorParser, isCursorUsageRpc } from "./cursor.ts";
import { parserFor } from "./mod.ts";

const fixtures = await loadFixtures("cursor");
runParserContract("createCursorParser()", createCursorParser, fixtures);

const RUN = "/agent.v1.AgentService/Run";
const PROTO = "application/connect+proto";
const request = (path = RUN, body: Uint8Array = new Uint8Array()): ParseRequest => ({
  provider: "cursor",
  path,
  query: "",
  body,
});

function parse(
  chunks: Uint8Array[],
  options: { path?: string; type?: string | null; body?: Uint8Array; aborted?: boolean } = {},
) {
  const warnings: ParseWarning[] = [];
  const parser = createCursorParser(request(options.path, options.body), {
    status: 200,
    contentType: options.type === undefined ? PROTO : options.type,
  }, { onWarning: (w) => warnings.push(w) });
  for (const chunk of chunks) parser.feed(chunk);
  return { ...parser.finish({ aborted: options.aborted ?? false }), warnings };
}

// Each frame's flags and inflated payload, so gzip output may differ between zlib builds.
function frames(bytes: Uint8Array): string[] {
  const out: string[] = [];
  const decoder = createConnectDecoder({
    onMessage: (p) => out.push(`message ${p.join(",")}`),
    onEndStream: (p) => out.push(`end ${new TextDecoder().decode(p)}`),
  });
  decoder.feed(bytes);
  decoder.flush();
  return out;
}

Deno.test("buildCursorFixtures() still produces the checked-in tests/fixtures/cursor files", async () => {
  const built = buildCursorFixtures();
  const dir = new URL("../../tests/fixtures/cursor/", import.meta.url);
  for (const [name, bytes] of Object.entries(built)) {
    const stored = await Deno.readFile(new URL(name, dir));
    if (name.endsWith(".bin")) assert.deepEqual(frames(stored), frames(bytes), name);
    else assert.deepEqual(stored, bytes, name);
  }
  assert.equal(fixtures.length * 3, Object.keys(built).length);
});

Deno.test("createCursorParser() reads turn_ended as exact usage and never sums token_delta", () => {
  const result = parse([
    connectStream([textDelta("Hi"), tokenDelta(500), turnEnded([10, 20, 30, 40, 5])]),
  ]);
  assert.equal(result.usage?.estimated, false);
  assert.equal(result.usage?.input_tokens, 10);
  assert.equal(result.usage?.output_tokens, 20);
  assert.equal(result.usage?.cache_read_tokens, 30);
  assert.equal(result.usage?.cache_write_tokens, 40);
  assert.equal(result.usage?.reasoning_tokens, 5);
  assert.equal(result.streamed, true);
  assert.deepEqual(result.warnings, []);
});

Deno.test("createCursorParser() keeps the last turn_ended instead of adding them", () => {
  const body = connectStream([turnEnded([100, 10, 0, 0, 0]), turnEnded([250, 30, 0, 0, 0])]);
  const usage = parse([body]).usage!;
  assert.equal(usage.input_tokens, 250);
  assert.equal(usage.output_tokens, 30);
});

Deno.test("createCursorParser() estimates from payload bytes when only token_delta arrives", () => {
  const messages = [textDelta("Hello"), tokenDelta(1000), tokenDelta(2000)];
  const body = connectStream(messages);
  const request = connectFrame(new Uint8Array(40));
  const result = parse([body], { body: request });
  const payload = messages.reduce((n, m) => n + m.length, 0);
  assert.equal(result.usage?.estimated, true);
  assert.equal(result.usage?.output_tokens, Math.ceil(payload / 4)); // not 3000
  assert.equal(result.usage?.input_tokens, 10); // 40 payload bytes, envelope stripped
  assert.equal(result.reason, "no usage");
});

Deno.test("createCursorParser() reads the same usage with the stream split at every byte", () => {
  const body = connectStream([textDelta("abc"), turnEnded([7, 8, 0, 0, 0])], "{}", { gzip: true });
  const whole = parse([body]).usage;
  for (let i = 0; i <= body.length; i++) {
    assert.deepEqual(parse([body.subarray(0, i), body.subarray(i)]).usage, whole, `split ${i}`);
  }
});

Deno.test("createCursorParser() inflates gzip frames and skips a corrupt one with a warning", () => {
  const bad = connectFrame(new Uint8Array(12));
  bad[0] = 1; // claims gzip, holds zeros
  const body = join([bad, connectStream([turnEnded([3, 4, 0, 0, 0])], "{}", { gzip: true })]);
  const result = parse([body]);
  assert.equal(result.usage?.output_tokens, 4);
  assert.deepEqual(result.warnings.map((w) => w.code), ["bad-compression"]);
});

Deno.test("createCursorParser() stops at an oversize frame length and estimates instead", () => {
  const good = connectFrame(textDelta("x".repeat(40)));
  const huge = Uint8Array.of(0, 0x7f, 0xff, 0xff, 0xff, ...new Uint8Array(95));
  const result = parse([good, huge, turnEnded([1, 1, 0, 0, 0])]);
  assert.equal(result.usage?.estimated, true);
  assert.deepEqual(result.warnings.map((w) => w.code), ["frame-too-large"]);
  // Bytes after the stop still count toward the output estimate.
  assert.ok(result.usage!.output_tokens >= Math.ceil((good.length - 5 + huge.length) / 4));
});

Deno.test("createCursorParser() treats an end-stream error as no exact usage", () => {
  const error = JSON.stringify({ error: { code: "unavailable", message: "Overloaded" } });
  const result = parse([connectStream([textDelta("Hi"), turnEnded([5, 6, 0, 0, 0])], error)]);
  assert.equal(result.reason, "upstream error");
  assert.equal(result.usage?.estimated, true);
  assert.equal(result.usage?.output_tokens, 6); // the counts seen, flagged as an estimate
  assert.deepEqual(result.warnings, [{ code: "upstream-error", detail: "Overloaded" }]);
});

Deno.test("createCursorParser() reports an aborted stream cut inside a frame", () => {
  const body = connectStream([textDelta("Hello there")]);
  const result = parse([body.subarray(0, 12)], { aborted: false });
  assert.equal(result.reason, "aborted");
  assert.equal(result.usage?.estimated, true);
});

Deno.test("createCursorParser() reads a unary protobuf body and legacy chat only by size", () => {
  const unary = parse([turnEnded([11, 12, 0, 0, 0])], { type: "application/proto" });
  assert.equal(unary.usage?.output_tokens, 12);
  assert.equal(unary.streamed, false);
  // Legacy chat messages are not AgentServerMessages, even where field numbers coincide.
  const legacy = parse([connectStream([turnEnded([11, 12, 0, 0, 0])])], {
    path: "/aiserver.v1.ChatService/StreamUnifiedChatWithTools",
  });
  assert.equal(legacy.usage?.estimated, true);
});

Deno.test("createCursorParser() reads Connect JSON in snake_case too and counts opaque bodies", () => {
  const turn = { interaction_update: { turn_ended: { input_tokens: 4, output_tokens: "9" } } };
  const json = parse([connectStream([JSON.stringify(turn)])], { type: "application/connect+json" });
  assert.equal(json.usage?.input_tokens, 4);
  assert.equal(json.usage?.output_tokens, 9);
  const opaque = parse([new Uint8Array(400)], { type: "text/event-stream" });
  assert.equal(opaque.usage?.output_tokens, 100);
  assert.equal(opaque.streamed, true);
});

Deno.test("isCursorUsageRpc() accepts chat, composer and agent runs only", () => {
  const usage = [
    "/aiserver.v1.ChatService/StreamUnifiedChatWithTools",
    "/aiserver.v1.ChatService/StreamUnifiedChatWithToolsSSE",
    "/aiserver.v1.ChatService/StreamUnifiedChatWithToolsIdempotent",
    "/agent.v1.AgentService/Run",
    "/aiserver.v1.AiService/RunSSE",
    "/aiserver.v1.AiService/StreamChat",
    "/aiserver.v1.AiService/StreamComposer",
  ];
  const other = [
    "/aiserver.v1.ChatService/WarmStreamUnifiedChatWithTools",
    "/aiserver.v1.AiService/AvailableModels",
    "/aiserver.v1.AnalyticsService/Batch",
    "/aiserver.v1.AiService/StreamCpp",
    "/aiserver.v1.BidiService/BidiAppend",
    "/aiserver.v1.DashboardService/GetCurrentPeriodUsage",
    "/auth/full_stripe_profile",
  ];
  for (const path of usage) assert.equal(isCursorUsageRpc(path), true, path);
  for (const path of other) {
    assert.equal(isCursorUsageRpc(path), false, path);
    assert.equal(parserFor(request(path), { status: 200, contentType: PROTO }), null, path);
  }
});

Deno.test("parserFor() gives a Cursor error status no usage", () => {
  const parser = parserFor(request(), { status: 401, contentType: "application/json" });
  assert.deepEqual(parser?.finish({ aborted: false }), {
    usage: null,
    streamed: false,
    reason: "error status",
  });
});
