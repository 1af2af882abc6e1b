// `/api/pricing`: which price tables are in use, how a model name resolves, and a manual refresh.
import type { Provider } from "../types.ts";
import { ApiError } from "./errors.ts";

/** How a model name resolved to a price entry, and in which layer. */
export interface PricingMatch {
  key: string;
  how: string;
  source: string;
  entry: object;
}

/** The price sources as the API sees them (main.ts injects PriceSources). */
export interface PricingService {
  /** Layers, the active one, their age and last errors. */
  status(): object;
  /** Re-reads every source; never rejects, `refreshed` is false when a source failed. */
  refresh(): Promise<{ refreshed: boolean }>;
  /** The pricer in use; only its lookup is needed here. */
  pricer(): { match(provider: Provider, model: string): PricingMatch | null };
}

const PROVIDERS: readonly Provider[] = [
  "openai",
  "anthropic",
  "google",
  "cursor",
  "claude_ai",
  "custom",
];
const MAX_MODEL_LENGTH = 200;

/** `GET /api/pricing`: the status, or with `?model=X[&provider=Y]` how X resolves. */
export function getPricing(pricing: PricingService, url: URL): unknown {
  const model = url.searchParams.get("model");
  if (model === null) return pricing.status();
  if (model.trim() === "" || model.length > MAX_MODEL_LENGTH) {
    throw new ApiError(
      400,
      "bad_request",
      `model must be a model name of 1 to ${MAX_MODEL_LENGTH} characters`,
    );
  }
  const provider = providerOf(url.searchParams.get("provider"), model);
  const found = pricing.pricer().match(provider, model);
  return {
    model,
    provider,
    match: found && { key: found.key, how: found.how, source: found.source, entry: found.entry },
  };
}

function providerOf(raw: string | null, model: string): Provider {
  if (raw === null || raw === "") return guessProvider(model);
  if (!PROVIDERS.includes(raw as Provider)) {
    throw new ApiError(400, "bad_request", `provider must be one of ${PROVIDERS.join(", ")}`);
  }
  return raw as Provider;
}

// The provider is the API dialect and only breaks ties between tables listing the same id, so a
// guess from the name is enough for a lookup that names no provider.
function guessProvider(model: string): Provider {
  const id = model.trim().toLowerCase().replace(/^.*\//, "");
  if (id.startsWith("claude")) return "anthropic";
  if (id.startsWith("gemini") || id.startsWith("gemma")) return "google";
  return "openai";
}
