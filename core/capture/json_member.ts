// Textual surgery on a JSON object's top-level members, so that every byte the edit does not
// concern reaches the client unchanged (key order, spacing and number spelling included).

/**
 * Returns `json` without its one top-level `key` member whose value is `null`, or null when there
 * is no such single member. Removes exactly one adjacent comma so the result stays valid JSON.
 *
 * `json` must be text that `JSON.parse` accepts. The key is matched as written (`"usage"`), which is
 * how every provider spells it; an escaped spelling is left alone.
 *
 * @example
 * ```ts
 * removeNullMember('{"id":"x","usage":null,"n":1}', "usage"); // '{"id":"x","n":1}'
 * removeNullMember('{"usage":{"total_tokens":3}}', "usage"); // null: the value is not null
 * ```
 */
export function removeNullMember(json: string, key: string): string | null {
  const quotedKey = JSON.stringify(key);
  let i = skipWhitespace(json, 0);
  if (json.charCodeAt(i) !== OPEN_BRACE) return null;
  i = skipWhitespace(json, i + 1);
  if (json.charCodeAt(i) === CLOSE_BRACE) return null;
  // Each member spans from its key's opening quote to the end of its value.
  const starts: number[] = [];
  const ends: number[] = [];
  let target = -1;
  while (true) {
    const keyStart = i;
    const keyEnd = skipString(json, keyStart);
    if (keyEnd < 0) return null;
    i = skipWhitespace(json, keyEnd);
    if (json.charCodeAt(i) !== COLON) return null;
    const valueStart = skipWhitespace(json, i + 1);
    const valueEnd = skipValue(json, valueStart);
    if (valueEnd < 0) return null;
    if (json.slice(keyStart, keyEnd) === quotedKey) {
      // A duplicate key makes "the" member ambiguous; leave such text alone.
      if (target >= 0) return null;
      if (valueEnd - valueStart !== 4 || !json.startsWith("null", valueStart)) return null;
      target = starts.length;
    }
    starts.push(keyStart);
    ends.push(valueEnd);
    i = skipWhitespace(json, valueEnd);
    const next = json.charCodeAt(i);
    if (next === CLOSE_BRACE) break;
    if (next !== COMMA) return null;
    i = skipWhitespace(json, i + 1);
  }
  if (target < 0) return null;
  // Take the comma that follows the member, or for the last member the one before it; whitespace
  // goes with the comma so that pretty-printed text keeps its indentation.
  let from = starts[target];
  let to = ends[target];
  if (target + 1 < starts.length) to = starts[target + 1];
  else if (target > 0) from = ends[target - 1];
  return json.slice(0, from) + json.slice(to);
}

const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;

function isWhitespace(code: number): boolean {
  return code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09;
}

function skipWhitespace(json: string, i: number): number {
  while (i < json.length && isWhitespace(json.charCodeAt(i))) i++;
  return i;
}

/** Returns the index after the string opening at `i`, or -1. */
function skipString(json: string, i: number): number {
  if (json.charCodeAt(i) !== QUOTE) return -1;
  for (i++; i < json.length; i++) {
    const code = json.charCodeAt(i);
    if (code === BACKSLASH) i++;
    else if (code === QUOTE) return i + 1;
  }
  return -1;
}

/** Returns the index after the value starting at `i`, or -1. Nested containers are skipped whole. */
function skipValue(json: string, i: number): number {
  const first = json.charCodeAt(i);
  if (first === QUOTE) return skipString(json, i);
  if (first !== OPEN_BRACE && first !== OPEN_BRACKET) {
    // A number, true, false or null runs until the next delimiter.
    const start = i;
    while (i < json.length) {
      const code = json.charCodeAt(i);
      if (code === COMMA || code === CLOSE_BRACE || code === CLOSE_BRACKET || isWhitespace(code)) {
        break;
      }
      i++;
    }
    return i > start ? i : -1;
  }
  // The input is valid JSON, so counting brackets of either kind finds the matching close.
  let depth = 0;
  while (i < json.length) {
    const code = json.charCodeAt(i);
    if (code === QUOTE) {
      i = skipString(json, i);
      if (i < 0) return -1;
      continue;
    }
    if (code === OPEN_BRACE || code === OPEN_BRACKET) depth++;
    else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) depth--;
    i++;
    if (depth === 0) return i;
  }
  return -1;
}
