// The live figures every view reads: stats, the recent events, the connection, a ticking clock.
// Pushed over the SSE stream (no polling); the clock only re-renders relative times and lets the
// token rate fall back to zero when traffic stops.
import { followLive, getEvents, getHealth } from "#lib/api.ts";
import type { Health, Lap, Stats, UsageEvent } from "#lib/types.ts";

/** How many events the feed keeps in memory. */
const MAX_EVENTS = 500;
/** The token rate's window, as the daemon computes it. */
const RATE_WINDOW_MS = 60_000;

/** Whether the live stream is up. */
export type Connection = "connecting" | "live" | "offline";

class UsageState {
  stats = $state<Stats | null>(null);
  events = $state<UsageEvent[]>([]);
  connection = $state<Connection>("connecting");
  /** The daemon's version and ports (for setup snippets), loaded on every (re)connect. */
  health = $state<Health | null>(null);
  /** Bumped on every lap change, so lap views can reload. */
  lapChanges = $state(0);
  /** Wall clock, advanced once a second while the page is open. */
  now = $state(Date.now());
  /** Tokens per second over the last minute of events, decaying as time passes. */
  tokenRate = $derived.by(() => {
    const since = this.now - RATE_WINDOW_MS;
    let tokens = 0;
    for (const e of this.events) {
      if (e.ts <= since) break; // newest first
      tokens += e.input_tokens + e.output_tokens + e.cache_read_tokens + e.cache_write_tokens;
    }
    return tokens / (RATE_WINDOW_MS / 1000);
  });

  #users = 0;
  #stop: (() => void) | null = null;

  /** Starts following the daemon (shared by every caller); returns the matching stop function. */
  start(): () => void {
    if (this.#users++ === 0) this.#stop = this.#follow();
    return () => {
      if (--this.#users === 0) {
        this.#stop?.();
        this.#stop = null;
      }
    };
  }

  #follow(): () => void {
    const tick = setInterval(() => (this.now = Date.now()), 1000);
    const unfollow = followLive({
      usage: (event) => {
        this.now = Date.now();
        this.events = [event, ...this.events.filter((e) => e.id !== event.id)].slice(
          0,
          MAX_EVENTS,
        );
      },
      stats: (stats) => (this.stats = stats),
      lap: (_lap: Lap) => this.lapChanges++,
      open: () => {
        this.connection = "live";
        // Whatever happened while the stream was down: the stats arrive on the stream itself.
        void this.#reloadEvents();
        getHealth().then((health) => (this.health = health), () => {});
        this.lapChanges++;
      },
      down: () => (this.connection = "offline"),
    });
    return () => {
      clearInterval(tick);
      unfollow();
    };
  }

  async #reloadEvents(): Promise<void> {
    try {
      const stored = await getEvents(200);
      const known = new Set(stored.map((e) => e.id));
      // Keep anything the stream delivered meanwhile that the page of stored events lacks.
      const newer = this.events.filter((e) => !known.has(e.id) && e.ts >= (stored[0]?.ts ?? 0));
      this.events = [...newer, ...stored].slice(0, MAX_EVENTS);
    } catch {
      // The stream reports the outage; the next reconnect loads the events again.
    }
  }
}

/** The one live usage state of the page. */
export const usage = new UsageState();
