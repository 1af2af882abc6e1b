// `/api/events/stream`: pushes aggregator messages as SSE (`event: usage|stats|lap`).
import type { AggregatorMessage, UsageReader } from "../usage/aggregator.ts";

/** Comment line sent while idle so proxies and browsers keep the stream open. */
const HEARTBEAT_MS = 15_000;

/**
 * Returns an SSE response that starts with the current stats and then follows every update, until
 * the client leaves or `closing` fires (a graceful server shutdown waits for every open response,
 * and this one would never end by itself).
 */
export function streamEvents(reader: UsageReader, closing: AbortSignal): Response {
  const encoder = new TextEncoder();
  let stop = () => {};
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      const send = (message: AggregatorMessage) => {
        controller.enqueue(
          encoder.encode(`event: ${message.type}\ndata: ${JSON.stringify(message.data)}\n\n`),
        );
      };
      send({ type: "stats", data: reader.stats() });
      const unsubscribe = reader.subscribe(send);
      const heartbeat = setInterval(
        () => controller.enqueue(encoder.encode(": ping\n\n")),
        HEARTBEAT_MS,
      );
      const end = () => {
        stop();
        controller.close();
      };
      stop = () => {
        unsubscribe();
        clearInterval(heartbeat);
        closing.removeEventListener("abort", end);
      };
      if (closing.aborted) end();
      else closing.addEventListener("abort", end, { once: true });
    },
    cancel() {
      stop();
    },
  });
  return new Response(body, {
    headers: {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-store",
      "x-accel-buffering": "no",
    },
  });
}
