import assert from "node:assert/strict";
import zlib from "node:zlib";
import type { Tap, TapRequest } from "../proxy/tap.ts";
import { createDebugTapFactory } from "./debug_tap.ts";
import type { DebugCaptureOptions, DebugCaptureRecord } from "./debug_capture.ts";
import { REDACTED } from "./redact.ts";
import { fakeDebugCapture } from "./_debug_fixture.ts";

const encode = (text: string) => new TextEncoder().encode(text);
const SECRET = "sk-SECRET-4242";
const PROMPT = "PROMPT-say-hello";
const BODY = { contents: [{ parts: [{ text: PROMPT }] }], api_key: SECRET };

function request(overrides: Partial<TapRequest> = {}): TapRequest {
  return {
    mode: "relay",
    host: "generativelanguage.googleapis.com",
    method: "POST",
    path: "/v1beta/models/gemini-2.5-flash:generateContent",
    query: `alt=sse&key=${SECRET}`,
    headers: {
      "content-type": "application/json",
      authorization: `Bearer ${SECRET}`,
      "x-goog-api-key": SECRET,
      cookie: `sid=${SECRET}`,
      "x-my-token": SECRET,
    },
    body: encode(JSON.stringify(BODY)),
    startedAt: 1_800_000_000_000,
    ...overrides,
  };
}

/** An armed capture, its tap factory, and a way to run one exchange through a tap. */
function setup(options: DebugCaptureOptions = {}) {
  const fake = fakeDebugCapture(options);
  const errors: unknown[] = [];
  const tapFor = createDebugTapFactory(fake.capture, {
    now: fake.now,
    onError: (error) => errors.push(error),
  });
  fake.capture.arm();
  return {
    ...fake,
    tapFor,
    errors,
    /** Runs a whole exchange and resolves with the capture it produced (or undefined). */
    async exchange(
      req: TapRequest,
      response: { status?: number; headers?: Record<string, string>; chunks?: Uint8Array[] },
    ): Promise<DebugCaptureRecord | undefined> {
      const tap = tapFor(req)!;
      assert.ok(tap);
      tap.onResponse(response.status ?? 200, response.headers ?? {});
      for (const chunk of response.chunks ?? []) tap.onChunk(chunk);
      fake.advance(7);
      tap.onEnd({ aborted: false });
      return await waitForCapture(fake.capture.list.bind(fake.capture));
    },
  };
}

async function waitForCapture(list: () => { captures: DebugCaptureRecord[] }) {
  // Decompression finishes asynchronously; plain bodies are captured at once.
  for (let i = 0; i < 100 && list().captures.length === 0; i++) {
    await new Promise((r) => setTimeout(r, 5));
  }
  return list().captures[0];
}

Deno.test("createDebugTapFactory() answers no tap while the capture is disarmed", () => {
  const { capture, tapFor } = setup();
  capture.disarm();
  assert.equal(tapFor(request()), null);
  assert.deepEqual(capture.list().captures, []);
});

Deno.test("the debug tap captures the exchange with every credential redacted", async () => {
  const { exchange, errors } = setup();
  const answer = `{"candidates":[{"content":{"parts":[{"text":"hello"}]}}],"token":"${SECRET}"}`;
  const record = (await exchange(request(), {
    status: 200,
    headers: { "content-type": "application/json", "set-cookie": `x=${SECRET}` },
    chunks: [encode(answer.slice(0, 10)), encode(answer.slice(10, 70)), encode(answer.slice(70))],
  }))!;
  assert.deepEqual(errors, []);
  assert.ok(!JSON.stringify(record).includes(SECRET), "no secret anywhere in the capture");
  assert.match(record.id, /^[0-9a-f-]{36}$/);
  assert.deepEqual({ ...record, id: "" }, {
    id: "",
    ts: 1_800_000_000_000,
    duration_ms: 7,
    mode: "relay",
    host: "generativelanguage.googleapis.com",
    method: "POST",
    path: "/v1beta/models/gemini-2.5-flash:generateContent",
    query: `alt=sse&key=${REDACTED}`,
    status: 200,
    aborted: false,
    request: {
      headers: {
        "content-type": "application/json",
        authorization: REDACTED,
        "x-goog-api-key": REDACTED,
        cookie: REDACTED,
        "x-my-token": REDACTED,
      },
      body: JSON.stringify({ ...BODY, api_key: REDACTED }),
      body_encoding: "utf-8",
      body_bytes: request().body.length,
      truncated: false,
    },
    response: {
      headers: { "content-type": "application/json", "set-cookie": REDACTED },
      body: answer.replace(SECRET, REDACTED),
      body_encoding: "utf-8",
      body_bytes: answer.length,
      truncated: false,
      body_form: "identity",
    },
  });
});

Deno.test("the debug tap cuts bodies at the cap and flags them as truncated", async () => {
  const { exchange } = setup({ maxBodyBytes: 16 });
  const record = (await exchange(request({ body: encode("a".repeat(40)) }), {
    chunks: [encode("b".repeat(10)), encode("c".repeat(10)), encode("d".repeat(10))],
  }))!;
  assert.deepEqual(record.request, {
    headers: record.request.headers,
    body: "a".repeat(16),
    body_encoding: "utf-8",
    body_bytes: 40,
    truncated: true,
  });
  assert.equal(record.response!.body, "b".repeat(10) + "c".repeat(6));
  assert.equal(record.response!.body_bytes, 30);
  assert.equal(record.response!.truncated, true);
});

Deno.test("the debug tap keeps a body cut inside a character as text, and binary as base64", async () => {
  const { exchange } = setup({ maxBodyBytes: 5 });
  // "aé€": 1 + 2 + 3 bytes; the cut at 5 falls inside "€".
  const record = (await exchange(request({ body: encode("aé€") }), {
    chunks: [new Uint8Array([0xff, 0x00, 0x01])],
  }))!;
  assert.equal(record.request.body, "aé");
  assert.equal(record.request.truncated, true);
  assert.deepEqual(
    { body: record.response!.body, encoding: record.response!.body_encoding },
    { body: btoa("\xff\x00\x01"), encoding: "base64" },
  );
});

Deno.test("the debug tap decompresses gzip and br responses for display and says so", async () => {
  const text = 'data: {"text":"hello"}\n\n'.repeat(50);
  for (
    const [coding, compress] of [
      ["gzip", zlib.gzipSync],
      ["br", zlib.brotliCompressSync],
    ] as const
  ) {
    const { exchange } = setup();
    const compressed = new Uint8Array(compress(encode(text)));
    const record = (await exchange(request(), {
      headers: { "content-encoding": coding },
      chunks: [compressed.subarray(0, 7), compressed.subarray(7)],
    }))!;
    assert.equal(record.response!.body_form, "decompressed", coding);
    assert.equal(record.response!.body, text, coding);
    assert.equal(record.response!.body_bytes, compressed.length, "bytes as they crossed the wire");
    assert.equal(record.response!.truncated, false);
  }
});

Deno.test("the debug tap cuts a decompressed body at the cap, as text", async () => {
  const { exchange } = setup({ maxBodyBytes: 1024 });
  // 3-byte characters: the cap at 1024 bytes falls inside the 342nd.
  const record = (await exchange(request(), {
    headers: { "content-encoding": "gzip" },
    chunks: [new Uint8Array(zlib.gzipSync(encode("€".repeat(300_000))))],
  }))!;
  assert.equal(record.response!.body_form, "decompressed");
  assert.equal(record.response!.body_encoding, "utf-8");
  assert.equal(record.response!.body, "€".repeat(341));
  assert.equal(record.response!.truncated, true);
});

Deno.test("the debug tap shows bytes it cannot decode as sent, in base64", async () => {
  const { exchange } = setup();
  const bytes = new Uint8Array([1, 2, 3, 250]);
  for (const coding of ["gzip", "compress"]) {
    const record = (await exchange(request(), {
      headers: { "content-encoding": coding },
      chunks: [bytes],
    }))!;
    assert.equal(record.response!.body_form, "compressed", coding);
    assert.equal(record.response!.body, btoa("\x01\x02\x03\xfa"));
  }
});

Deno.test("the debug tap records an exchange that got no response", () => {
  const { capture, tapFor } = setup();
  const tap: Tap = tapFor(request())!;
  tap.onEnd({ aborted: true });
  const [record] = capture.list().captures;
  assert.equal(record.status, null);
  assert.equal(record.aborted, true);
  assert.equal(record.response, null);
});

Deno.test("the debug tap drops an exchange when the capture is disarmed mid-response", () => {
  const { capture, tapFor } = setup();
  const tap = tapFor(request())!;
  tap.onResponse(200, {});
  tap.onChunk(encode("first"));
  capture.disarm();
  tap.onChunk(encode("second"));
  tap.onEnd({ aborted: false });
  capture.arm();
  assert.deepEqual(capture.list().captures, []);
});

Deno.test("the debug tap's capture ends with the capture's expiry", () => {
  const { capture, tapFor, advance } = setup();
  const tap = tapFor(request())!;
  tap.onResponse(200, {});
  advance(15 * 60_000);
  tap.onEnd({ aborted: false });
  assert.deepEqual(capture.list(), { armed: false, expires_at: null, captures: [] });
});
