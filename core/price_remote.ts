// Fetches the remote price document: one conditional GET, bounded in time and size, so a slow,
// huge or broken source can only fail a refresh, never stall or exhaust the daemon.
import { Buffer } from "node:buffer";
import { messageOf } from "./config.ts";

/** Validators of the copy we hold, sent back so an unchanged document costs a 304. */
export interface CacheValidators {
  etag: string | null;
  last_modified: string | null;
}

/** What one fetch found: the parsed JSON with its validators, or "unchanged". */
export type RemoteDocument =
  | { status: "not_modified" }
  | {
    status: "ok";
    json: unknown;
    bytes: number;
    etag: string | null;
    last_modified: string | null;
  };

/** Limits and plumbing for fetchPriceDocument(). */
export interface FetchOptions {
  fetch: typeof fetch;
  /** Whole request, body included. */
  timeoutMs: number;
  maxBytes: number;
  /** Sent as If-None-Match / If-Modified-Since when given. */
  validators?: CacheValidators | null;
  /** Aborts the request when the owner shuts down. */
  signal?: AbortSignal;
}

/**
 * GETs `url` and parses its body as JSON; throws an Error whose message is safe to log (the URL's
 * credentials and query string are redacted) on any network, HTTP, size or JSON problem.
 */
export async function fetchPriceDocument(url: URL, options: FetchOptions): Promise<RemoteDocument> {
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), options.timeoutMs);
  const signal = options.signal
    ? AbortSignal.any([options.signal, timeout.signal])
    : timeout.signal;
  try {
    const headers = new Headers({ accept: "application/json" });
    if (options.validators?.etag) headers.set("if-none-match", options.validators.etag);
    if (options.validators?.last_modified) {
      headers.set("if-modified-since", options.validators.last_modified);
    }
    const res = await options.fetch(url, { headers, signal, redirect: "follow" });
    if (res.status === 304) {
      await res.body?.cancel();
      if (!options.validators) throw new Error("Answered 304 Not Modified to an unconditional GET");
      return { status: "not_modified" };
    }
    if (!res.ok) {
      await res.body?.cancel();
      throw new Error(`Answered HTTP ${res.status}`);
    }
    const body = await readCapped(res, options.maxBytes);
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder().decode(body));
    } catch (error) {
      throw new Error(`Sent malformed JSON (${messageOf(error)})`);
    }
    return {
      status: "ok",
      json,
      bytes: body.byteLength,
      etag: res.headers.get("etag"),
      last_modified: res.headers.get("last-modified"),
    };
  } catch (error) {
    if (timeout.signal.aborted) {
      throw new Error(`Gave no full answer within ${options.timeoutMs} ms`);
    }
    if (options.signal?.aborted) throw new Error("Refresh cancelled: Lumen is shutting down");
    throw new Error(redact(messageOf(error), url));
  } finally {
    clearTimeout(timer);
  }
}

/** Reads the body, cancelling it as soon as it exceeds `maxBytes` (declared or actual). */
async function readCapped(res: Response, maxBytes: number): Promise<Uint8Array> {
  const tooBig = () => new Error(`Sent more than ${maxBytes} bytes`);
  const declared = Number(res.headers.get("content-length"));
  if (declared > maxBytes) {
    await res.body?.cancel();
    throw tooBig();
  }
  if (!res.body) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw tooBig();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, size);
}

/**
 * `url` without credentials or query string, for logs and the status API: a private price list's
 * URL may carry a token.
 */
export function redactUrl(url: URL): string {
  const shown = new URL(url.href);
  shown.username = "";
  shown.password = "";
  const query = shown.search ? "?…" : "";
  shown.search = "";
  shown.hash = "";
  return shown.href + query;
}

/** Replaces every spelling of `url` in a runtime error message by its redacted form. */
function redact(message: string, url: URL): string {
  return message.split(url.href).join(redactUrl(url));
}
