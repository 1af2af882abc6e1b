// Metrics: the usage event stream as OpenTelemetry GenAI instruments, exposed in the Prometheus text
// format (`GET /metrics`) and pushed as OTLP/HTTP JSON to an optional collector.
// Owns the registry (cumulative since the daemon started), both encoders and the pusher. It reads
// UsageEvents only: it never imports the proxy, parsers, the store or the API; main.ts feeds it
// from the aggregator's subscription and hands `prometheusText()` to the API.
export { MetricsRegistry, type MetricsRegistryOptions } from "./registry.ts";
export { encodePrometheus } from "./prometheus.ts";
export { encodeOtlp } from "./otlp.ts";
export { otlpConfigFromEnv, OtlpPusher, type OtlpPusherOptions } from "./otlp_pusher.ts";
