// The byte pipe between a client and a provider: headers flushed at once, every chunk written to the
// client before a tap sees it, backpressure respected. Only the body of a request Lumen reads is
// held whole (other hosts' request bodies stream through). Bytes pass unchanged unless a tap
// rewrites the request (see RequestRewrite); then its filter takes out exactly what the rewrite
// added, holding back at most one incomplete event.
import { Buffer } from "node:buffer";
import type { IncomingMessage, ServerResponse } from "node:http";
import { endToEndHeaders, flatHeaders, headerRecord } from "./headers.ts";
import { PROJECT_HEADER, projectFromHeaders } from "./project.ts";
import type { ChunkFilter, RequestRewrite, Tap, TapFactory } from "./tap.ts";
import { type UpstreamCall, type UpstreamClient, UpstreamError } from "./upstream.ts";
import { sendJsonError } from "./respond.ts";

/** LLM requests are whole JSON documents; this bounds what one request may hold in memory. */
const MAX_REQUEST_BODY_BYTES = 64 * 1024 * 1024;

/** What relayRequest() needs from the daemon. */
export interface RelayDeps {
  upstream: UpstreamClient;
  /** Whether `host` (lower-case, no port) is read; other hosts' requests are streamed untouched. */
  isMonitored(host: string): boolean;
  tapFor: TapFactory;
  /** Called when a tap throws; the tap is off for the rest of that request. */
  onTapError(error: unknown): void;
  now(): number;
  /**
   * A refusal for a monitored request (e.g. a spend budget at its limit): the answer sent instead
   * of contacting the provider, or null to let it through.
   */
  refuse?(host: string, path: string): { status: number; body: unknown } | null;
}

/** Where relayRequest() sends a request. */
export interface RelayTarget {
  /** The host the client asked for; taps and overrides key on it. */
  host: string;
  /** Where `host` is served when no override applies; default `https://<host>`. */
  origin?: URL;
  pathWithQuery: string;
  mode: "relay" | "proxy";
  /** The project of a `/p/<project>/…` relay prefix; it wins over an `X-Lumen-Project` header. */
  project?: string;
}

/** Forwards `req` to `host` (path `pathWithQuery`) and streams the answer back into `res`. */
export async function relayRequest(
  req: IncomingMessage,
  res: ServerResponse,
  target: RelayTarget,
  deps: RelayDeps,
): Promise<void> {
  const startedAt = deps.now();
  if (!deps.isMonitored(target.host)) {
    // Nothing to read: the request body streams through as it arrives, whatever its size.
    const headers = headerRecord(
      endToEndHeaders(req.rawHeaders, { drop: ["host", PROJECT_HEADER] }),
    );
    const call = deps.upstream.request({ ...upstreamTarget(target, req), headers, body: req });
    return pipeResponse(call, res, NO_TAP, null, deps);
  }
  const body = await readBody(req);
  if (body === "too-large") {
    return sendJsonError(res, 413, "request_too_large", "Request body exceeds 64 MiB");
  }
  if (body === "aborted") return;
  const refusal = deps.refuse?.(target.host, target.pathWithQuery);
  if (refusal) return sendRefusal(res, refusal);

  // Lumen holds the whole body, so an Expect: 100-continue was answered here already. The project
  // tag is Lumen's own header: the provider never sees it.
  const headers = headerRecord(
    endToEndHeaders(req.rawHeaders, { drop: ["host", "content-length", "expect", PROJECT_HEADER] }),
  );
  const queryAt = target.pathWithQuery.indexOf("?");
  const tap = safeTap(
    () =>
      deps.tapFor({
        mode: target.mode,
        host: target.host,
        method: req.method ?? "GET",
        path: queryAt === -1 ? target.pathWithQuery : target.pathWithQuery.slice(0, queryAt),
        query: queryAt === -1 ? "" : target.pathWithQuery.slice(queryAt + 1),
        headers: flatHeaders(headers),
        body,
        startedAt,
        project: target.project ?? projectFromHeaders(req.rawHeaders),
      }),
    deps.onTapError,
  );

  const rewrite = tap.rewrite();
  const call = deps.upstream.request({
    ...upstreamTarget(target, req),
    headers: rewrite ? { ...headers, ...rewrite.headers } : headers,
    body: rewrite?.body ?? body,
  });
  return pipeResponse(call, res, tap, rewrite, deps);
}

/** Sends a refusal as JSON, in the provider's error shape the refuse() hook chose. */
function sendRefusal(res: ServerResponse, refusal: { status: number; body: unknown }): void {
  const body = JSON.stringify(refusal.body);
  res.writeHead(refusal.status, {
    "content-type": "application/json",
    "content-length": String(Buffer.byteLength(body)),
    "x-lumen-error": "refused",
  });
  res.end(body);
}

function upstreamTarget(target: RelayTarget, req: IncomingMessage) {
  return {
    host: target.host,
    origin: target.origin,
    method: req.method ?? "GET",
    pathWithQuery: target.pathWithQuery,
  };
}

/** Streams the upstream's answer into `res`, past the tap and through the rewrite's filter. */
async function pipeResponse(
  call: UpstreamCall,
  res: ServerResponse,
  tap: SafeTap,
  rewrite: RequestRewrite | null,
  deps: RelayDeps,
): Promise<void> {
  let clientGone = false;
  res.once("close", () => {
    if (res.writableFinished) return;
    clientGone = true;
    call.abort(); // the client went away: stop paying for tokens nobody reads
  });

  let upstream: IncomingMessage;
  try {
    upstream = await call.response;
  } catch (error) {
    tap.end(true);
    if (clientGone) return;
    if (error instanceof UpstreamError) {
      return sendJsonError(res, error.status, error.code, error.message);
    }
    return sendJsonError(res, 502, "upstream_unreachable", String(error));
  }
  if (clientGone) {
    upstream.destroy();
    return tap.end(true);
  }

  const status = upstream.statusCode ?? 502;
  let responseHeaders = endToEndHeaders(upstream.rawHeaders);
  const tapHeaders = flatHeaders(headerRecord(responseHeaders));
  const filter = rewrite ? safeFilter(rewrite, status, tapHeaders, deps.onTapError) : null;
  if (filter) {
    // The filter changes the body's length.
    responseHeaders = responseHeaders.filter(([name]) => name.toLowerCase() !== "content-length");
  }
  res.writeHead(status, upstream.statusMessage, responseHeaders.flat());
  res.flushHeaders();
  tap.call((t) => t.onResponse(status, tapHeaders));

  upstream.on("data", (chunk: Uint8Array) => {
    const out = filter ? filter.push(chunk) : chunk;
    if (out.length > 0 && !res.write(out)) {
      upstream.pause();
      res.once("drain", () => upstream.resume());
    }
    tap.call((t) => t.onChunk(chunk));
  });
  upstream.once("end", () => {
    res.end(filter?.end());
    tap.end(false);
  });
  upstream.once("close", () => {
    if (upstream.complete) return;
    // The upstream reset mid-body: reset the client too rather than end a truncated body cleanly.
    res.destroy();
    tap.end(true);
  });
}

function readBody(req: IncomingMessage): Promise<Uint8Array | "too-large" | "aborted"> {
  return new Promise((resolve) => {
    const chunks: Uint8Array[] = [];
    let size = 0;
    req.on("data", (chunk: Uint8Array) => {
      size += chunk.length;
      if (size > MAX_REQUEST_BODY_BYTES) {
        req.removeAllListeners("data");
        req.resume();
        return resolve("too-large");
      }
      chunks.push(chunk);
    });
    req.once("end", () => resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size)));
    req.once("close", () => resolve("aborted"));
  });
}

/** A tap behind a fuse: the first throw switches it off for this request (mitmproxy's safecall). */
interface SafeTap {
  call(fn: (tap: Tap) => void): void;
  /** The tap's request rewrite, if it has one and the tap is still on. */
  rewrite(): RequestRewrite | null;
  end(aborted: boolean): void;
}

/** The tap of a request Lumen does not read. */
const NO_TAP: SafeTap = { call() {}, rewrite: () => null, end() {} };

/** A filter behind a fuse: after a throw the rest of the body passes through untouched. */
function safeFilter(
  rewrite: RequestRewrite,
  status: number,
  headers: Record<string, string>,
  onError: (error: unknown) => void,
): ChunkFilter | null {
  let filter: ChunkFilter | null;
  try {
    filter = rewrite.responseFilter(status, headers);
  } catch (error) {
    onError(error);
    return null;
  }
  if (!filter) return null;
  const guard = (fn: () => Uint8Array, raw: Uint8Array): Uint8Array => {
    if (!filter) return raw;
    try {
      return fn();
    } catch (error) {
      filter = null;
      onError(error);
      return raw;
    }
  };
  return {
    push: (chunk) => guard(() => filter!.push(chunk), chunk),
    end: () => guard(() => filter!.end(), new Uint8Array()),
  };
}

function safeTap(create: () => Tap | null, onError: (error: unknown) => void): SafeTap {
  let tap: Tap | null = null;
  let ended = false;
  const call = (fn: (tap: Tap) => void) => {
    if (!tap) return;
    try {
      fn(tap);
    } catch (error) {
      tap = null;
      onError(error);
    }
  };
  try {
    tap = create();
  } catch (error) {
    onError(error);
  }
  return {
    call,
    rewrite() {
      let rewrite: RequestRewrite | null = null;
      call((t) => rewrite = t.rewrite ?? null);
      return rewrite;
    },
    end(aborted) {
      if (ended) return;
      ended = true;
      call((t) => t.onEnd({ aborted }));
    },
  };
}
