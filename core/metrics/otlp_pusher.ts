// Pushes the registry to an OTLP/HTTP collector as JSON every interval, and once more at shutdown.
import http from "node:http";
import https from "node:https";
import { ConfigError } from "../config.ts";

/** Default push interval, ms (`LUMEN_OTLP_INTERVAL_MS`). */
export const DEFAULT_OTLP_INTERVAL_MS = 60_000;
/** How long one push may take, the final one at shutdown included. */
export const OTLP_TIMEOUT_MS = 5_000;

/** Where and how often to push. */
export interface OtlpConfig {
  endpoint: URL;
  intervalMs: number;
}

/**
 * Reads `LUMEN_OTLP_ENDPOINT` (e.g. `http://127.0.0.1:4318/v1/metrics`; unset = no push) and
 * `LUMEN_OTLP_INTERVAL_MS`; throws ConfigError for values that cannot work.
 */
export function otlpConfigFromEnv(env: (name: string) => string | undefined): OtlpConfig | null {
  const raw = env("LUMEN_OTLP_ENDPOINT")?.trim();
  if (!raw) return null;
  let endpoint: URL;
  try {
    endpoint = new URL(raw);
  } catch {
    throw new ConfigError(`LUMEN_OTLP_ENDPOINT must be an http(s) URL, not "${raw}"`);
  }
  if (endpoint.protocol !== "http:" && endpoint.protocol !== "https:") {
    throw new ConfigError(`LUMEN_OTLP_ENDPOINT must be an http(s) URL, not "${raw}"`);
  }
  const rawInterval = env("LUMEN_OTLP_INTERVAL_MS")?.trim();
  const intervalMs = rawInterval ? Number(rawInterval) : DEFAULT_OTLP_INTERVAL_MS;
  if (!Number.isInteger(intervalMs) || intervalMs < 10 || intervalMs > 86_400_000) {
    throw new ConfigError(
      `LUMEN_OTLP_INTERVAL_MS must be an integer from 10 to 86400000, not "${rawInterval}"`,
    );
  }
  return { endpoint, intervalMs };
}

/** Options of an OtlpPusher. */
export interface OtlpPusherOptions extends OtlpConfig {
  /** The request body of one push (an ExportMetricsServiceRequest). */
  collect(): unknown;
  log(line: string): void;
  timeoutMs?: number;
}

/**
 * Pushes on a timer. A failure is logged once per kind (status or network error) until a push
 * succeeds again, and retried at the next interval; it never throws.
 */
export class OtlpPusher {
  #options: OtlpPusherOptions;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #inFlight: Promise<void> | undefined;
  #failures = new Set<string>();
  #stopped = false;

  constructor(options: OtlpPusherOptions) {
    this.#options = options;
  }

  /** Starts the timer: the first push comes one interval from now. */
  start(): void {
    if (this.#stopped || this.#timer !== undefined) return;
    const tick = () => {
      this.#timer = setTimeout(async () => {
        await this.push();
        if (!this.#stopped) tick();
      }, this.#options.intervalMs);
    };
    tick();
  }

  /** Pushes now unless a push is under way (then waits for that one). */
  push(): Promise<void> {
    this.#inFlight ??= this.#send().finally(() => this.#inFlight = undefined);
    return this.#inFlight;
  }

  /** Stops the timer and makes one final push (bounded by the timeout). */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#inFlight;
    await this.push();
  }

  async #send(): Promise<void> {
    const { endpoint, log } = this.#options;
    let failure: string | null;
    try {
      const body = JSON.stringify(this.#options.collect());
      const status = await postJson(endpoint, body, this.#options.timeoutMs ?? OTLP_TIMEOUT_MS);
      failure = status >= 200 && status < 300 ? null : `HTTP ${status}`;
    } catch (error) {
      const code = (error as { code?: unknown })?.code;
      failure = typeof code === "string"
        ? code
        : error instanceof Error
        ? error.message
        : String(error);
    }
    if (failure === null) {
      if (this.#failures.size > 0) log(`OTLP push to ${endpoint} works again`);
      this.#failures.clear();
    } else if (!this.#failures.has(failure)) {
      this.#failures.add(failure);
      log(`OTLP push to ${endpoint} failed (${failure}); retrying every interval`);
    }
  }
}

/**
 * POSTs `body` and resolves with the status. node:http rather than fetch: Deno's fetch honours
 * HTTP(S)_PROXY, and a shell set up by `lumen env` points those at Lumen itself.
 */
function postJson(url: URL, body: string, timeoutMs: number): Promise<number> {
  const client = url.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request(url, {
      method: "POST",
      // One connection per push: pushes are minutes apart, and nothing lingers at shutdown.
      agent: false,
      headers: {
        "content-type": "application/json",
        "content-length": String(new TextEncoder().encode(body).byteLength),
      },
    }, (res) => {
      res.resume(); // the partial-success body is not needed; drain it so the socket is freed
      res.on("end", () => done(() => resolve(res.statusCode ?? 0)));
      res.on("error", (error) => done(() => reject(error)));
    });
    // The whole exchange, not only idle time, is bounded.
    const timer = setTimeout(() => {
      req.destroy(Object.assign(new Error("Timed out"), { code: "timeout" }));
    }, timeoutMs);
    const done = (settle: () => void) => {
      clearTimeout(timer);
      settle();
    };
    req.on("error", (error) => done(() => reject(error)));
    req.end(body);
  });
}
