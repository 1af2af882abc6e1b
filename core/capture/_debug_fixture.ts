// Test support: a DebugCapture on a clock and timers the test moves by hand, and records to add.
import {
  DebugCapture,
  type DebugCaptureOptions,
  type DebugCaptureRecord,
} from "./debug_capture.ts";

/** A DebugCapture whose time only moves with `advance()`; no real timer is ever started. */
export function fakeDebugCapture(options: DebugCaptureOptions = {}) {
  let now = 1_800_000_000_000;
  const timers = new Map<number, { at: number; fn: () => void }>();
  let nextId = 1;
  const capture = new DebugCapture({
    now: () => now,
    setTimer(fn, ms) {
      timers.set(nextId, { at: now + ms, fn });
      return nextId++;
    },
    clearTimer: (id) => void timers.delete(id as number),
    ...options,
  });
  return {
    capture,
    now: () => now,
    /** Timers not yet fired or cleared. */
    pendingTimers: () => timers.size,
    /** Moves the clock by `ms`, firing every timer that falls due. */
    advance(ms: number, fire = true): void {
      now += ms;
      if (!fire) return;
      for (const [id, timer] of [...timers]) {
        if (timer.at > now) continue;
        timers.delete(id);
        timer.fn();
      }
    },
  };
}

/** A small record; `bodyBytes` sets the size of its request body text. */
export function sampleRecord(id: string, bodyBytes = 10): DebugCaptureRecord {
  return {
    id,
    ts: 1_800_000_000_000,
    duration_ms: 5,
    mode: "relay",
    host: "api.openai.com",
    method: "POST",
    path: "/v1/chat/completions",
    query: "",
    status: 200,
    aborted: false,
    request: {
      headers: {},
      body: "x".repeat(bodyBytes),
      body_encoding: "utf-8",
      body_bytes: bodyBytes,
      truncated: false,
    },
    response: null,
  };
}
