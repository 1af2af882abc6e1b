// Large response bodies for the parser benchmark, grown from the recorded fixtures so that every
// provider's stream has its real event sizes and shapes: the fixture with one of its content deltas
// repeated in place until the body reaches the size asked for.
import type { ParseRequest, ParseResponse, Provider } from "../core/types.ts";
import { loadFixtures } from "../core/parse/_contract.ts";
import { splitEvents } from "../tests/_fake_delivery.ts";

/** One provider stream to time. */
export interface ParserCase {
  label: string;
  provider: Provider;
  /** `tests/fixtures/<provider>/<file>` without the extension. */
  fixture: string;
  /** The first unit (event, array element, line or frame) whose text matches is repeated. */
  repeat: RegExp;
}

/** A body of about the requested size with the request and response heads its parser needs. */
export interface ParserStream {
  request: ParseRequest;
  response: ParseResponse;
  bytes: Uint8Array;
}

/** Where scripts/bench_parsers.ts writes its figures, and scripts/bench.ts reads them. */
export const PARSERS_JSON = "bench-results/bench_parsers.json";

export const PARSER_CASES: ParserCase[] = [
  {
    label: "OpenAI chat (SSE, include_usage)",
    provider: "openai",
    fixture: "chat_stream_usage",
    repeat: /"delta":\{"content":"./,
  },
  {
    label: "OpenAI Responses (SSE)",
    provider: "openai",
    fixture: "responses_stream",
    repeat: /response\.output_text\.delta/,
  },
  {
    label: "Anthropic Messages (SSE)",
    provider: "anthropic",
    fixture: "messages_stream",
    repeat: /"text_delta"/,
  },
  { label: "Gemini (SSE)", provider: "google", fixture: "stream_sse", repeat: /"text"/ },
  // An element after the first, which carries the separator before it.
  {
    label: "Gemini (JSON array)",
    provider: "google",
    fixture: "stream_array",
    repeat: /^\s*,.*"text"/s,
  },
  {
    label: "claude.ai (SSE, estimated)",
    provider: "claude_ai",
    fixture: "messages_stream",
    repeat: /"text_delta"/,
  },
  {
    label: "Ollama on a custom host (NDJSON)",
    provider: "custom",
    fixture: "ollama_chat_stream",
    repeat: /"done":false/,
  },
  { label: "Cursor (Connect, protobuf)", provider: "cursor", fixture: "agent_run", repeat: /I'll/ },
];

/** Loads `c`'s fixture and repeats its matching unit until the body holds `bytes` bytes. */
export async function buildParserStream(c: ParserCase, bytes: number): Promise<ParserStream> {
  const name = `${c.provider}/${c.fixture}`;
  const fixture = (await loadFixtures(c.provider)).find((f) => f.name === name);
  if (!fixture) throw new Deno.errors.NotFound(`No fixture ${name} in tests/fixtures`);
  const body = fixture.bytes;
  const units = splitUnits(body, fixture.response.contentType ?? "");
  const latin1 = new TextDecoder("latin1");
  const at = units.findIndex((unit) => c.repeat.test(latin1.decode(unit)));
  if (at === -1) throw new Error(`${name}: no unit matches ${c.repeat}`);
  const unit = units[at];
  const times = Math.max(0, Math.ceil((bytes - body.length) / unit.length));
  const out = new Uint8Array(body.length + times * unit.length);
  let offset = 0;
  for (const [i, piece] of units.entries()) {
    out.set(piece, offset);
    offset += piece.length;
    for (let n = 0; i === at && n < times; n++) {
      out.set(unit, offset);
      offset += unit.length;
    }
  }
  return {
    request: { ...fixture.request, method: "POST" },
    response: fixture.response,
    bytes: out,
  };
}

/** Cuts a body where a server would flush: SSE events, JSON array elements, lines, frames. */
function splitUnits(body: Uint8Array, contentType: string): Uint8Array[] {
  if (contentType.includes("ndjson")) return splitAfter(body, 0x0a);
  if (contentType.startsWith("application/connect")) return splitConnectFrames(body);
  return splitEvents(body, contentType);
}

function splitAfter(body: Uint8Array, byte: number): Uint8Array[] {
  const units: Uint8Array[] = [];
  let start = 0;
  for (let i = body.indexOf(byte); i !== -1; i = body.indexOf(byte, start)) {
    units.push(body.subarray(start, i + 1));
    start = i + 1;
  }
  if (start < body.length) units.push(body.subarray(start));
  return units;
}

/** Connect envelopes: a flags byte, a big-endian 32-bit length, then that many bytes. */
function splitConnectFrames(body: Uint8Array): Uint8Array[] {
  const units: Uint8Array[] = [];
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  let at = 0;
  while (at + 5 <= body.length) {
    const end = at + 5 + view.getUint32(at + 1);
    units.push(body.subarray(at, end));
    at = end;
  }
  if (at < body.length) units.push(body.subarray(at));
  return units;
}
