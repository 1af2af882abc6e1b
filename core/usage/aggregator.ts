// Keeps the live figures: totals, today, laps, per-provider/model/client sums, token rate, recent events.
import type { PlanWindow, Provider, UsageEvent } from "../types.ts";
import { uuidv7 } from "../uuid.ts";
import { localDay } from "./day.ts";
import { addEvent, emptyTotals, type Totals } from "./totals.ts";
import type { BudgetAlert, BudgetStatus } from "./budgets.ts";

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
  /** Sums per project tag; untagged events are not in it. */
  by_project: Record<string, Totals>;
  /** Latest subscription windows each provider reported, e.g. `claude_ai` → "5h", "7d". */
  plan_windows: Record<string, PlanWindows>;
  /** The set spend budgets' figures (see budgets.ts); absent until main.ts wires budgets in. */
  budgets?: BudgetStatus[];
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
  | { type: "lap"; data: Lap }
  | { type: "budget"; data: BudgetAlert };

/** Every figure the aggregator keeps, as the store rebuilds it at start (see Aggregator.load()). */
export interface AggregatorSnapshot {
  total: Totals;
  /** Totals of the local day the snapshot was taken on. */
  today: Totals;
  by_provider: Record<string, Totals>;
  by_model: Record<string, Totals>;
  by_client: Record<string, Totals>;
  /** Sums per project tag; absent in snapshots that predate project tags. */
  by_project?: Record<string, Totals>;
  /** Oldest first; the last one is the open (current) lap. */
  laps: Lap[];
  /** The latest events, oldest first. */
  recent: UsageEvent[];
  /** Tokens per event time (epoch ms) within the rate window, oldest first. */
  rate: { ts: number; tokens: number }[];
  plan_windows: Record<string, PlanWindows>;
}

/** Read-only view the API uses. */
export interface UsageReader {
  stats(): Stats;
  events(options: { limit: number; before?: string }): UsageEvent[];
  laps(): Lap[];
  subscribe(listener: (message: AggregatorMessage) => void): () => void;
}

/** The token rate's window. */
export const RATE_WINDOW_MS = 60_000;

/** In-memory aggregator; the SQLite store rebuilds it at start with load(). */
export class Aggregator implements UsageReader {
  #now: () => number;
  #maxEvents: number;
  #total = emptyTotals();
  #today = emptyTotals();
  #todayKey: string;
  #byProvider = new Map<string, Totals>();
  #byModel = new Map<string, Totals>();
  #byClient = new Map<string, Totals>();
  #byProject = new Map<string, Totals>();
  #laps: Lap[] = [];
  #recent: UsageEvent[] = [];
  #rate: { ts: number; tokens: number }[] = [];
  #planWindows = new Map<string, PlanWindows>();
  #listeners = new Set<(message: AggregatorMessage) => void>();
  #budgets: ((today: Totals, lap: Lap) => BudgetStatus[]) | null = null;

  constructor(options: { now: () => number; maxEvents?: number }) {
    this.#now = options.now;
    this.#maxEvents = options.maxEvents ?? 1000;
    this.#todayKey = localDay(this.#now());
    this.#laps.push(newLap("Lap 1", this.#now()));
  }

  /** Replaces every figure with `snapshot`, taken on today's local day; subscribers are not told. */
  load(snapshot: AggregatorSnapshot): void {
    if (snapshot.laps.length === 0) throw new TypeError("A snapshot needs at least one lap");
    this.#todayKey = localDay(this.#now());
    this.#total = { ...snapshot.total };
    this.#today = { ...snapshot.today };
    this.#byProvider = toMap(snapshot.by_provider);
    this.#byModel = toMap(snapshot.by_model);
    this.#byClient = toMap(snapshot.by_client);
    this.#byProject = toMap(snapshot.by_project ?? {});
    this.#laps = snapshot.laps.map((lap) => ({ ...lap }));
    this.#recent = snapshot.recent.slice(-this.#maxEvents);
    this.#rate = snapshot.rate.map((r) => ({ ...r }));
    this.#planWindows = new Map(
      Object.entries(snapshot.plan_windows).map(([provider, plan]) => [
        provider,
        structuredClone(plan),
      ]),
    );
  }

  /** The id of the lap new events belong to. */
  get currentLapId(): string {
    return this.#currentLap().id;
  }

  /** Adds one event to every figure and tells subscribers. */
  record(event: UsageEvent): void {
    this.recordAll([event]);
  }

  /**
   * Adds events in order and tells subscribers: each event, then the stats once (a batch committed
   * together costs one stats document, not one per event).
   */
  recordAll(events: readonly UsageEvent[]): void {
    if (events.length === 0) return;
    this.#rollDay();
    for (const event of events) {
      this.#add(event);
      this.#broadcast({ type: "usage", data: event });
    }
    this.#broadcast({ type: "stats", data: this.stats() });
  }

  /**
   * Closes the current lap and opens the next one, named `name` or "Lap N". `persist` (the store)
   * runs first with both laps; when it throws, nothing changes and the error propagates.
   */
  closeLap(
    name?: string,
    persist?: (closed: Lap, opened: Lap) => void,
  ): { closed: Lap; opened: Lap } {
    const now = this.#now();
    const current = this.#currentLap();
    const opened = newLap(name?.trim() || `Lap ${this.#laps.length + 1}`, now);
    persist?.({ ...current, ended_at: now }, { ...opened });
    const closed = current;
    closed.ended_at = now;
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
      by_project: copyMap(this.#byProject),
      plan_windows: Object.fromEntries(
        [...this.#planWindows].map(([provider, plan]) => [provider, structuredClone(plan)]),
      ),
      ...(this.#budgets ? { budgets: this.#budgets(this.#today, this.#currentLap()) } : {}),
    };
  }

  /** Sets what composes `budgets` into every stats document (main.ts: the Budgets figures). */
  setBudgets(figures: (today: Totals, lap: Lap) => BudgetStatus[]): void {
    this.#budgets = figures;
  }

  /** Tells subscribers a message raised outside the aggregator (a budget alert). */
  publish(message: AggregatorMessage): void {
    this.#broadcast(message);
  }

  /**
   * Keeps the latest subscription windows a provider reported, merged by window name; they show in
   * the next stats. `observedAt` defaults to now.
   */
  recordPlanWindows(
    provider: Provider,
    windows: Record<string, PlanWindow>,
    observedAt = this.#now(),
  ): void {
    const known = this.#planWindows.get(provider)?.windows ?? {};
    this.#planWindows.set(provider, {
      observed_at: observedAt,
      windows: { ...known, ...structuredClone(windows) },
    });
  }

  /** The latest events newest first by id, as the store pages them (ids sort by time). */
  events(options: { limit: number; before?: string }): UsageEvent[] {
    const { before } = options;
    return this.#recent.filter((event) => before === undefined || event.id < before)
      .sort(newestFirst)
      .slice(0, options.limit);
  }

  laps(): Lap[] {
    return this.#laps.map((lap) => ({ ...lap })).reverse();
  }

  subscribe(listener: (message: AggregatorMessage) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #add(event: UsageEvent): void {
    addEvent(this.#total, event);
    // By the event's own time, as the store counts it: an event stamped 23:59:59.999 and committed
    // after midnight belongs to yesterday, not to the new today.
    if (localDay(event.ts) === this.#todayKey) addEvent(this.#today, event);
    addEvent(this.#currentLap(), event);
    addEvent(slot(this.#byProvider, event.provider), event);
    addEvent(slot(this.#byModel, event.model ?? "unknown"), event);
    addEvent(slot(this.#byClient, event.client), event);
    if (event.project) addEvent(slot(this.#byProject, event.project), event);
    this.#recent.push(event);
    if (this.#recent.length > this.#maxEvents) this.#recent.shift();
    this.#rate.push({ ts: event.ts, tokens: tokensOf(event) });
  }

  #currentLap(): Lap {
    return this.#laps[this.#laps.length - 1];
  }

  #rollDay(): void {
    const key = localDay(this.#now());
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

function toMap(record: Record<string, Totals>): Map<string, Totals> {
  return new Map(Object.entries(record).map(([key, totals]) => [key, { ...totals }]));
}

function copyMap(map: Map<string, Totals>): Record<string, Totals> {
  return Object.fromEntries([...map].map(([key, totals]) => [key, { ...totals }]));
}

/** Sorts events newest first by id (UUIDv7 ids sort by time), as `/api/events` lists them. */
export function newestFirst(a: UsageEvent, b: UsageEvent): number {
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

/** Tokens an event adds to the token rate. */
function tokensOf(event: UsageEvent): number {
  return event.input_tokens + event.output_tokens + event.cache_read_tokens +
    event.cache_write_tokens;
}
