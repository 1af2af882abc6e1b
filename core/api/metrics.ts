// `GET /metrics`: the Prometheus scrape endpoint, behind the same Host guard as every API route.

/** Produces the current metrics in the Prometheus text format (main.ts wires the registry). */
export interface MetricsService {
  prometheusText(): string;
}

/** The Content-Type of the Prometheus text exposition format 0.0.4. */
export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/** Answers a scrape. */
export function getMetrics(metrics: MetricsService): Response {
  return new Response(metrics.prometheusText(), {
    headers: { "content-type": PROMETHEUS_CONTENT_TYPE, "cache-control": "no-store" },
  });
}
