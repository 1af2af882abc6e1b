// Timed node:http(s) requests for the benchmark: every path (direct, relay, proxy) goes through the
// same client library, so the differences are Lumen's and not the client's.
import type http from "node:http";
import type https from "node:https";

/** A way to reach the fake upstream: straight, through the relay, or through proxy mode. */
export interface Target {
  name: string;
  url: (path: string) => URL;
  agent: http.Agent;
  lib: typeof http | typeof https;
}

/** A POST the benchmark repeats. */
export interface BenchRequest {
  path: string;
  headers: Record<string, string>;
  body: string;
}

/** A plain chat completion, answered whole. */
export const CHAT: BenchRequest = {
  path: "/v1/chat/completions",
  headers: { "x-fake-case": "openai/chat", "x-fake-chunking": "whole" },
  body: JSON.stringify({ model: "gpt-5-mini", messages: [{ role: "user", content: "hi" }] }),
};

/**
 * A streamed chat completion, one event per write, `delayMs` between writes. Without
 * `include_usage` from the client, Lumen adds it and filters the usage event back out.
 */
export function streamRequest(delayMs: number, includeUsage = true): BenchRequest {
  return {
    path: "/v1/chat/completions",
    headers: {
      "x-fake-case": "openai/chat_stream_usage",
      "x-fake-chunking": "events",
      "x-fake-delay-ms": String(delayMs),
    },
    body: JSON.stringify({
      model: "gpt-5-mini",
      messages: [{ role: "user", content: "hi" }],
      stream: true,
      ...includeUsage ? { stream_options: { include_usage: true } } : {},
    }),
  };
}

/** How one request went, in ms from the start: first body byte, end, and the gaps between chunks. */
export interface Timing {
  first: number;
  total: number;
  gaps: number[];
  /** `performance.now()` at the end of the response. */
  end: number;
}

/** A response that takes longer is a failure, so that no phase can hang on one request. */
const REQUEST_TIMEOUT_MS = 30_000;

/** Sends `request` to `target` and times it; rejects on an error, a non-2xx or a cut response. */
export function timedRequest(target: Target, request: BenchRequest): Promise<Timing> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const req = target.lib.request(target.url(request.path), {
      method: "POST",
      agent: target.agent,
      headers: { "content-type": "application/json", ...request.headers },
    });
    const timer = setTimeout(() => {
      req.destroy(new Error(`${target.name}: no response within ${REQUEST_TIMEOUT_MS} ms`));
    }, REQUEST_TIMEOUT_MS);
    const fail = (error: Error) => {
      clearTimeout(timer);
      reject(error);
    };
    req.on("response", (res) => {
      const status = res.statusCode ?? 0;
      let first = 0;
      let last = 0;
      let ended = false;
      const gaps: number[] = [];
      res.on("data", () => {
        const now = performance.now();
        if (!first) first = now - start;
        else gaps.push(now - last);
        last = now;
      });
      res.on("end", () => {
        ended = true;
        clearTimeout(timer);
        const end = performance.now();
        if (status < 200 || status > 299) {
          return reject(new Error(`${target.name}: ${request.path} answered ${status}`));
        }
        resolve({ first, total: end - start, gaps, end });
      });
      res.on("error", fail);
      res.on("close", () => ended || fail(new Error(`${target.name}: response cut`)));
    });
    req.on("error", fail);
    req.end(request.body);
  });
}
