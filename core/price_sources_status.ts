// What GET /api/pricing reports about the price layers: which one is active, how old the remote
// copy is, and the last error of each.
import { redactUrl } from "./price_remote.ts";
import type { DroppedEntry, RemoteCache } from "./price_remote_cache.ts";
import type { PriceLayerSource, PriceTableFile } from "../pricing/mod.ts";

/** A layer of prices, lowest first. */
export type PriceSource = PriceLayerSource;

/** When and why a layer last failed to load. */
export interface SourceError {
  at: number;
  message: string;
}

/** One layer as GET /api/pricing shows it; `models` is 0 for a layer not in use. */
export interface LayerStatus {
  source: PriceSource;
  models: number;
  /** The table's own `updated` date (YYYY-MM-DD). */
  updated?: string;
  /** Remote: the configured URL, without credentials or query string. */
  url?: string;
  /** Override: the file to edit. */
  path?: string;
  fetched_at?: number;
  checked_at?: number;
  /** Remote: seconds since the source last confirmed these prices (a 200 or a 304). */
  age_s?: number;
  etag?: string;
  /** Remote entries refused because they zeroed a known price. */
  dropped?: DroppedEntry[];
  /** The last failure, cleared by the next success. */
  error?: SourceError;
}

/** What GET /api/pricing answers. */
export interface PricingStatus {
  /** The highest layer in use. */
  active: PriceSource;
  /** Bundled, remote, override: always all three, in that order. */
  layers: LayerStatus[];
  /** Epoch ms of the next scheduled refresh; null before start() and after close(). */
  next_refresh_at: number | null;
}

/** The status after a refresh; `refreshed` is false when any source failed (see its `error`). */
export interface RefreshResult extends PricingStatus {
  refreshed: boolean;
}

/** The state of the three layers, as PriceSources holds it. */
export interface SourcesState {
  now: number;
  url: URL;
  bundled: PriceTableFile;
  remote: RemoteCache | null;
  remoteError: SourceError | null;
  override: PriceTableFile | null;
  overridePath: string;
  overrideError: SourceError | null;
  nextRefreshAt: number | null;
}

/** Builds the status of every layer; optional fields are left out rather than null. */
export function describeSources(state: SourcesState): PricingStatus {
  const { remote, override } = state;
  const remoteLayer: LayerStatus = {
    source: "remote",
    models: remote?.models ?? 0,
    url: redactUrl(state.url),
  };
  if (remote) {
    Object.assign(remoteLayer, {
      updated: remote.table.updated,
      fetched_at: remote.fetched_at,
      checked_at: remote.checked_at,
      age_s: Math.max(0, Math.floor((state.now - remote.checked_at) / 1000)),
      ...(remote.etag ? { etag: remote.etag } : {}),
      ...(remote.dropped.length ? { dropped: remote.dropped } : {}),
    });
  }
  if (state.remoteError) remoteLayer.error = state.remoteError;
  const overrideLayer: LayerStatus = {
    source: "override",
    models: override ? Object.keys(override.models).length : 0,
    path: state.overridePath,
    ...(override ? { updated: override.updated } : {}),
    ...(state.overrideError ? { error: state.overrideError } : {}),
  };
  const bundledLayer: LayerStatus = {
    source: "bundled",
    models: Object.keys(state.bundled.models).length,
    updated: state.bundled.updated,
  };
  return {
    active: override ? "override" : remote ? "remote" : "bundled",
    layers: [bundledLayer, remoteLayer, overrideLayer],
    next_refresh_at: state.nextRefreshAt,
  };
}
