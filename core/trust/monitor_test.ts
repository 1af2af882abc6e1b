import assert from "node:assert/strict";
import type { HandshakeResult } from "./handshake.ts";
import { TrustMonitor } from "./monitor.ts";

/** A check that resolves when the test says so, counting its runs. */
function controlledCheck() {
  const pending: { resolve(result: HandshakeResult): void; signal: AbortSignal }[] = [];
  return {
    pending,
    check: (signal: AbortSignal) =>
      new Promise<HandshakeResult>((resolve) => pending.push({ resolve, signal })),
  };
}

Deno.test("TrustMonitor.latest() is unknown and unchecked before any check", () => {
  const monitor = new TrustMonitor(() => Promise.reject(new Error("not called")), {
    now: () => 1,
  });
  assert.deepEqual(monitor.latest(), { trusted: null, checkedAt: null, error: null });
});

Deno.test("TrustMonitor.check() keeps the verdict with the time it was reached", async () => {
  let now = 1000;
  const results: HandshakeResult[] = [
    { trusted: false, error: "invalid peer certificate: UnknownIssuer" },
    { trusted: true, error: null },
  ];
  const monitor = new TrustMonitor(() => Promise.resolve(results.shift()!), { now: () => now });
  assert.deepEqual(await monitor.check(), {
    trusted: false,
    checkedAt: 1000,
    error: "invalid peer certificate: UnknownIssuer",
  });
  now = 2000;
  assert.equal(monitor.latest().checkedAt, 1000);
  assert.deepEqual(await monitor.check(), { trusted: true, checkedAt: 2000, error: null });
  assert.deepEqual(monitor.latest(), { trusted: true, checkedAt: 2000, error: null });
});

Deno.test("TrustMonitor.check() shares one run between concurrent callers", async () => {
  const { pending, check } = controlledCheck();
  const monitor = new TrustMonitor(check, { now: () => 5 });
  const first = monitor.check();
  const second = monitor.check();
  assert.equal(pending.length, 1);
  pending[0].resolve({ trusted: true, error: null });
  assert.deepEqual(await first, await second);
  const third = monitor.check();
  assert.equal(pending.length, 2, "a check after the shared one ran starts a new run");
  pending[1].resolve({ trusted: true, error: null });
  await third;
});

Deno.test("TrustMonitor.check() turns a throwing check into an unknown verdict", async () => {
  const monitor = new TrustMonitor(() => Promise.reject(new Error("boom")), { now: () => 7 });
  assert.deepEqual(await monitor.check(), {
    trusted: null,
    checkedAt: 7,
    error: "The trust check failed: boom",
  });
});

Deno.test("TrustMonitor.close() aborts the running check and keeps the previous verdict", async () => {
  const { pending, check } = controlledCheck();
  const monitor = new TrustMonitor(check, { now: () => 9 });
  const first = monitor.check();
  pending[0].resolve({ trusted: false, error: "UnknownIssuer" });
  await first;
  const running = monitor.check();
  monitor.close();
  assert.equal(pending[1].signal.aborted, true);
  pending[1].resolve({ trusted: null, error: "The trust check was cancelled" });
  assert.deepEqual(await running, { trusted: false, checkedAt: 9, error: "UnknownIssuer" });
  await monitor.check();
  assert.equal(pending.length, 2, "no check runs after close()");
});
