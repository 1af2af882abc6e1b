// Offline token estimation for responses without provider usage: text (through TokenTally) and
// request bodies (their prompt-bearing fields only; the text is counted, never kept).

import type { Provider } from "../types.ts";
import { TokenTally } from "./token_tally.ts";

/**
 * Estimates the tokens of a text without a tokenizer.
 *
 * @example
 * ```ts
 * estimateTokens("The quick brown fox jumps over the lazy dog."); // 10
 * ```
 */
export function estimateTokens(text: string): number {
  const tally = new TokenTally();
  tally.add(text);
  return tally.tokens();
}

// Chat framing: role markers and separators cost a few tokens per message and per request (OpenAI
// documents 3 + 3); images get a flat cost because their real cost depends on size and detail.
const MESSAGE_TOKENS = 3;
const REQUEST_TOKENS = 3;
const IMAGE_TOKENS = 800;
const MAX_NODES = 1_000_000;

/**
 * Estimates the prompt tokens of a request body from its text fields, or from its size when it is
 * not JSON.
 *
 * @example
 * ```ts
 * const body = new TextEncoder().encode('{"messages":[{"role":"user","content":"Hi"}]}');
 * estimateRequestTokens("openai", body); // 7
 * ```
 */
export function estimateRequestTokens(provider: Provider, body: Uint8Array): number {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(body));
  } catch {
    // Not JSON (or not text): fall back to ~4 bytes per token.
    return Math.ceil(body.length / 4);
  }
  return estimateRequestValueTokens(provider, value);
}

/** Estimates the prompt tokens of an already parsed request body. */
export function estimateRequestValueTokens(_provider: Provider, value: unknown): number {
  const tally = new TokenTally();
  if (!isRecord(value)) {
    tallyValue(value, tally);
    return tally.tokens();
  }
  // The field names of the three dialects do not collide, so one walk serves every provider.
  let matched = false;
  for (const key of ["instructions", "system", "prompt", "input", "systemInstruction", "content"]) {
    if (value[key] === undefined) continue;
    matched = true;
    tally.addTokens(MESSAGE_TOKENS);
    tallyContent(value[key], tally);
  }
  for (const key of ["messages", "contents", "requests"]) {
    const list = value[key];
    if (!Array.isArray(list)) continue;
    matched = true;
    for (const message of list) {
      tally.addTokens(MESSAGE_TOKENS);
      tallyContent(message, tally);
    }
  }
  if (value.tools !== undefined) {
    matched = true;
    tallyValue(value.tools, tally);
  }
  if (!matched) tallyValue(value, tally);
  else tally.addTokens(REQUEST_TOKENS);
  return tally.tokens();
}

// Reads the text-bearing fields of a message, content part, Responses input item or Gemini
// Content; images count a flat amount, and structured tool payloads count every key and value.
function tallyContent(root: unknown, tally: TokenTally): void {
  const stack: unknown[] = [root];
  let nodes = 0;
  while (stack.length > 0 && nodes++ < MAX_NODES) {
    const item = stack.pop();
    if (typeof item === "string") {
      tally.addTokens(0);
      tally.add(item);
    } else if (typeof item === "number") {
      tally.addTokens(1); // a token id (prompt given as token arrays)
    } else if (Array.isArray(item)) {
      for (let i = item.length - 1; i >= 0; i--) stack.push(item[i]);
    } else if (isRecord(item)) {
      const type = item.type;
      if (typeof type === "string" && IMAGE_TYPE_REGEXP.test(type)) tally.addTokens(IMAGE_TOKENS);
      if (item.inlineData !== undefined || item.fileData !== undefined) {
        tally.addTokens(IMAGE_TOKENS);
      }
      for (const key of TEXT_KEYS) {
        if (item[key] !== undefined) stack.push(item[key]);
      }
      for (const key of STRUCTURED_KEYS) {
        if (item[key] !== undefined) tallyValue(item[key], tally);
      }
    }
  }
}

const IMAGE_TYPE_REGEXP = /image|document|file|audio/;
const TEXT_KEYS = [
  "text",
  "content",
  "parts",
  "thinking",
  "refusal",
  "arguments",
  "output",
  "summary",
  "tool_calls",
  "function",
  "name",
];
const STRUCTURED_KEYS = ["input", "functionCall", "functionResponse", "function_call"];

// Counts every key and scalar of a structured value (tool schemas, tool-call arguments).
function tallyValue(root: unknown, tally: TokenTally): void {
  const stack: unknown[] = [root];
  let nodes = 0;
  while (stack.length > 0 && nodes++ < MAX_NODES) {
    const item = stack.pop();
    if (typeof item === "string") {
      tally.addTokens(0);
      tally.add(item);
    } else if (typeof item === "number" || typeof item === "boolean") {
      tally.addTokens(1);
    } else if (Array.isArray(item)) {
      for (let i = item.length - 1; i >= 0; i--) stack.push(item[i]);
    } else if (isRecord(item)) {
      for (const key of Object.keys(item)) {
        tally.addTokens(1); // quotes and colon around the key
        tally.add(key);
        stack.push(item[key]);
      }
    }
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
