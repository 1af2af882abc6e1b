// Hop-by-hop header handling for a forwarding intermediary (RFC 9110 §7.6.1).

const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "proxy-authenticate",
  "proxy-authorization",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
]);

/** Returns the end-to-end headers of a raw header list (`[name, value, name, value, …]`). */
export function endToEndHeaders(
  raw: string[],
  options: { drop?: string[] } = {},
): [string, string][] {
  const drop = new Set(options.drop);
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i].toLowerCase() !== "connection") continue;
    // Headers named in Connection are hop-by-hop too (RFC 9110 §7.6.1).
    for (const token of raw[i + 1].split(",")) drop.add(token.trim().toLowerCase());
  }
  const kept: [string, string][] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i].toLowerCase();
    if (!HOP_BY_HOP.has(name) && !drop.has(name)) kept.push([raw[i], raw[i + 1]]);
  }
  return kept;
}

/** Groups header pairs into a record keyed by lower-case name; repeated names become arrays. */
export function headerRecord(pairs: [string, string][]): Record<string, string | string[]> {
  const record: Record<string, string | string[]> = {};
  for (const [name, value] of pairs) {
    const key = name.toLowerCase();
    const seen = record[key];
    record[key] = seen === undefined ? value : [...(Array.isArray(seen) ? seen : [seen]), value];
  }
  return record;
}

/** Flattens header values into one string per name, as taps see them. */
export function flatHeaders(record: Record<string, string | string[]>): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(record)) {
    flat[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return flat;
}
