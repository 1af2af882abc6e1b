// LUMEN_HOME/pricing-remote.json: the last remote price table Lumen accepted, already converted and
// checked, with what it needs to revalidate it. Read at start, so a restart offline keeps the last
// good remote prices; written only after a document passed every check.
import { writeAtomically } from "./files.ts";
import { parsePriceTable, type PriceTableFile } from "../pricing/mod.ts";
import { readJsonIfExists } from "./files.ts";
import type { DroppedEntry } from "./price_status_types.ts";

export type { DroppedEntry };

/** File name of the cache inside LUMEN_HOME. */
export const REMOTE_CACHE_FILE = "pricing-remote.json";

const CACHE_VERSION = 1;

/** The accepted remote table and its metadata, as stored in the cache file. */
export interface RemoteCache {
  /** The URL it came from, in full (the file is 0600 like the rest of LUMEN_HOME). */
  url: string;
  /** Epoch ms of the 200 that delivered this table. */
  fetched_at: number;
  /** Epoch ms the source last confirmed it (a 200 or a 304). */
  checked_at: number;
  etag: string | null;
  last_modified: string | null;
  /** Number of models in `table`. */
  models: number;
  /** Entries the checks refused (a zeroed price), reported in the status. */
  dropped: DroppedEntry[];
  table: PriceTableFile;
}

/** Reads the cache: null when there is none; throws an Error saying why an existing one is unusable. */
export function readRemoteCache(path: string): RemoteCache | null {
  return readJsonIfExists(path, parseCache);
}

/** Replaces the cache file atomically, readable by the owner only. */
export async function writeRemoteCache(path: string, cache: RemoteCache): Promise<void> {
  const text = JSON.stringify({ cache_version: CACHE_VERSION, ...cache });
  await writeAtomically(path, `${text}\n`, 0o600);
}

function parseCache(data: unknown): RemoteCache {
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    throw new TypeError("it must hold a JSON object");
  }
  const raw = data as Record<string, unknown>;
  if (raw.cache_version !== CACHE_VERSION) {
    throw new TypeError(`cache_version must be ${CACHE_VERSION}`);
  }
  const table = parsePriceTable(raw.table);
  const dropped = Array.isArray(raw.dropped)
    ? raw.dropped.filter((d): d is DroppedEntry =>
      typeof d?.id === "string" && typeof d?.reason === "string"
    )
    : [];
  return {
    url: field(raw, "url", "string"),
    fetched_at: field(raw, "fetched_at", "number"),
    checked_at: field(raw, "checked_at", "number"),
    etag: optional(raw, "etag"),
    last_modified: optional(raw, "last_modified"),
    models: Object.keys(table.models).length,
    dropped,
    table,
  };
}

function field<T extends "string" | "number">(
  raw: Record<string, unknown>,
  key: string,
  type: T,
): T extends "string" ? string : number {
  const value = raw[key];
  if (typeof value !== type || (type === "number" && !Number.isFinite(value))) {
    throw new TypeError(`${key} must be a ${type}`);
  }
  return value as T extends "string" ? string : number;
}

function optional(raw: Record<string, unknown>, key: string): string | null {
  const value = raw[key] ?? null;
  if (value !== null && typeof value !== "string") throw new TypeError(`${key} must be a string`);
  return value;
}
