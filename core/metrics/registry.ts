// The metrics registry: every usage event since the daemon started, as cumulative instruments.
import type { UsageEvent } from "../types.ts";
import {
  type Attributes,
  type CounterPoint,
  emptyHistogram,
  type MetricFamily,
  type MetricInfo,
  observe,
  SeriesMap,
} from "./family.ts";
import { genAiAttributes, providerName } from "./gen_ai.ts";

/** semconv's ExplicitBucketBoundaries for `gen_ai.client.token.usage`. */
export const TOKEN_BOUNDS = [
  1,
  4,
  16,
  64,
  256,
  1024,
  4096,
  16384,
  65536,
  262144,
  1048576,
  4194304,
  16777216,
  67108864,
];
/** semconv's ExplicitBucketBoundaries for `gen_ai.client.operation.duration`, seconds. */
export const DURATION_BOUNDS = [
  0.01,
  0.02,
  0.04,
  0.08,
  0.16,
  0.32,
  0.64,
  1.28,
  2.56,
  5.12,
  10.24,
  20.48,
  40.96,
  81.92,
];

const TOKEN_USAGE: MetricInfo = {
  name: "gen_ai.client.token.usage",
  promName: "gen_ai_client_token_usage",
  description: "Number of input and output tokens used per request, by token type",
  unit: "{token}",
};
const DURATION: MetricInfo = {
  name: "gen_ai.client.operation.duration",
  promName: "gen_ai_client_operation_duration_seconds",
  description: "GenAI operation duration: request sent to last byte received",
  unit: "s",
};
const REQUESTS: MetricInfo = {
  name: "lumen.requests",
  promName: "lumen_requests_total",
  description: "LLM API responses Lumen saw, by provider, model, client and HTTP status",
  unit: "{request}",
};
const COST: MetricInfo = {
  name: "lumen.cost",
  promName: "lumen_cost_usd_total",
  description: "Billed cost of priced responses in USD (subscription traffic is not in it)",
  unit: "USD",
};
const API_EQUIVALENT: MetricInfo = {
  name: "lumen.api_equivalent_cost",
  promName: "lumen_api_equivalent_usd_total",
  description:
    "API-equivalent price in USD of subscription traffic, which the plan pays, not billed",
  unit: "USD",
};
const BUILD_INFO: MetricInfo = {
  name: "lumen.build.info",
  promName: "lumen_build_info",
  description: "Always 1; the running Lumen version as a label",
  unit: "1",
};

/**
 * Token types recorded per event. `input` and `output` are semconv's; the rest are Lumen's.
 * Lumen's `input` excludes cached and cache-written tokens, so input + output + cache_read +
 * cache_write is everything billed; `reasoning` is the part of `output` spent on reasoning.
 */
const TOKEN_TYPES = [
  ["input", "input_tokens"],
  ["output", "output_tokens"],
  ["cache_read", "cache_read_tokens"],
  ["cache_write", "cache_write_tokens"],
  ["reasoning", "reasoning_tokens"],
] as const;

/** Options of a MetricsRegistry. */
export interface MetricsRegistryOptions {
  /** Epoch ms the counts start from (the daemon's start): OTLP's start time. */
  startedAt: number;
  version: string;
}

/** Cumulative metrics over the usage events recorded since the registry was made. */
export class MetricsRegistry {
  /** Epoch ms the counts start from. */
  readonly startedAt: number;
  readonly version: string;
  #tokens = new SeriesMap((a) => emptyHistogram(a, TOKEN_BOUNDS));
  #duration = new SeriesMap((a) => emptyHistogram(a, DURATION_BOUNDS));
  #requests = new SeriesMap<CounterPoint>((attributes) => ({ attributes, value: 0 }));
  #cost = new SeriesMap<CounterPoint>((attributes) => ({ attributes, value: 0 }));
  #apiEquivalent = new SeriesMap<CounterPoint>((attributes) => ({ attributes, value: 0 }));

  constructor(options: MetricsRegistryOptions) {
    this.startedAt = options.startedAt;
    this.version = options.version;
  }

  /** Adds one usage event to every instrument. Never throws on odd values (they are skipped). */
  record(event: UsageEvent): void {
    const common = genAiAttributes(event);
    // Token usage is recorded only for responses that used tokens, once per type that has any;
    // input and output always go together so their counts are the requests with usage.
    const used = TOKEN_TYPES.some(([, field]) => count(event[field]) > 0);
    if (used) {
      for (const [type, field] of TOKEN_TYPES) {
        const tokens = count(event[field]);
        if (tokens === 0 && type !== "input" && type !== "output") continue;
        const point = this.#tokens.get({ ...common, "gen_ai.token.type": type });
        observe(point, TOKEN_BOUNDS, tokens);
      }
    }
    if (Number.isFinite(event.latency_ms) && event.latency_ms >= 0) {
      // semconv: error.type is conditionally required when the operation ended in an error.
      const error: Attributes = event.status >= 400 ? { "error.type": String(event.status) } : {};
      observe(
        this.#duration.get({ ...common, ...error }),
        DURATION_BOUNDS,
        event.latency_ms / 1000,
      );
    }
    const byModel = {
      "gen_ai.provider.name": providerName(event.provider),
      "gen_ai.request.model": common["gen_ai.request.model"],
    };
    this.#requests.get({
      ...byModel,
      "lumen.client": event.client,
      "http.response.status_code": String(event.status),
    }).value++;
    if (event.cost_usd !== null && Number.isFinite(event.cost_usd) && event.cost_usd >= 0) {
      const counter = event.price_source === "subscription" ? this.#apiEquivalent : this.#cost;
      counter.get(byModel).value += event.cost_usd;
    }
  }

  /** A snapshot of every metric, families in a fixed order (empty ones included). */
  collect(): MetricFamily[] {
    return [
      { ...TOKEN_USAGE, kind: "histogram", bounds: TOKEN_BOUNDS, points: this.#tokens.values() },
      { ...DURATION, kind: "histogram", bounds: DURATION_BOUNDS, points: this.#duration.values() },
      { ...REQUESTS, kind: "counter", integer: true, points: this.#requests.values() },
      { ...COST, kind: "counter", integer: false, points: this.#cost.values() },
      {
        ...API_EQUIVALENT,
        kind: "counter",
        integer: false,
        points: this.#apiEquivalent.values(),
      },
      {
        ...BUILD_INFO,
        kind: "gauge",
        points: [{ attributes: { "lumen.version": this.version }, value: 1 }],
      },
    ];
  }
}

function count(value: number): number {
  return Number.isFinite(value) && value > 0 ? value : 0;
}
