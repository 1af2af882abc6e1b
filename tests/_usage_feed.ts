// Follows a daemon's `/api/events/stream` the way the dashboard will, and hands out usage events.
import { createSseDecoder } from "../core/parse/sse.ts";
import type { UsageEvent } from "../core/types.ts";

/** Pushed usage events, with the time each arrived. */
export interface UsageFeed {
  /** Resolves with the next usage event not yet taken; rejects after `timeoutMs`. */
  next(timeoutMs?: number): Promise<{ event: UsageEvent; receivedAt: number }>;
  /** Usage events received and not yet taken. */
  pending(): number;
  close(): Promise<void>;
}

/** Opens the daemon's SSE stream and waits for its first `stats` message. */
export async function openUsageFeed(apiOrigin: string): Promise<UsageFeed> {
  const abort = new AbortController();
  const res = await fetch(`${apiOrigin}/api/events/stream`, { signal: abort.signal });
  if (!res.ok || !res.body) throw new Error(`events stream answered ${res.status}`);
  const queue: { event: UsageEvent; receivedAt: number }[] = [];
  const waiters: (() => void)[] = [];
  let sawStats = false;
  const decoder = createSseDecoder({
    onEvent(sse) {
      if (sse.event === "stats") sawStats = true;
      if (sse.event !== "usage") return;
      queue.push({ event: JSON.parse(sse.data), receivedAt: performance.now() });
      waiters.splice(0).forEach((wake) => wake());
    },
  });
  const reader = res.body.getReader();
  const pump = (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        decoder.feed(value);
        if (sawStats) waiters.splice(0).forEach((wake) => wake());
      }
    } catch {
      // Aborted by close(); nothing else reads this stream.
    }
  })();
  while (!sawStats) await new Promise<void>((wake) => waiters.push(wake));

  return {
    async next(timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      while (queue.length === 0) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`No usage event within ${timeoutMs} ms`);
        let timer: ReturnType<typeof setTimeout> | undefined;
        await Promise.race([
          new Promise<void>((wake) => waiters.push(wake)),
          new Promise<void>((wake) => timer = setTimeout(wake, left)),
        ]);
        clearTimeout(timer);
      }
      return queue.shift()!;
    },
    pending: () => queue.length,
    async close() {
      // Cancelling the reader ends a pending read at once; aborting alone left it hanging at times.
      await reader.cancel().catch(() => {});
      abort.abort();
      await pump;
    },
  };
}
