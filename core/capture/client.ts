// Names the client behind a request from its User-Agent and the headers known clients send.
//
// Formats seen on the wire (apps first: several are built on an SDK whose name they keep):
// - Claude Code: `claude-cli/2.1.187 (external, cli)`, header `x-app: cli`.
// - Codex CLI: `codex_cli_rs/0.38.0 (Ubuntu 24.04.2 LTS; x86_64) WindowsTerminal`, header
//   `originator: codex_cli_rs` (other originators, e.g. `codex_vscode`, start with `codex` too).
// - Gemini CLI: `GeminiCLI/0.1.5 (linux; x64)`. OpenCode: `opencode/0.9.1 …`.
// - Cursor: `cursor` in the User-Agent or an `x-cursor-client-version` header.
// - Stainless SDKs: `OpenAI/JS 4.57.0`, `OpenAI/Python 1.40.0`, `Anthropic/JS 0.30.0`,
//   `Anthropic/Python 0.34.0` (also `x-stainless-lang`); Google Gen AI: `x-goog-api-client:
//   google-genai-sdk/1.2.0 gl-node/v22.0.0` (`gl-python/3.12.1` from Python).

/** Client name → what identifies it; the first match wins. */
const CLIENT_PATTERNS: [RegExp, string][] = [
  [/claude-cli\/|claude-code/i, "claude-code"],
  [/\bopencode\b/i, "opencode"],
  [/cursor/i, "cursor"],
  [/codex/i, "codex"],
  [/gemini-cli|geminicli/i, "gemini-cli"],
  [/claude-desktop|claude\/\d/i, "claude-desktop"],
  [/^curl\//i, "curl"],
];

/** `OpenAI/JS 4.57.0`, `Anthropic/Python 0.34.0`: the Stainless SDKs' User-Agent. */
const STAINLESS_REGEXP = /\b(openai|anthropic)\/(js|python|go|java|kotlin|ruby|node)\b/i;
/** `google-genai-sdk/1.2.0 gl-node/…` (or `gl-python/…`), in `x-goog-api-client`. */
const GOOGLE_GENAI_REGEXP = /google-genai-sdk\/\S+(?:.*\bgl-(node|python|go|java)\/)?/i;
/** Any other SDK-looking agent: counted as "sdk". */
const OTHER_SDK_REGEXP = /openai\/|anthropic\/|google-api-|genai-js|stainless|\bai-sdk\//i;

/**
 * Returns a short client name: an app ("claude-code", "codex", "gemini-cli", "opencode", "cursor",
 * "claude-desktop", "curl"), an SDK by vendor and language ("openai-js", "anthropic-python",
 * "google-genai-js", …), "sdk" for another SDK, or "other" when unknown.
 */
export function detectClient(headers: Record<string, string>): string {
  const agent = `${headers["user-agent"] ?? ""} ${headers["x-goog-api-client"] ?? ""}`;
  for (const [pattern, name] of CLIENT_PATTERNS) if (pattern.test(agent)) return name;
  if (headers["x-app"] === "cli") return "claude-code";
  if (/^codex/i.test(headers["originator"] ?? "")) return "codex";
  if (headers["x-cursor-client-version"]) return "cursor";
  const stainless = STAINLESS_REGEXP.exec(agent);
  if (stainless) return sdkName(stainless[1], stainless[2]);
  const genai = GOOGLE_GENAI_REGEXP.exec(agent);
  if (genai) return sdkName("google-genai", genai[1] ?? "");
  if (OTHER_SDK_REGEXP.test(agent) || headers["x-stainless-lang"]) return "sdk";
  return "other";
}

/** `openai` + `JS` → "openai-js"; Node counts as JS; without a language, the vendor's "-sdk". */
function sdkName(vendor: string, lang: string): string {
  const language = lang.toLowerCase() === "node" ? "js" : lang.toLowerCase();
  return language ? `${vendor.toLowerCase()}-${language}` : `${vendor.toLowerCase()}-sdk`;
}
