// The shapes GET /api/pricing answers with. Types only, so the dashboard can share them.
import type { PriceLayerSource } from "../pricing/types.ts";

/** An entry of the remote document that was left out, and why. */
export interface DroppedEntry {
  id: string;
  reason: string;
}

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
