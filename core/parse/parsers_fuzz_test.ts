// Property-based tests of every provider parser through parserFor(), over every fixture in
// tests/fixtures: any chunking reads the same usage, any truncation or mutation and any body at all
// parse without a throw to sane (or null) usage, and so do arbitrary requests.
import assert from "node:assert/strict";
import fc from "fast-check";
import type { ParseRequest, ParseResponse, ParseResult, Provider } from "../types.ts";
import { type Fixture, loadFixtures } from "./_contract.ts";
import { assertSaneResult, chunkSizes, fuzzOptions, noisyBytes, splitBy } from "./_fuzz_fixture.ts";
import { estimateRequestTokens, estimateRequestValueTokens } from "./estimate.ts";
import { parserFor } from "./mod.ts";
import { concatBytes } from "../../tests/_fake_delivery.ts";

const PROVIDERS: Provider[] = ["openai", "anthropic", "google", "cursor", "claude_ai", "custom"];
const FIXTURES: Fixture[] = (await Promise.all(PROVIDERS.map(loadFixtures))).flat();
const fixture = fc.constantFrom(...FIXTURES);

interface Parsed {
  result: ParseResult;
  /** Warning codes; details carry offsets, which leading whitespace chunks may shift. */
  warnings: string[];
}

/** Feeds `chunks` to parserFor()'s parser; a throw anywhere fails the property. */
function parse(
  request: ParseRequest,
  response: ParseResponse,
  chunks: Uint8Array[],
  aborted = false,
): Parsed | null {
  const warnings: string[] = [];
  const parser = parserFor(request, response, { onWarning: (w) => warnings.push(w.code) });
  if (!parser) return null;
  for (const chunk of chunks) parser.feed(chunk);
  const result = parser.finish({ aborted });
  assertSaneResult(result);
  return { result, warnings };
}

function parseFixture(f: Fixture, chunks: Uint8Array[], aborted = false): Parsed {
  const parsed = parse(f.request, f.response, chunks, aborted);
  assert.ok(parsed, `No parser for ${f.name}`);
  return parsed;
}

Deno.test("parserFor() reads the same usage from every fixture however it is split", () => {
  fc.assert(
    fc.property(fixture, chunkSizes(), (f, sizes) => {
      const chunks = splitBy(f.bytes, sizes);
      const whole = parseFixture(f, [f.bytes]);
      assert.deepEqual(whole.result.usage, f.expected);
      assert.deepEqual(parseFixture(f, chunks), whole);
    }),
    fuzzOptions(0xf1, 800),
  );
});

// An aborted body (the relay's view of a cut connection) must never pass a partial count off as
// exact; a body that ended cleanly may (Gemini trusts its last cumulative usageMetadata), so for
// it only the no-throw and sanity checks apply.
Deno.test("parserFor() gives exact, estimated or no usage for any truncated fixture", () => {
  fc.assert(
    fc.property(fixture, fc.nat(), chunkSizes(), fc.boolean(), (f, cut, sizes, aborted) => {
      const prefix = f.bytes.subarray(0, cut % (f.bytes.length + 1));
      const chunks = splitBy(prefix, sizes);
      const parsed = parseFixture(f, chunks, aborted);
      assert.deepEqual(parsed, parseFixture(f, [prefix], aborted));
      const usage = parsed.result.usage;
      if (aborted && usage && !usage.estimated) assert.deepEqual(usage, f.expected);
    }),
    fuzzOptions(0xf2, 1000),
  );
});

type Edit = { at: number; op: "set" | "insert" | "delete"; bytes: Uint8Array };
const edit: fc.Arbitrary<Edit> = fc.record({
  at: fc.nat(),
  op: fc.constantFrom("set", "insert", "delete"),
  bytes: fc.oneof(fc.uint8Array({ minLength: 1, maxLength: 4 }), noisyBytes(3)),
});

function applyEdits(bytes: Uint8Array, edits: Edit[]): Uint8Array {
  let out = bytes;
  for (const { at, op, bytes: patch } of edits) {
    const i = at % (out.length + 1);
    const skip = op === "insert" ? 0 : op === "set" ? patch.length : 1 + (at % 16);
    out = concatBytes([
      out.subarray(0, i),
      op === "delete" ? new Uint8Array() : patch,
      out.subarray(i + skip),
    ]);
  }
  return out;
}

Deno.test("parserFor() survives byte mutations of every fixture, alike however split", () => {
  fc.assert(
    fc.property(
      fixture,
      fc.array(edit, { minLength: 1, maxLength: 8 }),
      chunkSizes(),
      fc.boolean(),
      (f, edits, sizes, aborted) => {
        const bytes = applyEdits(f.bytes, edits);
        const chunks = splitBy(bytes, sizes);
        const whole = parseFixture(f, [bytes], aborted);
        assert.deepEqual(parseFixture(f, chunks, aborted), whole);
      },
    ),
    fuzzOptions(0xf3, 1200),
  );
});

// JSON tokens of a text fixture (numbers, strings, literals) to swap for arbitrary JSON values:
// usage fields that turn negative, huge, fractional, strings, arrays or objects.
const TOKEN_REGEXP = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|"(?:[^"\\\n]|\\.)*"|true|false|null/g;
const TEXT_FIXTURES = FIXTURES.filter((f) => !f.response.contentType?.includes("connect"));
const oddValue = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom(-1, -0, 0.5, 1e308, 2 ** 53 + 2, Number.MAX_SAFE_INTEGER, "12", "", null, []),
);

Deno.test("parserFor() survives any JSON value in place of any token of a fixture", () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...TEXT_FIXTURES),
      fc.array(fc.tuple(fc.nat(), oddValue), { minLength: 1, maxLength: 6 }),
      chunkSizes(),
      (f, swaps, sizes) => {
        const text = new TextDecoder().decode(f.bytes);
        const tokens = [...text.matchAll(TOKEN_REGEXP)];
        const chosen = new Map(swaps.map(([n, v]) => [n % tokens.length, JSON.stringify(v)]));
        let i = 0;
        const mutated = text.replace(TOKEN_REGEXP, (token) => chosen.get(i++) ?? token);
        const bytes = new TextEncoder().encode(mutated);
        const chunks = splitBy(bytes, sizes);
        const whole = parseFixture(f, [bytes]);
        assert.deepEqual(parseFixture(f, chunks), whole);
      },
    ),
    fuzzOptions(0xf4, 1000),
  );
});

const CONTENT_TYPES = [
  null,
  "",
  "text/event-stream",
  "text/event-stream; charset=utf-8",
  "application/json",
  "application/json; charset=UTF-8",
  "application/x-ndjson",
  "application/connect+proto",
  "application/connect+json",
  "application/proto",
  "application/grpc",
  "text/plain",
  "TEXT/EVENT-STREAM",
];
const contentType = fc.oneof(fc.constantFrom(...CONTENT_TYPES), fc.string({ maxLength: 24 }));
const status = fc.oneof(fc.constantFrom(200, 201, 204, 206, 299), fc.integer({ min: 0, max: 999 }));

Deno.test("parserFor() survives random bytes under every content type, alike however split", () => {
  fc.assert(
    fc.property(
      fixture,
      contentType,
      status,
      noisyBytes(128),
      chunkSizes(),
      fc.boolean(),
      (f, type, code, bytes, sizes, aborted) => {
        const response = { status: code, contentType: type };
        const chunks = splitBy(bytes, sizes);
        const whole = parse(f.request, response, [bytes], aborted);
        assert.deepEqual(parse(f.request, response, chunks, aborted), whole);
      },
    ),
    fuzzOptions(0xf5, 1500),
  );
});

// A body whose content type is missing or unknown has its framing sniffed past leading whitespace,
// which must count alike whichever chunk holds it.
Deno.test("parserFor() reads a fixture behind whitespace the same however it is split", () => {
  fc.assert(
    fc.property(
      fixture,
      fc.stringMatching(/^[ \t\r\n]{1,3}$/),
      fc.constantFrom(null, "", "application/octet-stream"),
      chunkSizes(),
      (f, space, type, sizes) => {
        const bytes = concatBytes([new TextEncoder().encode(space), f.bytes]);
        const response = { status: 200, contentType: type };
        const whole = parse(f.request, response, [bytes]);
        assert.deepEqual(parse(f.request, response, splitBy(bytes, sizes)), whole);
      },
    ),
    fuzzOptions(0xf9, 500),
  );
});

// Found by fuzzing (a leading whitespace chunk): the driver skipped whitespace-only chunks before
// sniffing, so an indent sent alone vanished while the same indent inside the first chunk made
// the first SSE line an unknown field: the usage depended on where the body was split.
Deno.test("parserFor() ignores an indented first SSE line wherever the indent arrives", () => {
  const encode = (text: string) => new TextEncoder().encode(text);
  const request = {
    provider: "openai" as const,
    path: "/v1/chat/completions",
    query: "",
    body: encode("{}"),
  };
  const response = { status: 200, contentType: null };
  const body = ' data: {"choices":[],"usage":{"prompt_tokens":5,"completion_tokens":7}}\n\n';
  const whole = parse(request, response, [encode(body)]);
  assert.equal(whole?.result.usage?.estimated, true);
  assert.deepEqual(parse(request, response, [encode(" "), encode(body.slice(1))]), whole);
  assert.deepEqual(
    parse(request, response, [encode("\r\n \t"), encode(body.slice(1))]),
    parse(request, response, [encode("\r\n \t" + body.slice(1))]),
  );
});

// Request bodies: any JSON value, shapes close to each dialect's, and bytes that are not JSON.
const promptish = fc.jsonValue({ maxDepth: 4 });
const requestValue = fc.oneof(
  fc.jsonValue({ maxDepth: 5 }),
  fc.record(
    {
      model: fc.oneof(fc.string(), fc.jsonValue({ maxDepth: 1 })),
      stream: fc.jsonValue({ maxDepth: 1 }),
      messages: promptish,
      contents: promptish,
      input: promptish,
      prompt: promptish,
      system: promptish,
      tools: promptish,
      max_tokens: fc.jsonValue({ maxDepth: 1 }),
      modelName: fc.string(),
    },
    { requiredKeys: [] },
  ),
);
const requestBody = fc.oneof(
  requestValue.map((v) => new TextEncoder().encode(JSON.stringify(v))),
  noisyBytes(64),
  fc.constantFrom("[".repeat(100_000), '{"messages":'.repeat(20_000)).map((s) =>
    new TextEncoder().encode(s)
  ),
);

Deno.test("parserFor() and the estimators survive any request body", () => {
  fc.assert(
    fc.property(fixture, requestBody, fc.boolean(), (f, body, aborted) => {
      const request = { ...f.request, body };
      parse(request, f.response, [f.bytes], aborted);
      const tokens = estimateRequestTokens(f.request.provider, body);
      assert.ok(Number.isSafeInteger(tokens) && tokens >= 0, `estimate ${tokens}`);
    }),
    fuzzOptions(0xf6, 400),
  );
  fc.assert(
    fc.property(fc.constantFrom(...PROVIDERS), fc.oneof(requestValue, fc.anything()), (p, v) => {
      const tokens = estimateRequestValueTokens(p, v);
      assert.ok(Number.isSafeInteger(tokens) && tokens >= 0, `estimate ${tokens}`);
    }),
    fuzzOptions(0xf7, 400),
  );
});

// Paths built from the pieces the routers look for, so that random requests reach every parser.
const PATH_PIECES = [
  "/v1",
  "/v1beta",
  "/api",
  "/chat/completions",
  "/completions",
  "/responses",
  "/embeddings",
  "/messages",
  "/models/gemini-2.5-flash",
  ":generateContent",
  ":streamGenerateContent",
  ":batchEmbedContents",
  "/agent.v1.AgentService/Run",
  "/aiserver.v1.ChatService/StreamUnifiedChatWithTools",
  "/api/organizations/o/chat_conversations/c/completion",
  "/api/chat",
  "/api/generate",
  "/invoke",
  "/",
  "//",
  "..",
  "%2F",
];
const path = fc.oneof(
  fc.array(fc.oneof(fc.constantFrom(...PATH_PIECES), fc.string({ maxLength: 8 })), {
    maxLength: 5,
  }).map((pieces) => pieces.join("")),
  fc.constantFrom(...FIXTURES.map((f) => f.request.path)),
);

Deno.test("parserFor() survives arbitrary requests and bodies, alike however split", () => {
  fc.assert(
    fc.property(
      fc.record({
        provider: fc.constantFrom(...PROVIDERS),
        method: fc.option(fc.constantFrom("POST", "GET", "post", "PUT", ""), { nil: undefined }),
        path,
        query: fc.constantFrom("", "alt=sse", "beta=true", "alt=json&key=x", "%%"),
        body: requestBody,
      }),
      contentType,
      status,
      fc.oneof(noisyBytes(96), fixture.map((f) => f.bytes)),
      chunkSizes(),
      (request, type, code, bytes, sizes) => {
        const response = { status: code, contentType: type };
        const chunks = splitBy(bytes, sizes);
        const whole = parse(request, response, [bytes]);
        assert.deepEqual(parse(request, response, chunks), whole);
      },
    ),
    fuzzOptions(0xf8, 1000),
  );
});
