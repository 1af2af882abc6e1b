// The opt-in debug capture's state: armed or not, until when, and the captured exchanges. Memory
// only — nothing here is written to disk or logged — capped in count and bytes, and emptied on
// disarm. Credentials never arrive here: debug_tap.ts redacts them before it builds a record.

/** A request or response body as the capture keeps it. */
export interface CapturedBody {
  /** The (possibly truncated) body: UTF-8 text, or base64 when the bytes are not valid UTF-8. */
  body: string;
  body_encoding: "utf-8" | "base64";
  /** Size of the whole body as it crossed the wire. */
  body_bytes: number;
  /** Whether `body` holds less than the whole body (cut at the cap, or an incomplete stream). */
  truncated: boolean;
}

/** One exchange, as `GET /api/debug/captures` lists it. */
export interface DebugCaptureRecord {
  id: string;
  /** Epoch ms when the request arrived. */
  ts: number;
  /** From arrival to the response's end; null while it never ended. */
  duration_ms: number | null;
  mode: "relay" | "proxy";
  host: string;
  method: string;
  path: string;
  /** Query without `?`, credential parameters redacted. */
  query: string;
  /** Response status; null when no response arrived (upstream unreachable, client gone). */
  status: number | null;
  /** Whether the exchange ended early (client abort, upstream reset). */
  aborted: boolean;
  /** The client's request: headers with credentials redacted, body as the client sent it. */
  request: CapturedBody & { headers: Record<string, string> };
  /**
   * The upstream's response, null when none arrived. `body_form` says what `body` shows: the bytes
   * as sent ("identity": no content-encoding), decompressed for display ("decompressed"), or the
   * compressed bytes as sent because they could not be decoded ("compressed").
   */
  response:
    | CapturedBody & {
      headers: Record<string, string>;
      body_form: "identity" | "decompressed" | "compressed";
    }
    | null;
}

/** Whether the capture is armed, and until when (epoch ms). */
export interface DebugStatus {
  armed: boolean;
  expires_at: number | null;
}

/** A capture may be armed for at most this long; arming without a duration uses it. */
export const MAX_ARM_MINUTES = 15;

/** Caps; the defaults bound the capture to about 8 MiB. */
export interface DebugCaptureLimits {
  /** Captures kept; the oldest is dropped first. Default 50. */
  maxCaptures: number;
  /** Bytes kept of each request body and of each response body. Default 256 KiB. */
  maxBodyBytes: number;
  /** Bytes kept across all captures (their text); the oldest is dropped first. Default 8 MiB. */
  maxTotalBytes: number;
}

/** The clock and timers (injected so tests can move time), and the caps. */
export interface DebugCaptureOptions extends Partial<DebugCaptureLimits> {
  now?(): number;
  setTimer?(fn: () => void, ms: number): unknown;
  clearTimer?(timer: unknown): void;
}

/** Proof that a capture began while armed; a capture finished after a disarm is dropped. */
export interface CaptureTicket {
  readonly session: number;
}

const DEFAULT_LIMITS: DebugCaptureLimits = {
  maxCaptures: 50,
  maxBodyBytes: 256 * 1024,
  maxTotalBytes: 8 * 1024 * 1024,
};

/** The debug capture: off until armed, disarms itself when its time is up. */
export class DebugCapture {
  /** The caps in force. */
  readonly limits: DebugCaptureLimits;
  #now: () => number;
  #setTimer: (fn: () => void, ms: number) => unknown;
  #clearTimer: (timer: unknown) => void;
  #expiresAt: number | null = null;
  #timer: unknown = null;
  /** Changes on every fresh arm and every disarm, so late captures of a past session are dropped. */
  #session = 0;
  /** Oldest first, each with its size in bytes. */
  #records: { record: DebugCaptureRecord; bytes: number }[] = [];
  #bytes = 0;

  constructor(options: DebugCaptureOptions = {}) {
    this.limits = {
      maxCaptures: options.maxCaptures ?? DEFAULT_LIMITS.maxCaptures,
      maxBodyBytes: options.maxBodyBytes ?? DEFAULT_LIMITS.maxBodyBytes,
      maxTotalBytes: options.maxTotalBytes ?? DEFAULT_LIMITS.maxTotalBytes,
    };
    this.#now = options.now ?? (() => Date.now());
    this.#setTimer = options.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
    this.#clearTimer = options.clearTimer ??
      ((timer) => clearTimeout(timer as ReturnType<typeof setTimeout>));
  }

  /**
   * Arms the capture for `minutes` (default and maximum 15) from now; arming again while armed
   * moves the expiry and keeps the captures. Throws RangeError for any other duration.
   */
  arm(minutes: number = MAX_ARM_MINUTES): DebugStatus {
    if (!Number.isFinite(minutes) || minutes <= 0 || minutes > MAX_ARM_MINUTES) {
      throw new RangeError(
        `Debug capture arms for more than 0 and at most ${MAX_ARM_MINUTES} minutes, got ${minutes}`,
      );
    }
    if (!this.#armed()) this.#session++;
    if (this.#timer !== null) this.#clearTimer(this.#timer);
    const ms = Math.round(minutes * 60_000);
    this.#expiresAt = this.#now() + ms;
    this.#timer = this.#setTimer(() => this.disarm(), ms);
    return this.status();
  }

  /** Disarms the capture and forgets every capture. */
  disarm(): DebugStatus {
    if (this.#timer !== null) this.#clearTimer(this.#timer);
    this.#timer = null;
    this.#expiresAt = null;
    this.#session++;
    this.#records = [];
    this.#bytes = 0;
    return this.status();
  }

  /** Whether the capture is armed, and until when. */
  status(): DebugStatus {
    return { armed: this.#armed(), expires_at: this.#expiresAt };
  }

  /** The status and the captures, newest first. */
  list(): DebugStatus & { captures: DebugCaptureRecord[] } {
    const status = this.status();
    return { ...status, captures: this.#records.map((r) => r.record).reverse() };
  }

  /** A ticket for a capture starting now, or null when disarmed (then nothing is captured). */
  begin(): CaptureTicket | null {
    return this.#armed() ? { session: this.#session } : null;
  }

  /** Whether a capture begun with `ticket` would still be kept. */
  accepts(ticket: CaptureTicket): boolean {
    return this.#armed() && ticket.session === this.#session;
  }

  /** Keeps `record`, dropping the oldest captures past the caps; ignored after a disarm. */
  add(ticket: CaptureTicket, record: DebugCaptureRecord): void {
    if (!this.accepts(ticket)) return;
    const bytes = sizeOf(record);
    if (bytes > this.limits.maxTotalBytes) return;
    this.#records.push({ record, bytes });
    this.#bytes += bytes;
    while (
      this.#records.length > this.limits.maxCaptures || this.#bytes > this.limits.maxTotalBytes
    ) {
      this.#bytes -= this.#records.shift()!.bytes;
    }
  }

  /** Checks the expiry itself too, so a late timer never leaves an expired capture readable. */
  #armed(): boolean {
    if (this.#expiresAt === null) return false;
    if (this.#now() < this.#expiresAt) return true;
    this.disarm();
    return false;
  }
}

const encoder = new TextEncoder();

/** The UTF-8 size of a record's text: path, query, headers and bodies. */
function sizeOf(record: DebugCaptureRecord): number {
  const texts = [record.path, record.query];
  for (const part of [record.request, record.response]) {
    if (part) texts.push(part.body, ...Object.keys(part.headers), ...Object.values(part.headers));
  }
  return texts.reduce((sum, text) => sum + encoder.encode(text).length, 0);
}
