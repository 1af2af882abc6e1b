// The daemon's view of whether the system trusts its CA: the last check's verdict, kept because
// each check starts a process, and refreshed on request with concurrent requests sharing one run.
import { checkTrust } from "./check.ts";
import type { HandshakeResult } from "./handshake.ts";

/** A trust verdict with the time it was reached (null: no check has finished yet). */
export interface TrustVerdict {
  trusted: boolean | null;
  checkedAt: number | null;
  error: string | null;
}

/** Runs one check; aborting `signal` must end it promptly. */
export type TrustCheck = (signal: AbortSignal) => Promise<HandshakeResult>;

/** Caches the trust verdict and runs at most one check at a time. */
export class TrustMonitor {
  #check: TrustCheck;
  #now: () => number;
  #latest: TrustVerdict = { trusted: null, checkedAt: null, error: null };
  #running: Promise<TrustVerdict> | null = null;
  #closing = new AbortController();

  constructor(check: TrustCheck, options: { now(): number }) {
    this.#check = check;
    this.#now = options.now;
  }

  /** Whether a check is under way (its handshake's failure is not a client's). */
  get checking(): boolean {
    return this.#running !== null;
  }

  /** The last finished check's verdict. */
  latest(): TrustVerdict {
    return this.#latest;
  }

  /** Runs a fresh check (or joins the one running) and resolves with its verdict; never throws. */
  check(): Promise<TrustVerdict> {
    if (this.#closing.signal.aborted) return Promise.resolve(this.#latest);
    return this.#running ??= (async () => {
      try {
        const result = await this.#check(this.#closing.signal).catch((error) => ({
          trusted: null,
          error: `The trust check failed: ${error instanceof Error ? error.message : error}`,
        }));
        // A check cut short by close() says nothing about trust: keep the previous verdict.
        if (!this.#closing.signal.aborted) {
          this.#latest = { trusted: result.trusted, checkedAt: this.#now(), error: result.error };
        }
        return this.#latest;
      } finally {
        this.#running = null;
      }
    })();
  }

  /** Ends a running check (its process is killed) and refuses new ones: the daemon is stopping. */
  close(): void {
    this.#closing.abort();
  }
}

/** The daemon's monitor: checks through its own proxy on `proxyPort` with checkTrust(). */
export function createTrustMonitor(
  options: { proxyPort: number; self: string[]; now(): number },
): TrustMonitor {
  const check: TrustCheck = (signal) =>
    checkTrust({ proxyPort: options.proxyPort, self: options.self, signal });
  return new TrustMonitor(check, { now: options.now });
}
