// The contract every usage parser passes (test support, imported only by *_test.ts): each fixture
// whole, byte by byte and in random splits gives the expected usage; every truncation and any
// garbage gives usage without throwing.

import assert from "node:assert/strict";
import type {
  ParseRequest,
  ParseResponse,
  ParseResult,
  ParseWarning,
  PlanWindow,
  Provider,
  Usage,
  UsageParser,
} from "../types.ts";
import { createSseDecoder, type SseEvent, type SseWarning } from "./sse.ts";

/** One recorded response and the usage it must yield (see tests/fixtures/README.md). */
export interface Fixture {
  /** `<provider>/<case>`, e.g. `openai/chat`. */
  name: string;
  request: ParseRequest;
  response: ParseResponse;
  bytes: Uint8Array;
  expected: Usage;
  /** The assistant text a client sees; fixtures only carry it for the fake upstream. */
  text: string;
  /** Whether the body is a stream, when its content type alone does not say (Connect, NDJSON). */
  streamed?: boolean;
  /** The subscription windows the parse must report (claude.ai). */
  planWindows?: Record<string, PlanWindow>;
}

/** A parser factory with the signature every provider factory shares. */
export type ParserFactory = (
  request: ParseRequest,
  response: ParseResponse,
  options?: { onWarning?(warning: ParseWarning): void },
) => UsageParser | null;

const SEEDS = [1, 2, 3, 7, 42];
// Codes a complete, well-formed fixture may raise: providers' own mid-stream errors.
const EXPECTED_WARNINGS = new Set(["upstream-error"]);

/** Registers the shared parser contract as Deno tests for `fixtures`. */
export function runParserContract(name: string, create: ParserFactory, fixtures: Fixture[]): void {
  assert.ok(fixtures.length > 0, `No fixtures for ${name}`);
  for (const f of fixtures) {
    Deno.test(`${name} reads usage from ${f.name}`, () => {
      const warnings: ParseWarning[] = [];
      const result = run(create, f, [f.bytes], false, warnings);
      assert.deepEqual(result.usage, f.expected);
      assert.equal(result.streamed, isStreamed(f));
      if (f.planWindows) assert.deepEqual(result.plan_windows, f.planWindows);
      const unexpected = warnings.filter((w) => !EXPECTED_WARNINGS.has(w.code));
      assert.deepEqual(unexpected, []);
    });
    Deno.test(`${name} reads the same usage from ${f.name} fed byte by byte`, () => {
      assert.deepEqual(run(create, f, splitEvery(f.bytes, 1), false).usage, f.expected);
    });
    Deno.test(`${name} reads the same usage from ${f.name} in random splits`, () => {
      for (const seed of SEEDS) {
        const chunks = splitRandomly(f.bytes, createRandom(seed));
        assert.deepEqual(run(create, f, chunks, false).usage, f.expected, `seed ${seed}`);
      }
    });
    Deno.test(`${name} gives exact or estimated usage for every truncation of ${f.name}`, () => {
      for (const length of prefixLengths(f.bytes)) {
        const result = run(create, f, [f.bytes.subarray(0, length)], true);
        assertSaneUsage(result.usage, `prefix ${length}`);
        if (!result.usage!.estimated) {
          assert.deepEqual(result.usage, f.expected, `prefix ${length}`);
        }
      }
    });
  }
  Deno.test(`${name} survives garbage input without throwing`, () => {
    const random = createRandom(99);
    for (const f of fixtures) {
      for (const garbage of garbageInputs(f.bytes, random)) {
        for (const aborted of [false, true]) {
          const result = run(create, f, splitRandomly(garbage, random), aborted);
          assertSaneUsage(result.usage, `${f.name} garbage`);
        }
      }
    }
  });
}

// Body files: text bodies, NDJSON (Ollama) and binary ones (Connect streams).
const BODY_EXTENSIONS = [".sse", ".json", ".ndjson", ".bin"];

/** Reads every `tests/fixtures/<provider>/*.case.json` with its body file. */
export async function loadFixtures(provider: Provider): Promise<Fixture[]> {
  const dir = new URL(`../../tests/fixtures/${provider}/`, import.meta.url);
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) names.push(entry.name);
  names.sort();
  const fixtures: Fixture[] = [];
  for (const file of names) {
    if (!file.endsWith(".case.json")) continue;
    const base = file.slice(0, -".case.json".length);
    const body = names.find((n) => BODY_EXTENSIONS.some((ext) => n === base + ext));
    assert.ok(body, `Fixture ${provider}/${base} has no body (${BODY_EXTENSIONS.join(", ")})`);
    const spec = JSON.parse(await Deno.readTextFile(new URL(file, dir)));
    fixtures.push({
      name: `${provider}/${base}`,
      request: {
        provider,
        path: spec.path,
        query: spec.query,
        // A binary request (Cursor's protobuf) is a file; every other request is JSON inline.
        body: spec.request_file
          ? await Deno.readFile(new URL(spec.request_file, dir))
          : new TextEncoder().encode(JSON.stringify(spec.request)),
      },
      response: { status: 200, contentType: spec.content_type },
      bytes: await Deno.readFile(new URL(body, dir)),
      expected: spec.usage,
      text: spec.text,
      streamed: spec.streamed,
      planWindows: spec.plan_windows,
    });
  }
  return fixtures;
}

/** Feeds `chunks` to a new parser for `f` and finishes it. */
export function run(
  create: ParserFactory,
  f: Fixture,
  chunks: Uint8Array[],
  aborted: boolean,
  warnings: ParseWarning[] = [],
): ParseResult {
  const parser = create(f.request, f.response, { onWarning: (w) => warnings.push(w) });
  assert.ok(parser, `No parser for ${f.name}`);
  for (const chunk of chunks) parser.feed(chunk);
  return parser.finish({ aborted });
}

/** Options for {@linkcode parseBody}. */
export interface ParseBodyOptions {
  query?: string;
  request?: unknown;
  status?: number;
  aborted?: boolean;
  warnings?: ParseWarning[];
}

/** Parses a body given as text pieces (each fed as one chunk) with a new parser; for unit tests. */
export function parseBody(
  create: ParserFactory,
  provider: Provider,
  path: string,
  contentType: string | null,
  pieces: string | string[],
  options: ParseBodyOptions = {},
): ParseResult {
  const encoder = new TextEncoder();
  const request: ParseRequest = {
    provider,
    path,
    query: options.query ?? "",
    body: encoder.encode(JSON.stringify(options.request ?? {})),
  };
  const warnings = options.warnings ?? [];
  const parser = create(request, { status: options.status ?? 200, contentType }, {
    onWarning: (w) => warnings.push(w),
  });
  assert.ok(parser, `No parser for ${path}`);
  for (const piece of typeof pieces === "string" ? [pieces] : pieces) {
    parser.feed(encoder.encode(piece));
  }
  return parser.finish({ aborted: options.aborted ?? false });
}

/** Splits bytes into chunks of `size` bytes. */
export function splitEvery(bytes: Uint8Array, size: number): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
  return chunks;
}

/** Splits bytes at random points (chunks of 1 to 64 bytes). */
export function splitRandomly(bytes: Uint8Array, random: () => number): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < bytes.length;) {
    const size = 1 + Math.floor(random() * 64);
    chunks.push(bytes.subarray(i, i + size));
    i += size;
  }
  return chunks;
}

/** Returns a seeded PRNG (mulberry32) yielding numbers in [0, 1). */
export function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function isStreamed(f: Fixture): boolean {
  if (f.streamed !== undefined) return f.streamed;
  return f.response.contentType?.includes("text/event-stream") === true ||
    f.request.path.endsWith(":streamGenerateContent");
}

// Every prefix of a small body; for a large one, a spread of lengths plus each line boundary ±1.
function prefixLengths(bytes: Uint8Array): number[] {
  if (bytes.length <= 4096) return Array.from({ length: bytes.length }, (_, i) => i);
  const lengths = new Set<number>();
  const step = Math.ceil(bytes.length / 1024);
  for (let i = 0; i < bytes.length; i += step) lengths.add(i);
  bytes.forEach((b, i) => {
    if (b === 10) { for (const d of [-1, 0, 1]) lengths.add(Math.max(0, i + d)); }
  });
  return [...lengths].sort((a, b) => a - b);
}

function garbageInputs(bytes: Uint8Array, random: () => number): Uint8Array[] {
  const encode = (s: string) => new TextEncoder().encode(s);
  const noise = Uint8Array.from({ length: 4096 }, () => Math.floor(random() * 256));
  const flipped = bytes.slice();
  for (let i = 0; i < flipped.length; i += 1 + Math.floor(random() * 40)) {
    flipped[i] = Math.floor(random() * 256);
  }
  const deep = "[".repeat(200_000);
  const deepObject = '{"a":'.repeat(50_000);
  return [
    noise,
    flipped,
    Uint8Array.from([0xff, 0xfe, 0xc3, 0x28, 0xe2, 0x82, 0x0a, 0xf0, 0x9f, 0x92, 0x0a, 0x0a]),
    encode(deep),
    encode(`data: ${deep}\n\n`),
    encode(`data: ${deepObject}\n\nevent: message_start\ndata: ${deepObject}\n\n`),
    encode(`{"usage":${deepObject}`),
    encode(`[${"{".repeat(100_000)}`),
    encode("data: " + "a".repeat(2 * 1024 * 1024)),
    encode("x".repeat(2 * 1024 * 1024) + "\n\n"),
    encode('data: {"usage":{"prompt_tokens":-5,"completion_tokens":1e308,"total_tokens":"x"}}\n\n'),
    encode('{"usage":null,"choices":[null,1,{"delta":null}],"candidates":[null],"content":7}'),
  ];
}

/** Asserts that `usage` holds sane counts: non-negative integers, subsets within their totals. */
export function assertSaneUsage(usage: Usage | null, context: string): void {
  assert.ok(usage, `${context}: usage is null`);
  for (
    const key of [
      "input_tokens",
      "output_tokens",
      "cache_read_tokens",
      "cache_write_tokens",
      "cache_write_1h_tokens",
      "reasoning_tokens",
    ] as const
  ) {
    const value: number = usage[key];
    assert.ok(Number.isSafeInteger(value) && value >= 0, `${context}: ${key} is ${value}`);
  }
  assert.ok(usage.reasoning_tokens <= usage.output_tokens, `${context}: reasoning > output`);
  assert.ok(usage.cache_write_1h_tokens <= usage.cache_write_tokens, `${context}: 1h > write`);
}

/** Feeds `chunks` (text is UTF-8 encoded) to an SSE decoder and returns its events and warnings. */
export function decodeSse(chunks: (string | Uint8Array)[], maxBufferBytes?: number) {
  const events: SseEvent[] = [];
  const warnings: SseWarning[] = [];
  const decoder = createSseDecoder({
    onEvent: (e) => events.push(e),
    onWarning: (w) => warnings.push(w),
    maxBufferBytes,
  });
  for (const chunk of chunks) {
    decoder.feed(typeof chunk === "string" ? new TextEncoder().encode(chunk) : chunk);
  }
  decoder.flush();
  return { events, warnings };
}
