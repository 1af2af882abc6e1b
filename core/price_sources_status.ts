// What GET /api/pricing reports about the price layers: which one is active, how old the remote
// copy is, and the last error of each.
import { redactUrl } from "./price_remote.ts";
import type { RemoteCache } from "./price_remote_cache.ts";
import type { PriceTableFile } from "../pricing/mod.ts";
import type {
  LayerStatus,
  PriceSource,
  PricingStatus,
  RefreshResult,
  SourceError,
} from "./price_status_types.ts";

export type { LayerStatus, PriceSource, PricingStatus, RefreshResult, SourceError };

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
