// Helpers private to parse/: number coercion, the usage record, request facts, warnings, and the
// JSON text scanner that lets hot paths skip JSON.parse for events that cannot carry usage.

import type { ParseRequest, ParseWarning, Usage, UsageParser } from "../types.ts";
import { estimateRequestValueTokens } from "./estimate.ts";
import type { TokenTally } from "./token_tally.ts";

/** Options every parser factory accepts. */
export interface ParserOptions {
  /** Receives problems with upstream data; parsers report them here instead of throwing. */
  onWarning?(warning: ParseWarning): void;
}

/** Reports a warning; never throws. */
export type Warn = (code: string, detail: string) => void;

/** Wraps `options.onWarning` so that a faulty observer cannot break a parse. */
export function createWarn(options: ParserOptions | undefined): Warn {
  return (code, detail) => {
    try {
      options?.onWarning?.({ code, detail });
    } catch {
      // A throwing observer is the caller's bug; parsing must go on regardless.
    }
  };
}

/** Parses one SSE event's JSON, or warns and returns undefined: a bad event never ends a parse. */
export function parseEventJson(data: string, warn: Warn): unknown {
  try {
    return JSON.parse(data);
  } catch {
    warn("bad-json", `Skipped an SSE event that is not JSON (${data.length} chars)`);
    return undefined;
  }
}

/** Builds the estimated result of a response that showed no usage, from what was counted. */
export function estimatedResult(
  model: string | null,
  counts: { input: number; output: TokenTally; reasoning: TokenTally },
  why: { failed: boolean; aborted: boolean },
): { usage: Usage; reason: string } {
  const usage = emptyUsage(model, true);
  usage.input_tokens = counts.input;
  usage.output_tokens = counts.output.tokens();
  usage.reasoning_tokens = Math.min(counts.reasoning.tokens(), usage.output_tokens);
  const reason = why.failed ? "upstream error" : why.aborted ? "aborted" : "no usage";
  return { usage, reason };
}

/** Narrows to a plain JSON object. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

// Far above any real response, low enough that sums of counts stay exact integers.
const MAX_COUNT = 2 ** 40;

/** Returns `value` as a token count: a non-negative integer (capped), 0 for anything else. */
export function count(value: unknown): number {
  if (typeof value !== "number" || !(value > 0)) return 0;
  return value > MAX_COUNT ? MAX_COUNT : Math.floor(value);
}

/** Returns a zeroed usage record. */
export function emptyUsage(model: string | null, estimated: boolean): Usage {
  return {
    model,
    input_tokens: 0,
    output_tokens: 0,
    cache_read_tokens: 0,
    cache_write_tokens: 0,
    cache_write_1h_tokens: 0,
    reasoning_tokens: 0,
    provider_cost_usd: null,
    estimated,
  };
}

/** Returns the message of a provider error object (or string), for a warning. */
export function errorMessage(error: unknown): string {
  if (typeof error === "string") return error;
  if (isRecord(error)) {
    const message = error.message ?? error.code ?? error.type;
    if (typeof message === "string" || typeof message === "number") return String(message);
  }
  return "Upstream reported an error";
}

/** Returns true for a status whose response is not billed usage (anything but 2xx). */
export function isErrorStatus(status: number): boolean {
  return status < 200 || status > 299;
}

/** Returns a parser that ignores the body and reports no usage for an error status. */
export function createErrorStatusParser(contentType: string | null): UsageParser {
  const streamed = contentType?.toLowerCase().includes("text/event-stream") ?? false;
  return {
    feed() {},
    finish: () => ({ usage: null, streamed, reason: "error status" }),
  };
}

/** What a parser learns from the request body, read lazily and at most once. */
export class RequestFacts {
  #request: ParseRequest;
  #value: unknown;
  #read = false;

  constructor(request: ParseRequest) {
    this.#request = request;
  }

  /** Returns the request's `model` field, or null. */
  model(): string | null {
    const model = this.field("model");
    return typeof model === "string" ? model : null;
  }

  /** Returns a top-level field of a JSON object body, or undefined. */
  field(name: string): unknown {
    const value = this.#parse();
    return isRecord(value) ? value[name] : undefined;
  }

  /** Returns the estimated prompt tokens of the request. */
  inputTokens(): number {
    const value = this.#parse();
    if (value === undefined) return Math.ceil(this.#request.body.length / 4);
    return estimateRequestValueTokens(this.#request.provider, value);
  }

  #parse(): unknown {
    if (!this.#read) {
      this.#read = true;
      try {
        this.#value = JSON.parse(new TextDecoder().decode(this.#request.body));
      } catch {
        // Not JSON: the model stays unknown and the input estimate falls back to the byte count.
        this.#value = undefined;
      }
    }
    return this.#value;
  }
}

/** Counts text values of chosen keys in JSON text and reports keys that need a real parse. */
export type JsonScanner = (json: string) => boolean;

/**
 * Creates a scanner for hot paths that must not pay for JSON.parse on every event. It returns
 * true, counting nothing, when a `triggers` key holds a non-null value (the caller then parses
 * and reads that value by its documented path); otherwise it counts the string values of the
 * `text` keys into their tallies and returns false. With `firstOnly` (events that carry exactly
 * one text field, like Anthropic deltas) it stops at the first text key found.
 */
export function createJsonScanner(
  text: Record<string, TokenTally[]>,
  triggers: string[] = [],
  options: { firstOnly?: boolean } = {},
): JsonScanner {
  // Patterns are built once and searched as `key"`, not `"key"`: a pattern that starts with a
  // quote makes indexOf stop at every quote of the JSON (about 4x slower), and building the
  // pattern per call would hand indexOf a fresh cons string to flatten each time.
  const triggerPatterns = triggers.map((key) => key + '"');
  // Nearly every chunk holds no trigger: with three or more, one regex pass says so faster than an
  // indexOf per trigger (about 3x with Gemini's five; with two, the two indexOf passes win).
  const anyTrigger = triggers.length > 2
    ? new RegExp(`(?:${triggers.map((key) => key.replace(/[^\w]/g, "\\$&")).join("|")})"`)
    : null;
  const textPatterns = Object.entries(text).map(([key, tallies]) => ({
    pattern: key + '"',
    tallies,
  }));

  return function scan(json: string): boolean {
    for (const pattern of anyTrigger && !anyTrigger.test(json) ? [] : triggerPatterns) {
      for (let at = findValue(json, pattern, 0); at >= 0; at = findValue(json, pattern, at)) {
        if (json.charCodeAt(at) !== 110 /* n */ && at < json.length) return true;
      }
    }
    for (const { pattern, tallies } of textPatterns) {
      let found = false;
      for (let at = findValue(json, pattern, 0); at >= 0; at = findValue(json, pattern, at)) {
        if (json.charCodeAt(at) !== 34) continue;
        for (const tally of tallies) tally.addJsonString(json, at + 1);
        found = true;
      }
      if (found && options.firstOnly) break;
    }
    return false;
  };
}

// Returns where the value of the key searched as `pattern` (`key"`) starts after `from`, or -1.
function findValue(json: string, pattern: string, from: number): number {
  for (;;) {
    const at = json.indexOf(pattern, from);
    if (at < 0) return -1;
    from = at + 1;
    // `"key"` followed by ':' is a key: inside a JSON string every quote is escaped.
    if (json.charCodeAt(at - 1) !== 34 || json.charCodeAt(at - 2) === 92) continue;
    const colon = skipSpace(json, at + pattern.length);
    if (json.charCodeAt(colon) === 58) return skipSpace(json, colon + 1);
  }
}

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}

function skipSpace(json: string, i: number): number {
  while (isSpace(json.charCodeAt(i))) i++;
  return i;
}
