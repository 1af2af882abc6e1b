// The in-memory shape of a metric: a family of series keyed by their attributes, cumulative.

/** Attribute key → value; keys use OpenTelemetry's dotted names (`gen_ai.token.type`). */
export type Attributes = Record<string, string>;

/** What every metric declares once. */
export interface MetricInfo {
  /** OpenTelemetry instrument name, e.g. `gen_ai.client.token.usage`. */
  name: string;
  /** The Prometheus name, e.g. `gen_ai_client_token_usage` or `lumen_requests_total`. */
  promName: string;
  description: string;
  /** UCUM unit, e.g. `{token}` or `s`. */
  unit: string;
}

/** One counter series. */
export interface CounterPoint {
  attributes: Attributes;
  value: number;
}

/** One histogram series; `buckets[i]` counts values ≤ bounds[i] (and > bounds[i-1]), the last +Inf. */
export interface HistogramPoint {
  attributes: Attributes;
  buckets: number[];
  count: number;
  sum: number;
  min: number;
  max: number;
}

/** A snapshot of one metric with all its series. */
export type MetricFamily =
  | MetricInfo & { kind: "counter"; integer: boolean; points: CounterPoint[] }
  | MetricInfo & { kind: "gauge"; points: CounterPoint[] }
  | MetricInfo & { kind: "histogram"; bounds: number[]; points: HistogramPoint[] };

/** Series a metric keeps at most; further attribute sets share one `overflow` series. */
export const MAX_SERIES = 2000;

function keyOf(attributes: Attributes): string {
  return JSON.stringify(Object.entries(attributes).sort(([a], [b]) => a < b ? -1 : 1));
}

/**
 * The series map of one metric, bounded: a model name comes from traffic, so past MAX_SERIES every
 * new attribute set is folded into one series whose values all read `overflow`.
 */
export class SeriesMap<T extends { attributes: Attributes }> {
  #series = new Map<string, T>();
  #create: (attributes: Attributes) => T;

  constructor(create: (attributes: Attributes) => T) {
    this.#create = create;
  }

  /** The series for `attributes`, created on first use. */
  get(attributes: Attributes): T {
    let key = keyOf(attributes);
    let series = this.#series.get(key);
    if (series) return series;
    if (this.#series.size >= MAX_SERIES) {
      attributes = Object.fromEntries(Object.keys(attributes).map((k) => [k, "overflow"]));
      key = keyOf(attributes);
      series = this.#series.get(key);
      if (series) return series;
    }
    series = this.#create(attributes);
    this.#series.set(key, series);
    return series;
  }

  /** Copies of every series, in creation order. */
  values(): T[] {
    return [...this.#series.values()].map((series) => structuredClone(series));
  }
}

/** Adds `value` to a histogram series. */
export function observe(point: HistogramPoint, bounds: number[], value: number): void {
  let index = bounds.findIndex((bound) => value <= bound);
  if (index === -1) index = bounds.length;
  point.buckets[index]++;
  point.count++;
  point.sum += value;
  point.min = Math.min(point.min, value);
  point.max = Math.max(point.max, value);
}

/** An empty histogram series with `bounds.length + 1` buckets. */
export function emptyHistogram(attributes: Attributes, bounds: number[]): HistogramPoint {
  return {
    attributes,
    buckets: new Array(bounds.length + 1).fill(0),
    count: 0,
    sum: 0,
    min: Infinity,
    max: -Infinity,
  };
}
