// OpenTelemetry GenAI semantic-convention values for a usage event (semconv "gen-ai-metrics",
// https://opentelemetry.io/docs/specs/semconv/gen-ai/gen-ai-metrics/).
import type { Provider, UsageEvent } from "../types.ts";

/**
 * `gen_ai.provider.name` (it replaced `gen_ai.system` in semconv 1.37): the well-known values for
 * the three APIs; Lumen's own ids for the rest, which semconv has no value for.
 */
const PROVIDER_NAMES: Record<Provider, string> = {
  openai: "openai",
  anthropic: "anthropic",
  google: "gcp.gemini",
  cursor: "cursor",
  claude_ai: "claude_ai",
  custom: "custom",
};

/** The semconv provider name of `provider`. */
export function providerName(provider: Provider): string {
  return PROVIDER_NAMES[provider] ?? provider;
}

/**
 * `gen_ai.operation.name` from the upstream path: `embeddings`, `generate_content` (Gemini),
 * `text_completion` (legacy completions) and `chat` for everything else (chat completions,
 * responses, messages, and the apps' chat endpoints).
 */
export function operationName(path: string): string {
  if (/embed/i.test(path)) return "embeddings";
  if (/generateContent/i.test(path)) return "generate_content";
  if (/\/completions$/.test(path) && !/\/chat\/completions$/.test(path)) return "text_completion";
  return "chat";
}

/**
 * The attributes every GenAI instrument carries. Lumen sees one model name per response (the
 * response's, else the request's), so the request and response model carry the same value.
 */
export function genAiAttributes(event: UsageEvent): Record<string, string> {
  const model = event.model ?? "unknown";
  return {
    "gen_ai.operation.name": operationName(event.path),
    "gen_ai.provider.name": providerName(event.provider),
    "gen_ai.request.model": model,
    "gen_ai.response.model": model,
  };
}
