// What Lumen reads from each provider's hosts, and which modes reach them. Pure. Kept true to
// core/parse/ (parserFor, custom.ts), core/capture/usage_tap.ts and core/proxy/route.ts.
import type { Provider } from "#lib/types.ts";

/** A short account of the usage Lumen takes from a provider's responses. */
export const CAPTURES: Readonly<Record<Provider, string>> = {
  openai: "Chat Completions (and legacy Completions), Responses and Embeddings usage from JSON " +
    "and SSE bodies. Chat streams that hide usage get stream_options.include_usage added (a " +
    "setting, on by default), and the extra usage chunk is taken out before your client sees it.",
  anthropic: "Messages usage from JSON and SSE, with cache reads and cache writes (5-minute and " +
    "1-hour writes kept apart for pricing). Free count_tokens calls are not counted. With a Claude " +
    "plan's OAuth token, the unified rate-limit headers give the 5-hour and 7-day windows, and " +
    "costs are API-equivalent.",
  google: "generateContent and streamGenerateContent usageMetadata (JSON, SSE or a streamed " +
    "JSON array), thinking tokens counted as output. Embeddings are estimated from the request " +
    "text.",
  cursor: "Chat, Composer and agent runs over Connect (protobuf) streams: the agent's turn " +
    "totals when Cursor sends them, otherwise estimated from payload sizes. Tab completions and " +
    "telemetry are not counted.",
  claude_ai: "Web-app completions. No token counts travel on the wire, so tokens are estimated " +
    "from the streamed text and priced API-equivalent (the plan, not the tokens, is billed); the " +
    "plan's 5-hour and 7-day usage windows are kept.",
  custom: "OpenAI-, Anthropic- and Gemini-shaped responses and Ollama's /api/chat and " +
    "/api/generate, recognised by path or request body; other prompt-shaped calls are estimated " +
    "from the text.",
};

/** Providers with a relay route: `/<prefix>/…` on the proxy port goes to their API host. */
const RELAY_PREFIXES: Partial<Record<Provider, string>> = {
  openai: "openai",
  anthropic: "anthropic",
  google: "google",
};

/** The relay base URL that reaches `provider`, or null when only proxy mode does. */
export function relayUrl(provider: Provider, proxyPort: number): string | null {
  const prefix = RELAY_PREFIXES[provider];
  return prefix ? `http://127.0.0.1:${proxyPort}/${prefix}` : null;
}

/** For a `*.` host, the domain whose subdomains it covers; null for an exact host. */
export function wildcardBase(host: string): string | null {
  return host.startsWith("*.") ? host.slice(2) : null;
}
