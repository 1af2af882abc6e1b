// Throwaway fixtures for the fake upstream's own tests, so they do not depend on the shared ones
// in tests/fixtures (written and changed by the parser work).

import { FIXTURES_DIR } from "./_fake_cases.ts";

/** Content type of the SSE fixtures. */
export const SSE = "text/event-stream; charset=utf-8";
/** Case name → [content type, body], one per case the fake upstream routes to. */
export const FIXTURES: Record<string, [contentType: string, body: string]> = {
  "openai/chat": ["application/json", '{\n  "id": "chatcmpl-1",\n  "usage": {}\n}\n'],
  "openai/chat_stream": [SSE, 'data: {"c":1}\n\ndata: {"c":2}\n\ndata: [DONE]\n\n'],
  "openai/chat_stream_usage": [
    SSE,
    'data: {"u":1}\n\ndata: {"u":2,"usage":{}}\n\ndata: [DONE]\n\n',
  ],
  "openai/responses": ["application/json", '{\n  "id": "resp_1"\n}'],
  "openai/responses_stream": [SSE, 'event: a\ndata: {"type":"a"}\n\nevent: b\ndata: {}\n\n'],
  "openai/responses_failed": [SSE, 'event: response.failed\ndata: {"type":"x"}\n\n'],
  "openai/embeddings": ["application/json", '{"object":"list","data":[]}'],
  "openai/compatible_cost": [
    SSE,
    ': OPENROUTER PROCESSING\n\ndata: {"cost":1}\n\ndata: [DONE]\n\n',
  ],
  "anthropic/messages": ["application/json", '{"model":"claude","type":"message"}'],
  "anthropic/messages_stream": [
    SSE,
    'event: message_start\ndata: {"type": "message_start"}\n\nevent: ping\ndata: {"type": "ping"}\n\n' +
    'event: message_delta\ndata: {"usage":{"output_tokens":9}   }\n\nevent: message_stop\ndata: {}\n\n',
  ],
  "google/generate": ["application/json; charset=UTF-8", '{\n  "candidates": []\n}\n'],
  "google/stream_sse": [
    "text/event-stream",
    'data: {"a": 1}\r\n\r\ndata: {"b": "\\u003c"}\r\n\r\n',
  ],
  "google/stream_array": [
    "application/json; charset=UTF-8",
    '[{\n  "t": "}]{"\n}\n,\r\n{\n  "u": {"v": [1]}\n}\n]',
  ],
};

/** Writes `FIXTURES` into a new temp folder; the caller removes `path`. */
export async function writeFixtures(): Promise<{ dir: URL; path: string }> {
  const path = await Deno.makeTempDir({ prefix: "lumen-fake-fixtures-" });
  for (const [name, [contentType, body]] of Object.entries(FIXTURES)) {
    await Deno.mkdir(`${path}/${name.split("/")[0]}`, { recursive: true });
    const ext = contentType.startsWith("text/event-stream") ? "sse" : "json";
    await Deno.writeTextFile(`${path}/${name}.${ext}`, body);
    await Deno.writeTextFile(
      `${path}/${name}.case.json`,
      JSON.stringify({ content_type: contentType }),
    );
  }
  return { dir: new URL(`file://${path}/`), path };
}

/** Names (`<provider>/<case>`) of the shared fixtures that exist so far. */
export async function listSharedFixtures(): Promise<string[]> {
  const names: string[] = [];
  for (const provider of ["openai", "anthropic", "google"]) {
    try {
      for await (const entry of Deno.readDir(new URL(`${provider}/`, FIXTURES_DIR))) {
        const name = entry.name.match(/^(.+)\.case\.json$/)?.[1];
        if (name) names.push(`${provider}/${name}`);
      }
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
  }
  return names.sort();
}
