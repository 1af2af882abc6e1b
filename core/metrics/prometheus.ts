// The Prometheus text exposition format 0.0.4
// (https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format).
import type { Attributes, MetricFamily } from "./family.ts";

/** Encodes `families` as Prometheus text: `# HELP`, `# TYPE`, then the samples. */
export function encodePrometheus(families: MetricFamily[]): string {
  const lines: string[] = [];
  for (const family of families) {
    const name = family.promName;
    lines.push(`# HELP ${name} ${escapeHelp(family.description)}`);
    lines.push(`# TYPE ${name} ${family.kind}`);
    if (family.kind !== "histogram") {
      for (const point of family.points) {
        lines.push(`${name}${labels(point.attributes)} ${number(point.value)}`);
      }
      continue;
    }
    for (const point of family.points) {
      // Prometheus buckets are cumulative; the registry keeps per-bucket counts (OTLP's form).
      let cumulative = 0;
      family.bounds.forEach((bound, i) => {
        cumulative += point.buckets[i];
        lines.push(`${name}_bucket${labels(point.attributes, number(bound))} ${cumulative}`);
      });
      lines.push(`${name}_bucket${labels(point.attributes, "+Inf")} ${point.count}`);
      lines.push(`${name}_sum${labels(point.attributes)} ${number(point.sum)}`);
      lines.push(`${name}_count${labels(point.attributes)} ${point.count}`);
    }
  }
  return lines.join("\n") + "\n";
}

/** `gen_ai.token.type` → `gen_ai_token_type`: Prometheus label names are `[a-zA-Z_][a-zA-Z0-9_]*`. */
export function labelName(key: string): string {
  const name = key.replace(/[^a-zA-Z0-9_]/g, "_");
  return /^[0-9]/.test(name) ? `_${name}` : name;
}

function labels(attributes: Attributes, le?: string): string {
  const pairs = Object.entries(attributes).map(([key, value]) =>
    `${labelName(key)}="${escapeValue(value)}"`
  );
  if (le !== undefined) pairs.push(`le="${le}"`);
  return pairs.length === 0 ? "" : `{${pairs.join(",")}}`;
}

/** Label values escape backslash, double quote and line feed. */
function escapeValue(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/** HELP text escapes backslash and line feed. */
function escapeHelp(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

function number(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  return String(value);
}
