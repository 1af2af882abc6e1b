// Validates untrusted pricing JSON (bundled today; a remote or user override later) into a
// PriceTableFile, so the matcher and priceUsage() never see a malformed entry.
import type { Provider } from "../core/types.ts";
import type { PriceEntry, PriceFees, PriceRates, PriceTableFile, PriceTier } from "./types.ts";

/**
 * Shape of a model id or alias: lower-case, as the matcher normalizes ids before lookup; `:` only
 * for OpenAI fine-tunes (`ft:gpt-4o-mini-2024-07-18`).
 */
export const MODEL_ID_REGEXP = /^[a-z0-9][a-z0-9._:-]*$/;

const DATE_REGEXP = /^\d{4}-\d{2}-\d{2}$/;
const PROVIDERS: readonly Provider[] = ["openai", "anthropic", "google"];

/**
 * Checks `json` against pricing schema_version 1 and returns it typed, throwing a TypeError that
 * names the first bad field.
 *
 * @example
 * ```ts
 * const table = parsePriceTable(JSON.parse(text));
 * ```
 */
export function parsePriceTable(json: unknown): PriceTableFile {
  const root = record(json, "the table");
  if (root.schema_version !== 1) fail("schema_version", "must be 1");
  const source = text(root.source, "source");
  const updated = text(root.updated, "updated");
  if (!DATE_REGEXP.test(updated)) fail("updated", "must be YYYY-MM-DD");

  const models: Record<string, PriceEntry> = {};
  // Ids and aliases must be unique per provider, or a lookup would depend on key order.
  const seen = new Map<string, string>();
  for (const [key, value] of Object.entries(record(root.models, "models"))) {
    const where = `models.${key}`;
    if (!MODEL_ID_REGEXP.test(key)) fail(where, "must be a lower-case model id");
    const entry = parseEntry(value, where);
    for (const id of [key, ...entry.aliases]) {
      const owner = seen.get(`${entry.provider}:${id}`);
      if (owner !== undefined) fail(where, `repeats id "${id}" already used by ${owner}`);
      seen.set(`${entry.provider}:${id}`, key);
    }
    models[key] = entry;
  }
  if (seen.size === 0) fail("models", "must not be empty");
  return { schema_version: 1, source, updated, models };
}

function parseEntry(value: unknown, where: string): PriceEntry {
  const raw = record(value, where);
  const provider = raw.provider as Provider;
  if (!PROVIDERS.includes(provider)) {
    fail(`${where}.provider`, `must be one of ${PROVIDERS.join(", ")}`);
  }
  const aliases = list(raw.aliases, `${where}.aliases`).map((alias, i) => {
    const id = text(alias, `${where}.aliases[${i}]`);
    if (!MODEL_ID_REGEXP.test(id)) fail(`${where}.aliases[${i}]`, "must be a lower-case model id");
    return id;
  });
  const entry: PriceEntry = { provider, ...parseRates(raw, where), aliases };
  if (raw.tiers !== undefined) {
    let floor = 0;
    entry.tiers = list(raw.tiers, `${where}.tiers`).map((tier, i) => {
      const at = `${where}.tiers[${i}]`;
      const parsed = parseTier(tier, at);
      if (parsed.above_input_tokens <= floor) fail(at, "must be ascending by above_input_tokens");
      floor = parsed.above_input_tokens;
      return parsed;
    });
  }
  if (raw.fees !== undefined) entry.fees = parseFees(raw.fees, `${where}.fees`);
  return entry;
}

function parseFees(value: unknown, where: string): PriceFees {
  const raw = record(value, where);
  const web = raw.web_search;
  if (typeof web !== "number" || !Number.isFinite(web) || web < 0) {
    fail(`${where}.web_search`, "must be a non-negative number of USD per search");
  }
  return { web_search: web };
}

function parseTier(value: unknown, where: string): PriceTier {
  const raw = record(value, where);
  const above = raw.above_input_tokens;
  if (typeof above !== "number" || !Number.isSafeInteger(above) || above <= 0) {
    fail(`${where}.above_input_tokens`, "must be a positive integer");
  }
  return { above_input_tokens: above, ...parseRates(raw, where) };
}

function parseRates(raw: Record<string, unknown>, where: string): PriceRates {
  return {
    input: price(raw.input, `${where}.input`),
    output: price(raw.output, `${where}.output`),
    cache_read: optionalPrice(raw.cache_read, `${where}.cache_read`),
    cache_write_5m: optionalPrice(raw.cache_write_5m, `${where}.cache_write_5m`),
    cache_write_1h: optionalPrice(raw.cache_write_1h, `${where}.cache_write_1h`),
  };
}

function price(value: unknown, where: string): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    fail(where, "must be a non-negative number of USD per million tokens");
  }
  return value;
}

function optionalPrice(value: unknown, where: string): number | null {
  // Absent and null mean the same: no separate price, so the input rate applies.
  return value === undefined || value === null ? null : price(value, where);
}

function record(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    fail(where, "must be an object");
  }
  return value as Record<string, unknown>;
}

function list(value: unknown, where: string): unknown[] {
  if (!Array.isArray(value)) fail(where, "must be an array");
  return value;
}

function text(value: unknown, where: string): string {
  if (typeof value !== "string" || value === "") fail(where, "must be a non-empty string");
  return value;
}

function fail(where: string, problem: string): never {
  throw new TypeError(`Cannot load pricing table: ${where} ${problem}`);
}
