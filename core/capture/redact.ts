// Takes credentials out of what the debug capture keeps: header values and query parameters.

/** What a redacted value reads as. */
export const REDACTED = "[redacted]";

/** Credential headers named exactly; anything matching SECRET_NAME_REGEXP is redacted as well. */
const SECRET_HEADERS = new Set([
  "authorization",
  "proxy-authorization",
  "x-api-key",
  "x-goog-api-key",
  "cookie",
  "set-cookie",
]);

/** Names that carry credentials by convention (`key`, `x-amz-security-token`, `client_secret`, …). */
const SECRET_NAME_REGEXP = /key|token|secret|password|auth/i;

/** Whether a header or query parameter named `name` may carry a credential. */
export function isSecretName(name: string): boolean {
  return SECRET_HEADERS.has(name.toLowerCase()) || SECRET_NAME_REGEXP.test(name);
}

/** Returns a copy of `headers` with every credential's value replaced by REDACTED. */
export function redactHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    out[name] = isSecretName(name) ? REDACTED : value;
  }
  return out;
}

/**
 * Returns `query` (without `?`) with every credential parameter's value replaced by REDACTED; the
 * other parameters keep their exact spelling. Names are matched decoded, so `%6Bey=` is caught.
 */
export function redactQuery(query: string): string {
  if (!query) return query;
  return query.split("&").map((part) => {
    const at = part.indexOf("=");
    const rawName = at === -1 ? part : part.slice(0, at);
    return isSecretName(decodeName(rawName)) ? `${rawName}=${REDACTED}` : part;
  }).join("&");
}

function decodeName(raw: string): string {
  const spaced = raw.replaceAll("+", " ");
  try {
    return decodeURIComponent(spaced);
  } catch {
    // Malformed percent-encoding: match the name as written.
    return spaced;
  }
}

/**
 * Returns JSON text (or text holding JSON, such as SSE) with the string value of every member
 * whose name is a credential's replaced by REDACTED, everything else kept character for character.
 * A scanner rather than JSON.parse: a body cut at the capture's cap still gets redacted, and a
 * member spelled inside a prompt's string is left alone.
 */
export function redactJsonText(text: string): string {
  let out = "";
  let copied = 0;
  // "name": after a credential's member name; "value": after its colon.
  let state: "none" | "name" | "value" = "none";
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (ch === '"') {
      const end = stringEnd(text, i);
      if (state === "value") {
        out += `${text.slice(copied, i)}"${REDACTED}"`;
        copied = end === -1 ? text.length : end;
        state = "none";
      } else if (end !== -1) {
        state = isSecretName(jsonString(text.slice(i, end))) && nextIsColon(text, end)
          ? "name"
          : "none";
      }
      if (end === -1) break;
      i = end;
      continue;
    }
    if (ch === ":" && state === "name") state = "value";
    else if (!WHITESPACE_REGEXP.test(ch)) state = "none";
    i++;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

const WHITESPACE_REGEXP = /\s/;

/** The index just past the string that opens at `start`, or -1 when the text ends inside it. */
function stringEnd(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === "\\") i++;
    else if (text[i] === '"') return i + 1;
  }
  return -1;
}

function nextIsColon(text: string, from: number): boolean {
  let i = from;
  while (i < text.length && WHITESPACE_REGEXP.test(text[i])) i++;
  return text[i] === ":";
}

/** A JSON string literal's value (`"api\u005fkey"` → `api_key`), or its raw text if malformed. */
function jsonString(literal: string): string {
  try {
    return JSON.parse(literal);
  } catch {
    return literal.slice(1, -1);
  }
}
