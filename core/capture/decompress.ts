// Decompresses the tap's own copy of a response body. The client's bytes are never touched.
import zlib from "node:zlib";
import type { Transform } from "node:stream";

/** Output bytes one response may decompress to before the tap gives up (gzip-bomb guard). */
export const DECOMPRESS_BUDGET_BYTES = 64 * 1024 * 1024;

/** An incremental decompressor feeding `onData`; `end()` resolves once all output was delivered. */
export interface Decompressor {
  write(chunk: Uint8Array): void;
  /** Resolves true when the body decoded completely within budget. */
  end(): Promise<boolean>;
}

/** Returns a decompressor for a `content-encoding`, or null for identity / unknown encodings. */
export function createDecompressor(
  encoding: string | undefined,
  onData: (chunk: Uint8Array) => void,
  budgetBytes = DECOMPRESS_BUDGET_BYTES,
): Decompressor | null {
  const codings = (encoding ?? "").toLowerCase().split(",").map((c) => c.trim()).filter((c) =>
    c && c !== "identity"
  );
  if (codings.length !== 1) return null; // stacked codings are unheard of from LLM APIs
  const coding = codings[0];
  if (coding === "deflate") return createDeflateDecompressor(onData, budgetBytes);
  const make = FACTORIES[coding];
  return make ? wrap(make(), onData, budgetBytes) : null;
}

const FACTORIES: Record<string, () => Transform> = {
  gzip: () => zlib.createGunzip(),
  "x-gzip": () => zlib.createGunzip(),
  br: () => zlib.createBrotliDecompress(),
  zstd: () => zlib.createZstdDecompress(),
};

function wrap(
  stream: Transform,
  onData: (chunk: Uint8Array) => void,
  budget: number,
): Decompressor {
  let produced = 0;
  let ok = true;
  const done = new Promise<boolean>((resolve) => {
    stream.on("data", (chunk: Uint8Array) => {
      if (!ok) return;
      produced += chunk.length;
      if (produced > budget) {
        ok = false;
        stream.destroy();
        return resolve(false);
      }
      onData(chunk);
    });
    stream.once("end", () => resolve(ok));
    stream.once("error", () => {
      ok = false;
      resolve(false);
    });
    stream.once("close", () => resolve(ok));
  });
  return {
    write(chunk) {
      if (ok) stream.write(chunk);
    },
    end() {
      if (ok) stream.end();
      return done;
    },
  };
}

// "deflate" should be zlib-wrapped (RFC 9110 §8.4.1.2), but some servers send raw deflate: the
// first byte tells them apart (0x78 is the zlib header's CMF byte for a 32 KiB window).
function createDeflateDecompressor(
  onData: (chunk: Uint8Array) => void,
  budget: number,
): Decompressor {
  let inner: Decompressor | null = null;
  let head = new Uint8Array(0);
  return {
    write(chunk) {
      if (inner) return inner.write(chunk);
      const joined = new Uint8Array(head.length + chunk.length);
      joined.set(head);
      joined.set(chunk, head.length);
      if (joined.length < 2) return void (head = joined);
      const zlibWrapped = (joined[0] & 0x0f) === 8 && ((joined[0] << 8) | joined[1]) % 31 === 0;
      inner = wrap(zlibWrapped ? zlib.createInflate() : zlib.createInflateRaw(), onData, budget);
      inner.write(joined);
    },
    end: () => inner ? inner.end() : Promise.resolve(true),
  };
}
