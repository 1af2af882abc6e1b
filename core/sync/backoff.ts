// Retry delays of the sync sender: exponential backoff with full jitter (a random delay between a
// floor and the exponential ceiling, so many clients that failed together do not retry together),
// and the server's Retry-After when it sends one (RFC 9110 §10.2.3).

/** Options of backoffDelay(). */
export interface BackoffOptions {
  /** Ceiling of the first retry; doubled per failure. */
  baseMs: number;
  /** Largest ceiling. */
  capMs: number;
  /** Shortest delay ever returned: no retry comes in a tight loop, whatever the jitter draws. */
  floorMs: number;
  /** A number in [0, 1). */
  random(): number;
}

/** Longest Retry-After honoured: a broken server cannot park the queue for days. */
export const MAX_RETRY_AFTER_MS = 60 * 60 * 1000;

/** The delay before retry number `failures` (1 for the first failure), in ms. */
export function backoffDelay(failures: number, options: BackoffOptions): number {
  const exponent = Math.min(Math.max(failures - 1, 0), 30);
  const ceiling = Math.min(options.capMs, options.baseMs * 2 ** exponent);
  return Math.max(options.floorMs, Math.floor(options.random() * ceiling));
}

/**
 * A Retry-After header value (delay-seconds or an HTTP-date) as ms from `now`, clamped to
 * [0, MAX_RETRY_AFTER_MS]; null when absent or unparseable.
 */
export function retryAfterMs(value: string | null, now: number): number | null {
  if (value === null) return null;
  const text = value.trim();
  let ms: number;
  if (/^\d+$/.test(text)) ms = Number(text) * 1000;
  else {
    // An HTTP-date names its day and month ("Sun, 06 Nov 1994 08:49:37 GMT"); Date.parse alone
    // would read "-5" as a year.
    const at = /[a-z]{3}/i.test(text) ? Date.parse(text) : NaN;
    if (Number.isNaN(at)) return null;
    ms = at - now;
  }
  return Math.min(Math.max(ms, 0), MAX_RETRY_AFTER_MS);
}
