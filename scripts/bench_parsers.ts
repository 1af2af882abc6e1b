// Manual throughput check, not a test and imported by nothing:
//   deno run scripts/bench_parsers.ts
// It times SSE decoding and full usage parsing of large synthetic streams fed in 16 KiB chunks,
// as the proxy's tap would see them. Target: ≥ 300 MB/s for SSE + OpenAI chat parsing.

import { createSseDecoder } from "../core/parse/sse.ts";
import { parserFor } from "../core/parse/mod.ts";
import type { ParseRequest } from "../core/types.ts";

const CHUNK = 16 * 1024;
const MEGABYTES = 128;

function build(unit: (i: number) => string, tail: string): Uint8Array {
  const parts: string[] = [];
  let size = 0;
  for (let i = 0; size < MEGABYTES * 1e6; i++) {
    const piece = unit(i);
    parts.push(piece);
    size += piece.length;
  }
  parts.push(tail);
  return new TextEncoder().encode(parts.join(""));
}

function time(label: string, bytes: Uint8Array, run: (chunks: Uint8Array[]) => unknown): void {
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += CHUNK) chunks.push(bytes.subarray(i, i + CHUNK));
  run(chunks.slice(0, 64)); // warm up the JIT
  let best = Infinity;
  let result: unknown;
  for (let round = 0; round < 3; round++) {
    const started = performance.now();
    result = run(chunks);
    best = Math.min(best, performance.now() - started);
  }
  const rate = bytes.length / 1e6 / (best / 1000);
  console.log(`${label.padEnd(34)} ${rate.toFixed(0).padStart(6)} MB/s  ${JSON.stringify(result)}`);
}

function parseAll(request: ParseRequest, contentType: string) {
  return (chunks: Uint8Array[]) => {
    const parser = parserFor(request, { status: 200, contentType })!;
    for (const chunk of chunks) parser.feed(chunk);
    const usage = parser.finish({ aborted: false }).usage!;
    return { in: usage.input_tokens, out: usage.output_tokens, estimated: usage.estimated };
  };
}

const body = new TextEncoder().encode(
  '{"model":"gpt-5-mini","messages":[{"role":"user","content":"Hi"}]}',
);
const words = [
  "Tokens",
  " fall",
  " like",
  " rain",
  ",",
  " counted",
  " softly",
  "\n",
  " one",
  " by",
];
const chat = build(
  (i) =>
    `data: {"id":"chatcmpl-CcT1yG7d2nVqGkM0zB3xQwE8rLpaN","object":"chat.completion.chunk","created":1787400200,"model":"gpt-5-mini-2025-08-07","service_tier":"default","system_fingerprint":null,"choices":[{"index":0,"delta":{"content":${
      JSON.stringify(words[i % words.length])
    }},"logprobs":null,"finish_reason":null}],"usage":null,"obfuscation":"Xb3kQ${i % 97}"}\n\n`,
  'data: {"id":"c","object":"chat.completion.chunk","choices":[],"usage":{"prompt_tokens":12,"completion_tokens":99,"total_tokens":111}}\n\ndata: [DONE]\n\n',
);
const anthropic = build(
  (i) =>
    `event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":${
      JSON.stringify(words[i % words.length] + words[(i + 3) % words.length])
    }}     }\n\n${i % 50 === 0 ? 'event: ping\ndata: {"type": "ping"}\n\n' : ""}`,
  'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":99}}\n\n',
);

console.log(`${(chat.length / 1e6).toFixed(0)} MB synthetic streams, ${CHUNK / 1024} KiB chunks`);
time("SSE decoder only (OpenAI chat)", chat, (chunks) => {
  let events = 0;
  const decoder = createSseDecoder({ onEvent: () => events++ });
  for (const chunk of chunks) decoder.feed(chunk);
  decoder.flush();
  return { events };
});
const openai: ParseRequest = { provider: "openai", path: "/v1/chat/completions", query: "", body };
time("SSE + OpenAI chat (include_usage)", chat, parseAll(openai, "text/event-stream"));
const messages: ParseRequest = { provider: "anthropic", path: "/v1/messages", query: "", body };
time("SSE + Anthropic messages", anthropic, parseAll(messages, "text/event-stream"));
const responses = build(
  (i) =>
    `event: response.output_text.delta\ndata: {"type":"response.output_text.delta","content_index":0,"delta":${
      JSON.stringify(words[i % words.length])
    },"item_id":"msg_68a1f0c2b7d4819c9e3f5a7b1c2d3e4f","logprobs":[],"obfuscation":"Xb3kQ${
      i % 97
    }","output_index":1,"sequence_number":${i}}\n\n`,
  'event: response.completed\ndata: {"type":"response.completed","response":{"model":"gpt-5.4","usage":{"input_tokens":12,"output_tokens":99}}}\n\n',
);
const responsesRequest: ParseRequest = {
  provider: "openai",
  path: "/v1/responses",
  query: "",
  body,
};
time("SSE + OpenAI Responses", responses, parseAll(responsesRequest, "text/event-stream"));
const gemini = build(
  (i) =>
    `data: {"candidates": [{"content": {"parts": [{"text": ${
      JSON.stringify(words[i % words.length].repeat(8))
    }}],"role": "model"},"index": 0}],"usageMetadata": {"promptTokenCount": 12,"candidatesTokenCount": ${i},"totalTokenCount": ${
      12 + i
    }},"modelVersion": "gemini-2.5-flash","responseId": "ZlBFaJ3mE4Ow1MkPj9yXqA4"}\r\n\r\n`,
  "",
);
const geminiRequest: ParseRequest = {
  provider: "google",
  path: "/v1beta/models/gemini-2.5-flash:streamGenerateContent",
  query: "alt=sse",
  body,
};
time("SSE + Gemini (JSON.parse per chunk)", gemini, parseAll(geminiRequest, "text/event-stream"));
