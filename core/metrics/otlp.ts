// OTLP/HTTP JSON metrics (opentelemetry-proto `ExportMetricsServiceRequest` in its JSON mapping:
// lowerCamelCase fields, 64-bit integers as decimal strings, enums as integers).
import type { Attributes, MetricFamily } from "./family.ts";

/** `AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE`. */
export const CUMULATIVE = 2;

/** What encodeOtlp() needs besides the metrics. */
export interface OtlpContext {
  /** Epoch ms the cumulative counts start from. */
  startedAt: number;
  /** Epoch ms of this collection. */
  now: number;
  version: string;
}

type KeyValue = { key: string; value: { stringValue: string } };

/** Encodes `families` as one ExportMetricsServiceRequest, resource `service.name=lumen`. */
export function encodeOtlp(
  families: MetricFamily[],
  context: OtlpContext,
): Record<string, unknown> {
  const startTimeUnixNano = nanos(context.startedAt);
  const timeUnixNano = nanos(context.now);
  const times = { startTimeUnixNano, timeUnixNano };
  const metrics = families.filter((family) => family.points.length > 0).map((family) => {
    const head = { name: family.name, description: family.description, unit: family.unit };
    switch (family.kind) {
      case "histogram":
        return {
          ...head,
          histogram: {
            aggregationTemporality: CUMULATIVE,
            dataPoints: family.points.map((point) => ({
              attributes: keyValues(point.attributes),
              ...times,
              count: String(point.count),
              sum: point.sum,
              bucketCounts: point.buckets.map(String),
              explicitBounds: family.bounds,
              ...(point.count > 0 ? { min: point.min, max: point.max } : {}),
            })),
          },
        };
      case "counter":
        return {
          ...head,
          sum: {
            aggregationTemporality: CUMULATIVE,
            isMonotonic: true,
            dataPoints: family.points.map((point) => ({
              attributes: keyValues(point.attributes),
              ...times,
              ...(family.integer ? { asInt: String(point.value) } : { asDouble: point.value }),
            })),
          },
        };
      case "gauge":
        return {
          ...head,
          gauge: {
            dataPoints: family.points.map((point) => ({
              attributes: keyValues(point.attributes),
              timeUnixNano,
              asInt: String(point.value),
            })),
          },
        };
    }
  });
  return {
    resourceMetrics: [{
      resource: {
        attributes: keyValues({ "service.name": "lumen", "service.version": context.version }),
      },
      scopeMetrics: [{ scope: { name: "lumen", version: context.version }, metrics }],
    }],
  };
}

function keyValues(attributes: Attributes): KeyValue[] {
  return Object.entries(attributes).map(([key, value]) => ({ key, value: { stringValue: value } }));
}

/** Epoch ms → nanoseconds as a decimal string (beyond 2^53, so through BigInt). */
function nanos(ms: number): string {
  return (BigInt(Math.floor(ms)) * 1_000_000n).toString();
}
