// Names the client behind a request from its User-Agent and the headers known clients send.

const CLIENT_PATTERNS: [RegExp, string][] = [
  [/claude-cli\/|claude-code/i, "claude-code"],
  [/opencode/i, "opencode"],
  [/cursor/i, "cursor"],
  [/codex/i, "codex"],
  [/gemini-cli|geminicli/i, "gemini-cli"],
  [/claude-desktop|claude\/\d/i, "claude-desktop"],
  [/^curl\//i, "curl"],
  [/openai\/|anthropic\/|google-genai-sdk|google-api-|genai-js|stainless/i, "sdk"],
];

/** Returns a short client name such as "claude-code", "sdk" or "curl"; "other" when unknown. */
export function detectClient(headers: Record<string, string>): string {
  const agent = `${headers["user-agent"] ?? ""} ${headers["x-goog-api-client"] ?? ""}`;
  for (const [pattern, name] of CLIENT_PATTERNS) if (pattern.test(agent)) return name;
  if (headers["x-stainless-lang"]) return "sdk";
  return "other";
}
