// Keeps the live figures: totals, today, laps, per-provider/model/client sums, token rate, recent events.
import type { PlanWindow, Provider, UsageEvent } from "../types.ts";
import { uuidv7 } from "../uuid.ts";
import { addEvent, emptyTotals, type Totals } from "./totals.ts";

/** A lap: a user-delimited stretch of work with its own totals. */
export interface Lap extends Totals {
  id: string;
  name: string;
  started_at: number;
  ended_at: number | null;
}

/** The `/api/stats` document. */
export interface Stats {
  total: Totals;
  lap: Lap;
  today: Totals;
  token_rate: { tokens_per_s: number; window_s: number };
  by_provider: Record<string, Totals>;
  by_model: Record<string, Totals>;
  by_client: Record<string, Totals>;
  /** Latest subscription windows each provider reported, e.g. `claude_ai` → "5h", "7d". */
  plan_windows: Record<string, PlanWindows>;
}

/** One provider's subscription windows and when a response last reported them (epoch ms). */
export interface PlanWindows {
  observed_at: number;
  windows: Record<string, PlanWindow>;
}

/** What subscribers receive, in order. */
export type AggregatorMessage =
  | { type: "usage"; data: UsageEvent }
  | { type: "stats"; data: Stats }
  | { type: "lap"; data: Lap };

/** Read-only view the API uses. */
export interface UsageReader {
  stats(): Stats;
  events(options: { limit: number; before?: string }): UsageEvent[];
  laps(): Lap[];
  subscribe(listener: (message: AggregatorMessage) => void): () => void;
}

const RATE_WINDOW_MS = 60_000;

/** In-memory aggregator; the SQLite store (a later issue) will rebuild it at start. */
export class Aggregator implements UsageReader {
  #now: () => number;
  #maxEvents: number;
  #total = emptyTotals();
  #today = emptyTotals();
  #todayKey: string;
  #byProvider = new Map<string, Totals>();
  #byModel = new Map<string, Totals>();
  #byClient = new Map<string, Totals>();
  #laps: Lap[] = [];
  #recent: UsageEvent[] = [];
  #rate: { ts: number; tokens: number }[] = [];
  #planWindows = new Map<string, PlanWindows>();
  #listeners = new Set<(message: AggregatorMessage) => void>();

  constructor(options: { now: () => number; maxEvents?: number }) {
    this.#now = options.now;
    this.#maxEvents = options.maxEvents ?? 1000;
    this.#todayKey = dayKey(this.#now());
    this.#laps.push(newLap("Lap 1", this.#now()));
  }

  /** The id of the lap new events belong to. */
  get currentLapId(): string {
    return this.#currentLap().id;
  }

  /** Adds one event to every figure and tells subscribers. */
  record(event: UsageEvent): void {
    this.#rollDay();
    for (const totals of [this.#total, this.#today, this.#currentLap()]) addEvent(totals, event);
    addEvent(slot(this.#byProvider, event.provider), event);
    addEvent(slot(this.#byModel, event.model ?? "unknown"), event);
    addEvent(slot(this.#byClient, event.client), event);
    this.#recent.push(event);
    if (this.#recent.length > this.#maxEvents) this.#recent.shift();
    this.#rate.push({ ts: event.ts, tokens: tokensOf(event) });
    this.#broadcast({ type: "usage", data: event });
    this.#broadcast({ type: "stats", data: this.stats() });
  }

  /** Closes the current lap and opens the next one, named `name` or "Lap N". */
  closeLap(name?: string): { closed: Lap; opened: Lap } {
    const now = this.#now();
    const closed = this.#currentLap();
    closed.ended_at = now;
    const opened = newLap(name?.trim() || `Lap ${this.#laps.length + 1}`, now);
    this.#laps.push(opened);
    this.#broadcast({ type: "lap", data: { ...opened } });
    this.#broadcast({ type: "stats", data: this.stats() });
    return { closed: { ...closed }, opened: { ...opened } };
  }

  stats(): Stats {
    this.#rollDay();
    const now = this.#now();
    while (this.#rate.length > 0 && this.#rate[0].ts <= now - RATE_WINDOW_MS) this.#rate.shift();
    const tokens = this.#rate.reduce((sum, r) => sum + r.tokens, 0);
    return {
      total: { ...this.#total },
      lap: { ...this.#currentLap() },
      today: { ...this.#today },
      token_rate: {
        tokens_per_s: Math.round((tokens / (RATE_WINDOW_MS / 1000)) * 100) / 100,
        window_s: RATE_WINDOW_MS / 1000,
      },
      by_provider: copyMap(this.#byProvider),
      by_model: copyMap(this.#byModel),
      by_client: copyMap(this.#byClient),
      plan_windows: Object.fromEntries(
        [...this.#planWindows].map(([provider, plan]) => [provider, structuredClone(plan)]),
      ),
    };
  }

  /** Keeps the latest subscription windows a provider reported; they show in the next stats. */
  recordPlanWindows(provider: Provider, windows: Record<string, PlanWindow>): void {
    const known = this.#planWindows.get(provider)?.windows ?? {};
    this.#planWindows.set(provider, {
      observed_at: this.#now(),
      windows: { ...known, ...structuredClone(windows) },
    });
  }

  events(options: { limit: number; before?: string }): UsageEvent[] {
    const out: UsageEvent[] = [];
    for (let i = this.#recent.length - 1; i >= 0 && out.length < options.limit; i--) {
      const event = this.#recent[i];
      if (options.before === undefined || event.id < options.before) out.push(event);
    }
    return out;
  }

  laps(): Lap[] {
    return this.#laps.map((lap) => ({ ...lap })).reverse();
  }

  subscribe(listener: (message: AggregatorMessage) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #currentLap(): Lap {
    return this.#laps[this.#laps.length - 1];
  }

  #rollDay(): void {
    const key = dayKey(this.#now());
    if (key === this.#todayKey) return;
    this.#todayKey = key;
    this.#today = emptyTotals();
  }

  #broadcast(message: AggregatorMessage): void {
    for (const listener of this.#listeners) {
      try {
        listener(message);
      } catch {
        // A broken subscriber (e.g. a closed SSE stream) must not stop the others.
        this.#listeners.delete(listener);
      }
    }
  }
}

function newLap(name: string, now: number): Lap {
  return { id: uuidv7(now), name, started_at: now, ended_at: null, ...emptyTotals() };
}

function slot(map: Map<string, Totals>, key: string): Totals {
  let totals = map.get(key);
  if (!totals) map.set(key, totals = emptyTotals());
  return totals;
}

function copyMap(map: Map<string, Totals>): Record<string, Totals> {
  return Object.fromEntries([...map].map(([key, totals]) => [key, { ...totals }]));
}

function tokensOf(event: UsageEvent): number {
  return event.input_tokens + event.output_tokens + event.cache_read_tokens +
    event.cache_write_tokens;
}

/** The local calendar day of `ms`, e.g. "2026-11-27". */
function dayKey(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${d.getMonth() + 1}-${d.getDate()}`;
}
