// A fake remote price source on loopback for tests: serves a LiteLLM-format document at
// /prices.json and can be switched to each way a real source fails.

/** What /prices.json answers; every mode but "good" and "zeroed" is a failure. */
export type FakeMode =
  | "good"
  | "zeroed"
  | "partial"
  | "malformed"
  | "wrong_shape"
  | "status_500"
  | "slow_headers"
  | "slow_body"
  | "huge_declared"
  | "huge_streamed";

/** A running fake source. */
export interface FakePriceSource {
  url: URL;
  /** Current answer of /prices.json. */
  mode: FakeMode;
  /** The document "good" serves; change it to publish a new version (the ETag follows). */
  document: Record<string, Record<string, unknown>>;
  /** Request headers received, oldest first. */
  requests: Headers[];
  close(): Promise<void>;
}

/** Bytes "huge_*" sends: beyond the `maxBytes` the tests use (3 MiB). */
export const HUGE_BYTES = 4 * 1024 * 1024;
const STALL_MS = 5_000;
const REFERENCE = new URL("../../shared/reference/litellm_model_prices.json", import.meta.url);
const FIXTURE = new URL("./fixtures/pricing/litellm_subset.json", import.meta.url);

/**
 * A LiteLLM document: the full reference snapshot when it is around, else the committed subset,
 * with gpt-4o's input price doubled (5 USD/Mtok, bundled 2.5) so remote prices are recognizable.
 */
export function goodDocument(): Record<string, Record<string, unknown>> {
  let text: string;
  try {
    text = Deno.readTextFileSync(REFERENCE);
  } catch {
    // Not every checkout sits beside ../shared: the committed subset has the same shape.
    text = Deno.readTextFileSync(FIXTURE);
  }
  const doc = JSON.parse(text);
  doc["gpt-4o"] = { ...doc["gpt-4o"], input_cost_per_token: 5e-6 };
  return doc;
}

/** Starts the fake on 127.0.0.1 with an OS-assigned port; `close()` stops it. */
export function startFakePriceSource(): FakePriceSource {
  // Ends stalled answers at close(); the request's own signal is avoided, as Deno.serve's fires
  // on completion too (legacy behaviour) and warns about it.
  const closing = new AbortController();
  const fake: FakePriceSource = {
    url: new URL("http://127.0.0.1/prices.json"),
    mode: "good",
    document: goodDocument(),
    requests: [],
    close: () => {
      closing.abort();
      return server.shutdown();
    },
  };
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    (req) => {
      if (new URL(req.url).pathname !== "/prices.json") return new Response(null, { status: 404 });
      fake.requests.push(req.headers);
      return answer(fake, req, closing.signal);
    },
  );
  fake.url.port = String(server.addr.port);
  return fake;
}

async function answer(
  fake: FakePriceSource,
  req: Request,
  closing: AbortSignal,
): Promise<Response> {
  const json = (body: string, headers: HeadersInit = {}) =>
    new Response(body, { headers: { "content-type": "application/json", ...headers } });
  switch (fake.mode) {
    case "good": {
      const body = JSON.stringify(fake.document);
      const etag = `"${await digest(body)}"`;
      if (req.headers.get("if-none-match") === etag) {
        return new Response(null, { status: 304, headers: { etag } });
      }
      return json(body, { etag, "last-modified": "Wed, 25 Nov 2026 10:00:00 GMT" });
    }
    case "zeroed": {
      const doc = structuredClone(fake.document);
      doc["gpt-4o"].input_cost_per_token = 0;
      return json(JSON.stringify(doc));
    }
    case "partial": {
      const keys = ["gpt-4o", "gpt-5", "claude-sonnet-4-5", "gemini/gemini-2.5-pro", "o3"];
      return json(JSON.stringify(Object.fromEntries(keys.map((k) => [k, fake.document[k]]))));
    }
    case "malformed":
      return json(JSON.stringify(fake.document).slice(0, 5000));
    case "wrong_shape":
      return json(JSON.stringify([{ model: "gpt-4o", price: 1 }]));
    case "status_500":
      return new Response("upstream broke", { status: 500 });
    case "slow_headers":
      await sleep(STALL_MS, closing);
      return json("{}");
    case "slow_body":
      return new Response(stalled(STALL_MS), { headers: { "content-type": "application/json" } });
    case "huge_declared":
      return json(" ".repeat(HUGE_BYTES));
    case "huge_streamed":
      return new Response(spaces(HUGE_BYTES));
  }
}

async function digest(text: string): Promise<string> {
  const hash = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(hash).slice(0, 8)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Resolves after `ms` or as soon as `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
  });
}

/** A body that sends its first bytes, then stalls for `ms` unless the client cancels first. */
function stalled(ms: number): ReadableStream<Uint8Array> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let wake = () => {};
  return new ReadableStream({
    start(controller) {
      controller.enqueue(new TextEncoder().encode('{"gpt-4o": '));
    },
    pull(controller) {
      return new Promise<void>((resolve) => {
        wake = resolve;
        timer = setTimeout(() => {
          controller.close();
          resolve();
        }, ms);
      });
    },
    cancel() {
      clearTimeout(timer);
      wake();
    },
  });
}

/** `total` bytes of spaces in 64 KiB chunks, without a Content-Length. */
function spaces(total: number): ReadableStream<Uint8Array> {
  const chunk = new Uint8Array(64 * 1024).fill(0x20);
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent >= total) return controller.close();
      controller.enqueue(chunk);
      sent += chunk.byteLength;
    },
  });
}
