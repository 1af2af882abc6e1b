// Delivers the sync queue to the team sync server (DESIGN.md "Contract: team sync server"): event
// batches on a timer (30 s by default), closed laps at once, the DataGrout toggles when they change.
// One request in flight at most; each delivery carries the Idempotency-Key its rows were given
// before it left. 2xx and 409 are delivered; 401 asks the auth side to refresh; 429, 5xx and
// network errors pause every delivery (Retry-After, else exponential backoff with full jitter);
// any other answer retries that one delivery later with backoff. Nothing is dropped.
import { messageOf } from "../config.ts";
import type { WriteHook } from "../usage/ledger.ts";
import type { QueueStatus, SyncAuth } from "./auth.ts";
import { backoffDelay, type BackoffOptions, retryAfterMs } from "./backoff.ts";
import type { QueueBatch, SyncQueue } from "./queue.ts";

/** Options of the SyncSender. */
export interface SenderOptions {
  now(): number;
  log(line: string): void;
  /** How often queued events go out; default 30 s. */
  intervalMs?: number;
  /** Most events in one request; default 500. */
  batchSize?: number;
  /** Retry delays; default base 1 s, cap 5 min, floor 250 ms, Math.random. */
  backoff?: Partial<BackoffOptions>;
  /** One request's time limit; default 30 s. */
  timeoutMs?: number;
  fetch?: typeof fetch;
  /**
   * The DataGrout toggles to push with `PUT /lumen/v1/settings` (once per start, and whenever
   * they differ from what was last pushed); null or absent: none are pushed.
   */
  settings?(): Record<string, unknown> | null;
}

/** How a request ended, for the retry decision. */
type Outcome =
  | { ok: true }
  | { ok: false; scope: "server" | "item"; message: string; retryAfter: number | null };

/** Most deliveries per wake-up, so a long backlog drains in steps and never hogs the loop. */
const MAX_REQUESTS_PER_CYCLE = 50;

/** The queue's only reader: sends it and reports its state for `GET /api/sync`. */
export class SyncSender {
  #queue: SyncQueue;
  #auth: SyncAuth;
  #options: SenderOptions & { intervalMs: number; batchSize: number; timeoutMs: number };
  #backoff: BackoffOptions;
  #fetch: typeof fetch;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #running: Promise<void> | null = null;
  #again = false;
  #stopped = false;
  #abort = new AbortController();
  /** No request before this epoch ms (server-wide backoff). */
  #notBefore = 0;
  #failures = 0;
  /** The toggles the server last accepted, as JSON; null before the first push. */
  #pushedSettings: string | null = null;
  #settingsNotBefore = 0;
  #lastSyncAt: number | null = null;
  #lastError: { at: number; message: string } | null = null;

  constructor(queue: SyncQueue, auth: SyncAuth, options: SenderOptions) {
    this.#queue = queue;
    this.#auth = auth;
    this.#options = { intervalMs: 30_000, batchSize: 500, timeoutMs: 30_000, ...options };
    this.#backoff = { baseMs: 1_000, capMs: 300_000, floorMs: 250, random: Math.random };
    Object.assign(this.#backoff, options.backoff);
    this.#fetch = options.fetch ?? fetch;
  }

  /**
   * The ledger hook: while connected, stored events and closed laps are queued in the same
   * transaction; a closed lap is sent at once. Usage recorded while disconnected is not queued.
   */
  writeHook(): WriteHook {
    return {
      eventsWritten: (events) => {
        if (this.#auth.server() !== null) this.#queue.addEvents(events, this.#options.now());
      },
      lapClosed: (lap) => {
        if (this.#auth.server() === null) return;
        this.#queue.addLap(lap, this.#options.now());
        // After the lap's transaction has committed.
        queueMicrotask(() => this.kick());
      },
    };
  }

  /** Starts the timer; the first delivery is attempted at once. */
  start(): void {
    this.#schedule(0);
  }

  /** Delivers as soon as the backoff allows (a closed lap, changed toggles). */
  kick(): void {
    if (this.#stopped) return;
    if (this.#running) this.#again = true;
    else this.#schedule(Math.max(0, this.#notBefore - this.#options.now()));
  }

  /** The DataGrout toggles may have changed: push them now rather than at the next interval. */
  settingsChanged(): void {
    this.#settingsNotBefore = 0;
    this.kick();
  }

  /** One delivery cycle now (or the running one): what the timer runs, exposed for tests. */
  deliver(): Promise<void> {
    this.#running ??= this.#cycle().catch((error) => {
      this.#fail("server", `Sync failed: ${messageOf(error)}`, null);
    }).finally(() => {
      this.#running = null;
    });
    return this.#running;
  }

  /** What `GET /api/sync` shows. */
  status(): QueueStatus {
    return {
      depth: this.#queue.depth(),
      last_sync_at: this.#lastSyncAt,
      last_error: this.#lastError && { ...this.#lastError },
    };
  }

  /** Stops the timer and abandons a request in flight (its rows keep their key for next time). */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#abort.abort();
    await this.#running;
  }

  #schedule(delayMs: number): void {
    if (this.#stopped) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(async () => {
      this.#timer = undefined;
      await this.deliver();
      // After a server-wide failure, when its backoff ends; else at the next interval (a single
      // delivery's own backoff is checked then), or at once for what arrived meanwhile.
      const paused = this.#notBefore - this.#options.now();
      const wait = paused > 0 ? paused : this.#again ? 0 : this.#options.intervalMs;
      this.#again = false;
      this.#schedule(wait);
    }, delayMs);
  }

  async #cycle(): Promise<void> {
    const server = this.#auth.server();
    if (server === null || this.#options.now() < this.#notBefore) return;
    const token = await this.#auth.accessToken();
    if (token === null) {
      this.#lastError = { at: this.#options.now(), message: "Reconnect needed to sync" };
      return;
    }
    if (!await this.#pushSettings(server, token)) return;
    let requests = 0;
    for (const kind of ["lap", "event"] as const) {
      while (requests < MAX_REQUESTS_PER_CYCLE && !this.#stopped) {
        const limit = kind === "lap" ? 1 : this.#options.batchSize;
        const batch = this.#queue.next(kind, limit, this.#options.now());
        if (batch === null) break;
        requests++;
        if (!await this.#send(server, token, batch)) return;
      }
    }
  }

  /** Pushes the toggles when they changed; false when every delivery must now wait. */
  async #pushSettings(server: string, token: string): Promise<boolean> {
    const settings = this.#options.settings?.() ?? null;
    const json = settings && JSON.stringify(settings);
    if (json === null || json === this.#pushedSettings) return true;
    if (this.#options.now() < this.#settingsNotBefore) return true;
    const outcome = await this.#request(server, token, "PUT", "/lumen/v1/settings", {
      body: settings,
    });
    if (this.#stopped) return false;
    if (outcome.ok) {
      this.#pushedSettings = json;
      this.#succeeded();
      return true;
    }
    const delay = this.#fail(outcome.scope, outcome.message, outcome.retryAfter);
    this.#settingsNotBefore = this.#options.now() + delay;
    return outcome.scope === "item";
  }

  /** Sends one delivery; false when every delivery must now wait (server-wide failure). */
  async #send(server: string, token: string, batch: QueueBatch): Promise<boolean> {
    const path = batch.kind === "lap" ? "/lumen/v1/laps" : "/lumen/v1/events";
    const body = batch.kind === "lap" ? { lap: batch.items[0] } : { events: batch.items };
    const outcome = await this.#request(server, token, "POST", path, { body, key: batch.key });
    if (this.#stopped && !outcome.ok) return false;
    if (outcome.ok) {
      this.#queue.delivered(batch.key);
      this.#succeeded();
      return true;
    }
    const attempts = outcome.scope === "item" ? batch.attempts + 1 : this.#failures + 1;
    const delay = this.#fail(outcome.scope, outcome.message, outcome.retryAfter, attempts);
    this.#queue.failed(batch.key, this.#options.now() + delay);
    return outcome.scope === "item";
  }

  async #request(
    server: string,
    token: string,
    method: string,
    path: string,
    options: { body: unknown; key?: string },
  ): Promise<Outcome> {
    const headers: Record<string, string> = {
      "authorization": `Bearer ${token}`,
      "content-type": "application/json",
    };
    if (options.key) headers["idempotency-key"] = options.key;
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), this.#options.timeoutMs);
    const what = `${method} ${path}`;
    try {
      const response = await this.#fetch(`${server.replace(/\/+$/, "")}${path}`, {
        method,
        headers,
        body: JSON.stringify(options.body),
        signal: AbortSignal.any([this.#abort.signal, timeout.signal]),
      });
      await response.body?.cancel();
      const status = response.status;
      if ((status >= 200 && status < 300) || status === 409) return { ok: true };
      const message = `The sync server answered ${status} to ${what}`;
      if (status === 401) {
        await this.#auth.rejected(token);
        return { ok: false, scope: "server", message, retryAfter: null };
      }
      const retryAfter = retryAfterMs(response.headers.get("retry-after"), this.#options.now());
      const scope = status === 429 || status >= 500 ? "server" : "item";
      return { ok: false, scope, message, retryAfter };
    } catch (error) {
      const reason = timeout.signal.aborted ? "timed out" : messageOf(error);
      return { ok: false, scope: "server", message: `${what} failed: ${reason}`, retryAfter: null };
    } finally {
      clearTimeout(timer);
    }
  }

  #succeeded(): void {
    if (this.#lastError && this.#failures > 0) this.#options.log("Team sync delivers again");
    this.#failures = 0;
    this.#lastSyncAt = this.#options.now();
    this.#lastError = null;
  }

  /** Records a failure and returns the delay before its retry; "server" pauses every delivery. */
  #fail(
    scope: "server" | "item",
    message: string,
    retryAfter: number | null,
    attempts = this.#failures + 1,
  ): number {
    const now = this.#options.now();
    if (this.#lastError === null) this.#options.log(`${message}; retrying later`);
    this.#lastError = { at: now, message };
    const delay = retryAfter === null
      ? backoffDelay(attempts, this.#backoff)
      : Math.max(retryAfter, this.#backoff.floorMs);
    if (scope === "server") {
      this.#failures++;
      this.#notBefore = now + delay;
    }
    return delay;
  }
}

/**
 * The event batching interval from LUMEN_SYNC_INTERVAL_MS (test-only: the kill -9 test runs many
 * short cycles); undefined (the 30 s default) when unset or not a positive integer.
 */
export function intervalFromEnv(value: string | undefined): number | undefined {
  return value !== undefined && /^\d+$/.test(value) && Number(value) > 0
    ? Number(value)
    : undefined;
}
