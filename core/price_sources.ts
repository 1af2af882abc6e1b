// Where prices come from, lowest first: the bundled pricing.json, the remote list (LiteLLM's by
// default) cached in LUMEN_HOME and refreshed daily, and the user's LUMEN_HOME/pricing.json.
// A failure anywhere keeps the tables already in use: it is logged and shown by GET /api/pricing,
// never thrown, and never replaces a price with 0.
import { messageOf } from "./config.ts";
import { fetchPriceDocument, redactUrl } from "./price_remote.ts";
import {
  type DroppedEntry,
  readRemoteCache,
  REMOTE_CACHE_FILE,
  type RemoteCache,
  writeRemoteCache,
} from "./price_remote_cache.ts";
import { checkRemoteTable } from "./price_remote_checks.ts";
import { OVERRIDE_FILE, readPriceOverride } from "./price_sources_override.ts";
import {
  describeSources,
  type PricingStatus,
  type RefreshResult,
  type SourceError,
} from "./price_sources_status.ts";
import {
  bundledPriceTable,
  convertLiteLlm,
  createPricer,
  type LiteLlmConversion,
  type PriceLayer,
  type Pricer,
  type PriceTableFile,
} from "../pricing/mod.ts";

const HOUR_MS = 60 * 60 * 1000;
/** After a failed refresh, try again sooner than a day: a laptop is often offline at start. */
const RETRY_MS = HOUR_MS;
/** The first refresh waits a little, so start-up and the first requests do not compete with it. */
const START_DELAY_MS = 10_000;
// setTimeout fires at once for delays beyond 2^31 - 1 ms (about 24.8 days).
const MAX_TIMER_MS = 2 ** 31 - 1;

export { OVERRIDE_FILE } from "./price_sources_override.ts";
export type {
  LayerStatus,
  PriceSource,
  PricingStatus,
  RefreshResult,
  SourceError,
} from "./price_sources_status.ts";

/** Where and how createPriceSources() loads prices. */
export interface PriceSourcesOptions {
  /** LUMEN_HOME: holds the remote cache and the override file. */
  home: string;
  /** Remote price list in LiteLLM's format (LUMEN_PRICING_URL). */
  url: URL;
  now?: () => number;
  /** One line per event, no secrets in it. */
  log(message: string): void;
  fetch?: typeof fetch;
  /** Default 24 h. */
  refreshIntervalMs?: number;
  /** Whole request, body included; default 20 s. */
  timeoutMs?: number;
  /** Default 32 MiB. */
  maxBytes?: number;
  /** Delay of the first refresh after start() when the cache is missing or stale; default 10 s. */
  startDelayMs?: number;
}

/** Loads the three price layers now and keeps them current; see PriceSources. */
export function createPriceSources(options: PriceSourcesOptions): PriceSources {
  return new PriceSources(options);
}

/** The price layers in use, a pricer over them, and the refresh that keeps them current. */
export class PriceSources {
  #options: Required<Omit<PriceSourcesOptions, "home">>;
  #bundled = bundledPriceTable();
  #cachePath: string;
  #overridePath: string;
  #remote: RemoteCache | null = null;
  #remoteError: SourceError | null = null;
  #override: PriceTableFile | null = null;
  #overrideError: SourceError | null = null;
  #pricer: Pricer;
  #inflight: Promise<RefreshResult> | null = null;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #nextAt: number | null = null;
  #started = false;
  #closing = new AbortController();

  /** Reads the remote cache and the override file; problems with either are reported, not thrown. */
  constructor(options: PriceSourcesOptions) {
    this.#options = {
      now: () => Date.now(),
      fetch: globalThis.fetch,
      refreshIntervalMs: 24 * HOUR_MS,
      timeoutMs: 20_000,
      maxBytes: 32 * 1024 * 1024,
      startDelayMs: START_DELAY_MS,
      ...options,
    };
    this.#cachePath = `${options.home}/${REMOTE_CACHE_FILE}`;
    this.#overridePath = `${options.home}/${OVERRIDE_FILE}`;
    try {
      this.#remote = readRemoteCache(this.#cachePath);
    } catch (error) {
      this.#remoteError = this.#failed(`${messageOf(error)}; it is replaced at the next refresh`);
    }
    this.#loadOverride();
    this.#pricer = this.#buildPricer();
  }

  /** The pricer over the layers in use; take it per request, as a refresh replaces it. */
  pricer(): Pricer {
    return this.#pricer;
  }

  /** Every layer, the active one and the next refresh. */
  status(): PricingStatus {
    return describeSources({
      now: this.#options.now(),
      url: this.#options.url,
      bundled: this.#bundled,
      remote: this.#remote,
      remoteError: this.#remoteError,
      override: this.#override,
      overridePath: this.#overridePath,
      overrideError: this.#overrideError,
      nextRefreshAt: this.#nextAt,
    });
  }

  /**
   * Re-reads the override file and revalidates the remote list; concurrent calls share one fetch.
   * Never rejects: failures keep the previous tables and show in the result.
   */
  refresh(): Promise<RefreshResult> {
    this.#inflight ??= this.#refresh().finally(() => this.#inflight = null);
    return this.#inflight;
  }

  /** Schedules the first refresh (soon if the cache is missing or stale), then one per interval. */
  start(): void {
    if (this.#started || this.#closing.signal.aborted) return;
    this.#started = true;
    const now = this.#options.now();
    const soon = now + this.#options.startDelayMs;
    const current = this.#remote?.url === this.#options.url.href;
    const due = current ? this.#remote!.checked_at + this.#options.refreshIntervalMs : soon;
    this.#schedule(Math.max(soon, due) - now);
  }

  /** Stops the timer and cancels a refresh in flight; the tables stay usable. */
  close(): void {
    this.#closing.abort();
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#nextAt = null;
  }

  async #refresh(): Promise<RefreshResult> {
    const overrideOk = this.#loadOverride();
    const remoteOk = await this.#refreshRemote();
    try {
      this.#pricer = this.#buildPricer();
    } catch (error) {
      // Unreachable with validated tables; if it happens, the previous pricer keeps working.
      this.#options.log(`Cannot combine the price tables, kept the previous: ${messageOf(error)}`);
    }
    if (this.#started && !this.#closing.signal.aborted) {
      const interval = this.#options.refreshIntervalMs;
      this.#schedule(remoteOk ? interval : Math.min(interval, RETRY_MS));
    }
    return { ...this.status(), refreshed: overrideOk && remoteOk };
  }

  /** Fetches, converts and checks the remote list; true when the prices in use are current. */
  async #refreshRemote(): Promise<boolean> {
    const { url } = this.#options;
    // A cache from another URL still prices until replaced, but is neither revalidated nor the
    // yardstick of the partial rule: a different list may legitimately be smaller.
    const previous = this.#remote?.url === url.href ? this.#remote : null;
    try {
      const doc = await fetchPriceDocument(url, {
        fetch: this.#options.fetch,
        timeoutMs: this.#options.timeoutMs,
        maxBytes: this.#options.maxBytes,
        validators: previous,
        signal: this.#closing.signal,
      });
      if (doc.status === "not_modified") {
        this.#remote = { ...previous!, checked_at: this.#options.now() };
        this.#remoteError = null;
        await this.#save(this.#remote);
        return true;
      }
      const { table, dropped, skipped } = this.#check(doc.json, previous);
      const at = this.#options.now();
      this.#remote = {
        url: url.href,
        fetched_at: at,
        checked_at: at,
        etag: doc.etag,
        last_modified: doc.last_modified,
        models: Object.keys(table.models).length,
        dropped,
        table,
      };
      this.#remoteError = null;
      this.#options.log(
        `Loaded ${this.#remote.models} model prices from ${redactUrl(url)} (${skipped} entries ` +
          `skipped, ${dropped.length} refused for zeroing a known price)`,
      );
      await this.#save(this.#remote);
      return true;
    } catch (error) {
      if (this.#closing.signal.aborted) return false;
      this.#remoteError = this.#failed(
        `Cannot refresh prices from ${redactUrl(url)}: ${messageOf(error)}`,
      );
      return false;
    }
  }

  /** Converts a LiteLLM document and applies the zero and partial rules; throws when refused. */
  #check(
    json: unknown,
    previous: RemoteCache | null,
  ): { table: PriceTableFile; dropped: DroppedEntry[]; skipped: number } {
    let converted: LiteLlmConversion;
    try {
      // `updated` is the day Lumen fetched it: LiteLLM's document carries no date of its own.
      const updated = new Date(this.#options.now()).toISOString().slice(0, 10);
      // Throws a TypeError for a document of another shape or one converting to an invalid table.
      converted = convertLiteLlm(json, { updated });
    } catch (error) {
      throw new Error(`It is not a usable LiteLLM price list (${messageOf(error)})`);
    }
    const checked = checkRemoteTable(converted.table, {
      bundled: this.#bundled,
      previous: previous?.table ?? null,
    });
    return { ...checked, skipped: converted.skipped.length };
  }

  /** Persists `cache`; a failed write is reported but the accepted prices stay in use. */
  async #save(cache: RemoteCache): Promise<void> {
    try {
      await writeRemoteCache(this.#cachePath, cache);
    } catch (error) {
      this.#remoteError = this.#failed(`Cannot save ${this.#cachePath}: ${messageOf(error)}`);
    }
  }

  /** Reads the override file; false when it exists but cannot be used (the last good one stays). */
  #loadOverride(): boolean {
    try {
      this.#override = readPriceOverride(this.#overridePath);
      this.#overrideError = null;
      return true;
    } catch (error) {
      const kept = this.#override ? "kept its previous version" : "not using it";
      this.#overrideError = this.#failed(`${messageOf(error)}; ${kept}`);
      return false;
    }
  }

  #buildPricer(): Pricer {
    const layers: PriceLayer[] = [{ source: "bundled", table: this.#bundled }];
    if (this.#remote) layers.push({ source: "remote", table: this.#remote.table });
    if (this.#override) layers.push({ source: "override", table: this.#override });
    return createPricer({ layers });
  }

  #failed(message: string): SourceError {
    this.#options.log(message);
    return { at: this.#options.now(), message };
  }

  #schedule(delayMs: number): void {
    clearTimeout(this.#timer);
    const delay = Math.min(Math.max(0, delayMs), MAX_TIMER_MS);
    this.#nextAt = this.#options.now() + delay;
    const timer = setTimeout(() => {
      this.#timer = undefined;
      this.refresh().catch((error) => {
        // refresh() handles its own failures; this is only a last line of defence for the timer.
        this.#options.log(`Cannot refresh prices: ${messageOf(error)}`);
      });
    }, delay);
    // The timer alone must not keep a process alive; the daemon lives by its listeners.
    Deno.unrefTimer(timer);
    this.#timer = timer;
  }
}
