// The checks a converted remote table must pass before it replaces the one in use. The remote
// source is a community file edited by many hands: a truncated download, a refactor that drops a
// provider's section or a typo that zeroes a price must not reach anyone's figures.
import { createPricer, type PriceLayer, type PriceTableFile } from "../pricing/mod.ts";
import type { Provider } from "./types.ts";
import type { DroppedEntry } from "./price_remote_cache.ts";

/** Fewer models than this is a partial document: LiteLLM lists well over 100 for the big three. */
export const MIN_REMOTE_MODELS = 50;

/** The providers whose bundled models the remote table must mostly cover. */
const COVERED_PROVIDERS: readonly Provider[] = ["openai", "anthropic", "google"];

/** What the remote layer will hold, and what was left out of it. */
export interface CheckedTable {
  table: PriceTableFile;
  dropped: DroppedEntry[];
}

/**
 * Drops entries that would zero a known price, then refuses the table (throwing an Error whose
 * message says why) if what is left looks partial next to `bundled` and the `previous` remote table.
 *
 * Zero rule: an entry whose input or output price is 0 while the table in use (the previous remote
 * table, else the bundled one) prices the same model above 0 is dropped and reported; that model
 * then falls back to the bundled price, or to "unpriced" (null), never to $0.
 *
 * Partial rule: after the drops the table must have at least MIN_REMOTE_MODELS models, at least
 * half as many as the previous remote table, and must resolve (exactly, by alias or normalized
 * name, not by family) at least half of the bundled models of each of OpenAI, Anthropic and Google.
 */
export function checkRemoteTable(
  table: PriceTableFile,
  options: { bundled: PriceTableFile; previous: PriceTableFile | null },
): CheckedTable {
  const { kept, dropped } = dropZeroedPrices(table, options);
  const count = Object.keys(kept.models).length;
  const partial = (why: string) => new Error(`Looks partial: ${why}; kept the previous prices`);
  if (count < MIN_REMOTE_MODELS) {
    throw partial(`it prices ${count} models, fewer than ${MIN_REMOTE_MODELS}`);
  }
  const before = options.previous ? Object.keys(options.previous.models).length : 0;
  if (count < before / 2) {
    throw partial(`it prices ${count} models, fewer than half the ${before} of the previous copy`);
  }
  const remote = createPricer({ layers: [{ source: "remote", table: kept }] });
  for (const provider of COVERED_PROVIDERS) {
    const ids = Object.entries(options.bundled.models)
      .filter(([, entry]) => entry.provider === provider)
      .map(([id]) => id);
    const found = ids.filter((id) => {
      const match = remote.match(provider, id);
      return match !== null && match.how !== "family";
    });
    if (found.length < ids.length / 2) {
      throw partial(`it knows ${found.length} of the ${ids.length} ${provider} models Lumen ships`);
    }
  }
  return { table: kept, dropped };
}

function dropZeroedPrices(
  table: PriceTableFile,
  options: { bundled: PriceTableFile; previous: PriceTableFile | null },
): { kept: PriceTableFile; dropped: DroppedEntry[] } {
  const layers: PriceLayer[] = [{ source: "bundled", table: options.bundled }];
  if (options.previous) layers.push({ source: "remote", table: options.previous });
  const inUse = createPricer({ layers });
  const models: PriceTableFile["models"] = {};
  const dropped: DroppedEntry[] = [];
  for (const [id, entry] of Object.entries(table.models)) {
    const zeroed = (["input", "output"] as const).filter((rate) => entry[rate] === 0);
    const known = zeroed.length ? inUse.match(entry.provider, id) : null;
    const lost = known && known.how !== "family"
      ? zeroed.filter((rate) => known.entry[rate] > 0)
      : [];
    if (lost.length === 0) {
      models[id] = entry;
      continue;
    }
    const was = lost.map((rate) => `${rate} ${known!.entry[rate]}`).join(", ");
    dropped.push({
      id,
      reason: `Prices ${lost.join(" and ")} at 0 where the ${known!.source} table has ${was} ` +
        `USD per million tokens`,
    });
  }
  return { kept: { ...table, models }, dropped };
}
