// LUMEN_HOME/pricing.json: the user's own prices (schema_version 1, as pricing/pricing.json), the
// highest layer. Read at start and at every refresh, so an edit applies without a restart.
import { parsePriceTable, type PriceTableFile } from "../pricing/mod.ts";
import { readJsonIfExists } from "./files.ts";

/** File name of the user's own prices inside LUMEN_HOME. */
export const OVERRIDE_FILE = "pricing.json";

/**
 * Reads and validates the override file: null when there is none (deleting it is how the user
 * drops their overrides); throws an Error naming the file and the first problem otherwise.
 */
export function readPriceOverride(path: string): PriceTableFile | null {
  return readJsonIfExists(path, parsePriceTable);
}
