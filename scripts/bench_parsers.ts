// Parser throughput per provider: `deno run -A scripts/bench_parsers.ts [--megabytes 64]`.
// Each provider's recorded stream, grown to the size asked for (_bench_parser_streams.ts), is fed
// in 16 KiB chunks to the parser parserFor() picks for it, as the proxy's tap would feed it; the
// rate is the best of three rounds after a warm-up. Beside each SSE and NDJSON parser: the same
// stream only split into events with each one JSON.parse'd. A parser that parses every event
// cannot beat that; the OpenAI and Anthropic parsers do, by scanning deltas for their text and
// parsing only the members that matter (createJsonScanner). Prints a table and writes
// bench-results/bench_parsers.json; scripts/bench.ts runs it for its targets (≥ 300 MB/s each).
import { parseArgs } from "node:util";
import { createSseDecoder, parserFor } from "../core/parse/mod.ts";
import { createNdjsonReader } from "../core/parse/ndjson.ts";
import { buildParserStream, PARSER_CASES, PARSERS_JSON } from "./_bench_parser_streams.ts";
import { printTable } from "./_bench_table.ts";
import { round } from "./_bench_stats.ts";

const CHUNK = 16 * 1024;
const ROUNDS = 3;
const WARMUP_CHUNKS = 64;

/** One row of the table and the JSON. */
interface ParserRate {
  label: string;
  provider: string;
  fixture: string;
  mb_per_s: number;
  /** Splitting into events and JSON.parse of each, alone; null for other formats. */
  parse_all_mb_per_s: number | null;
  /** What the parser reported for the whole body, to show it parsed rather than gave up. */
  usage: string;
}

const { values } = parseArgs({ args: Deno.args, options: { megabytes: { type: "string" } } });
const megabytes = Number(values.megabytes ?? 64);
if (!(megabytes > 0)) throw new RangeError(`--megabytes must be a positive number`);

const rows: ParserRate[] = [];
for (const c of PARSER_CASES) {
  const stream = await buildParserStream(c, megabytes * 1e6);
  const { rate, result } = time(stream.bytes, (chunks) => {
    const parser = parserFor(stream.request, stream.response);
    if (!parser) throw new Error(`${c.label}: no parser for ${stream.request.path}`);
    for (const chunk of chunks) parser.feed(chunk);
    const usage = parser.finish({ aborted: false }).usage;
    return usage
      ? `in ${usage.input_tokens}, out ${usage.output_tokens}${
        usage.estimated ? ", estimated" : ""
      }`
      : "no usage";
  });
  const parseAll = parseEveryEvent(stream.response.contentType ?? "");
  rows.push({
    label: c.label,
    provider: c.provider,
    fixture: c.fixture,
    mb_per_s: rate,
    parse_all_mb_per_s: parseAll && time(stream.bytes, parseAll).rate,
    usage: result,
  });
  // The SSE decoder alone, on the first SSE stream: how much of a parser's time is decoding.
  if (rows.length === 1) {
    const decoder = time(stream.bytes, (chunks) => {
      let events = 0;
      const sse = createSseDecoder({ onEvent: () => events++ });
      for (const chunk of chunks) sse.feed(chunk);
      sse.flush();
      return `${events} events`;
    });
    rows.push({
      label: "(SSE decoder alone, same stream)",
      provider: "-",
      fixture: c.fixture,
      mb_per_s: decoder.rate,
      parse_all_mb_per_s: null,
      usage: decoder.result,
    });
  }
}

console.log(
  `\nParser throughput: recorded streams grown to ${megabytes} MB, ${CHUNK / 1024} KiB chunks\n`,
);
printTable(
  ["stream", "provider", "MB/s", "JSON.parse every event, MB/s", "usage read"],
  rows.map((row) => [
    row.label,
    row.provider,
    Math.round(row.mb_per_s),
    row.parse_all_mb_per_s === null ? "–" : Math.round(row.parse_all_mb_per_s),
    row.usage,
  ]),
);
console.log(
  "(JSON.parse every event: the stream split into events, each JSON.parse'd, nothing else; " +
    "a parser that parses every event cannot be faster)",
);
await Deno.mkdir("bench-results", { recursive: true });
await Deno.writeTextFile(
  PARSERS_JSON,
  JSON.stringify({ date: new Date().toISOString(), megabytes, chunk_bytes: CHUNK, rows }, null, 2),
);
console.log(`\nJSON: ${PARSERS_JSON}`);

/** Splits into events and parses each as JSON, for SSE and NDJSON; null for other formats. */
function parseEveryEvent(contentType: string): ((chunks: Uint8Array[]) => string) | null {
  const parse = (text: string) => {
    try {
      return JSON.parse(text) === undefined ? 0 : 1;
    } catch {
      return 0; // `[DONE]` and the like
    }
  };
  if (contentType.includes("event-stream")) {
    return (chunks) => {
      let parsed = 0;
      const sse = createSseDecoder({ onEvent: (event) => parsed += parse(event.data) });
      for (const chunk of chunks) sse.feed(chunk);
      sse.flush();
      return `${parsed} events`;
    };
  }
  if (contentType.includes("ndjson")) {
    return (chunks) => {
      let parsed = 0;
      const reader = createNdjsonReader({ onValue: () => parsed++ });
      for (const chunk of chunks) reader.feed(chunk);
      reader.flush();
      return `${parsed} lines`;
    };
  }
  return null;
}

/** Best rate of `ROUNDS` runs over the body in chunks, in MB/s, and the last run's result. */
function time(bytes: Uint8Array, run: (chunks: Uint8Array[]) => string) {
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += CHUNK) chunks.push(bytes.subarray(i, i + CHUNK));
  run(chunks.slice(0, WARMUP_CHUNKS)); // lets the JIT compile the hot paths first
  let best = Infinity;
  let result = "";
  for (let i = 0; i < ROUNDS; i++) {
    const started = performance.now();
    result = run(chunks);
    best = Math.min(best, performance.now() - started);
  }
  return { rate: round(bytes.length / 1e6 / (best / 1000), 1), result };
}
