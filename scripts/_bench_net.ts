// Loopback ports for processes the benchmarks start: a free one to hand out, and the moment a
// process starts accepting on it.

/** Pause between connection attempts: short, so a cold start is timed to about a millisecond. */
const POLL_MS = 1;

/** `count` different ports on 127.0.0.1 that nothing listens on right now. */
export function freePorts(count: number): number[] {
  // All held open together, so the system cannot hand out the same port twice.
  const listeners = Array.from(
    { length: count },
    () => Deno.listen({ hostname: "127.0.0.1", port: 0 }),
  );
  for (const listener of listeners) listener.close();
  return listeners.map((listener) => (listener.addr as Deno.NetAddr).port);
}

/**
 * Resolves once 127.0.0.1:`port` accepts a TCP connection; rejects when `exited` settles first
 * (the process died) or after `timeoutMs`.
 */
export async function waitForListening(
  port: number,
  options: { timeoutMs: number; exited?: Promise<unknown> },
): Promise<void> {
  let gone = false;
  options.exited?.then(() => gone = true, () => gone = true);
  const deadline = performance.now() + options.timeoutMs;
  while (performance.now() < deadline && !gone) {
    try {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port });
      conn.close();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  }
  throw new Error(
    gone
      ? `exited before listening on port ${port}`
      : `not listening on port ${port} within ${options.timeoutMs} ms`,
  );
}
