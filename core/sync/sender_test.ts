import assert from "node:assert/strict";
import { startIngestServer } from "../../tests/_ingest_server.ts";
import { eventAt, ledgerFixture } from "../usage/_store_fixture.ts";
import type { SyncAuth } from "./auth.ts";
import { SyncQueue } from "./queue.ts";
import { SyncSender } from "./sender.ts";

const TOKEN = "test-access-token";

/** A connected auth with a fixed token that records rejected() calls. */
function fakeAuth(server: string | null) {
  const rejected: string[] = [];
  const auth: SyncAuth & { rejected_: string[]; connected: string | null } = {
    connected: server,
    rejected_: rejected,
    server: () => auth.connected,
    accessToken: () => Promise.resolve(auth.connected === null ? null : TOKEN),
    rejected: (token) => {
      rejected.push(token);
      return Promise.resolve();
    },
  };
  return auth;
}

/** A ledger fixture, an ingest stand-in and a sender on the fixture's clock (no timer started). */
async function setup(
  options: { batchSize?: number; settings?: () => Record<string, unknown> } = {},
) {
  const fixture = await ledgerFixture();
  const ingest = startIngestServer({ token: TOKEN });
  const auth = fakeAuth(ingest.origin);
  const logs: string[] = [];
  const queue = new SyncQueue(fixture.ledger.db);
  const sender = new SyncSender(queue, auth, {
    now: () => fixture.clock.now,
    log: (line) => logs.push(line),
    batchSize: options.batchSize ?? 3,
    backoff: { baseMs: 1_000, capMs: 60_000, floorMs: 250, random: () => 0.5 },
    settings: options.settings,
  });
  fixture.ledger.setWriteHook(sender.writeHook());
  return {
    fixture,
    ingest,
    auth,
    queue,
    sender,
    logs,
    /** Records `n` events a millisecond apart and returns their ids. */
    record(n: number): string[] {
      const events = Array.from({ length: n }, () => eventAt(fixture.clock.now++));
      fixture.record(...events);
      return events.map((event) => event.id);
    },
    async [Symbol.asyncDispose]() {
      await sender.stop();
      await ingest.close();
      await fixture[Symbol.asyncDispose]();
    },
  };
}

Deno.test("SyncSender.deliver() sends queued events in batches with a bearer token", async () => {
  await using t = await setup();
  const ids = t.record(7);
  assert.equal(t.sender.status().depth, 7);
  await t.sender.deliver();
  const posts = t.ingest.requests.filter((r) => r.path === "/lumen/v1/events");
  assert.deepEqual(posts.map((r) => r.body.events.length), [3, 3, 1]);
  assert.ok(posts.every((r) => r.authorization === `Bearer ${TOKEN}` && r.key));
  assert.equal(new Set(posts.map((r) => r.key)).size, 3);
  assert.deepEqual(posts.flatMap((r) => r.body.events.map((e: { id: string }) => e.id)), ids);
  assert.ok(posts.every((r) => r.body.events.every((e: object) => !("host" in e))));
  const status = t.sender.status();
  assert.equal(status.depth, 0);
  assert.equal(status.last_sync_at, t.fixture.clock.now);
  assert.equal(status.last_error, null);
});

Deno.test("SyncSender queues nothing while disconnected", async () => {
  await using t = await setup();
  t.auth.connected = null;
  t.record(2);
  t.fixture.ledger.closeLap("Off");
  await t.sender.deliver();
  assert.equal(t.sender.status().depth, 0);
  assert.equal(t.ingest.requests.length, 0);
});

Deno.test("SyncSender resends a failed batch with the same key and items", async () => {
  await using t = await setup();
  t.record(2);
  t.ingest.plan({ status: 503 });
  await t.sender.deliver();
  t.record(2); // new events must not join the batch already keyed
  t.fixture.clock.now += 60_000;
  await t.sender.deliver();
  const [first, second, third] = t.ingest.requests;
  assert.equal(first.status, 503);
  assert.equal(second.key, first.key);
  assert.deepEqual(second.body, first.body);
  assert.equal(second.status, 202);
  assert.notEqual(third.key, first.key);
  assert.equal(t.sender.status().depth, 0);
});

Deno.test("SyncQueue.next() gives the same key and items after a restart", async () => {
  await using t = await setup();
  t.record(2);
  const before = t.queue.next("event", 10, t.fixture.clock.now)!;
  const ledger = await t.fixture.reopen();
  const after = new SyncQueue(ledger.db).next("event", 10, t.fixture.clock.now)!;
  assert.equal(after.key, before.key);
  assert.deepEqual(after.items, before.items);
});

Deno.test("SyncSender treats 409 as delivered, as when an acknowledgement was lost", async () => {
  await using t = await setup();
  const ids = t.record(2);
  // The server stores the batch, then the connection drops before the answer arrives.
  const batch = t.queue.next("event", 3, t.fixture.clock.now)!;
  await (await fetch(`${t.ingest.origin}/lumen/v1/events`, {
    method: "POST",
    headers: { authorization: `Bearer ${TOKEN}`, "idempotency-key": batch.key },
    body: JSON.stringify({ events: batch.items }),
  })).body?.cancel();
  await t.sender.deliver();
  assert.equal(t.ingest.requests[1].key, batch.key);
  assert.equal(t.ingest.requests[1].status, 409);
  assert.equal(t.sender.status().depth, 0);
  assert.deepEqual([...t.ingest.eventCounts()], ids.map((id) => [id, 1]));
});

Deno.test("SyncSender waits for Retry-After after a 429", async () => {
  await using t = await setup();
  t.record(1);
  t.ingest.plan({ status: 429, headers: { "retry-after": "120" } });
  await t.sender.deliver();
  assert.match(t.sender.status().last_error!.message, /429/);
  t.fixture.clock.now += 119_999;
  await t.sender.deliver();
  t.sender.kick();
  assert.equal(t.ingest.requests.length, 1, "no request before Retry-After");
  t.fixture.clock.now += 1;
  await t.sender.deliver();
  assert.equal(t.ingest.requests.length, 2);
  assert.equal(t.sender.status().depth, 0);
  assert.equal(t.sender.status().last_error, null);
});

Deno.test("SyncSender backs off exponentially after 5xx and network errors", async () => {
  await using t = await setup();
  t.record(1);
  t.ingest.plan({ status: 500 }, { status: 502 });
  await t.sender.deliver(); // failure 1: random 0.5 × 1 s = 500 ms
  t.fixture.clock.now += 499;
  await t.sender.deliver();
  assert.equal(t.ingest.requests.length, 1);
  t.fixture.clock.now += 1;
  await t.sender.deliver(); // failure 2: 0.5 × 2 s
  t.fixture.clock.now += 999;
  await t.sender.deliver();
  assert.equal(t.ingest.requests.length, 2);
  await t.ingest.stop();
  t.fixture.clock.now += 1;
  await t.sender.deliver(); // failure 3 (refused): 0.5 × 4 s
  assert.match(t.sender.status().last_error!.message, /failed/);
  t.ingest.start();
  t.fixture.clock.now += 1_999;
  await t.sender.deliver();
  assert.equal(t.ingest.requests.length, 2);
  t.fixture.clock.now += 1;
  await t.sender.deliver();
  assert.equal(t.ingest.requests.length, 3);
  assert.equal(t.sender.status().depth, 0);
});

Deno.test("SyncSender reports a 401 to the auth side and retries later", async () => {
  await using t = await setup();
  t.record(1);
  t.ingest.plan({ status: 401 });
  await t.sender.deliver();
  assert.deepEqual(t.auth.rejected_, [TOKEN]);
  assert.equal(t.sender.status().depth, 1);
  t.fixture.clock.now += 60_000;
  await t.sender.deliver();
  assert.equal(t.sender.status().depth, 0);
});

Deno.test("SyncSender keeps a batch the server refuses and still sends the others", async () => {
  await using t = await setup({ batchSize: 1 });
  t.record(2);
  t.ingest.plan({ status: 422 });
  await t.sender.deliver();
  assert.deepEqual(t.ingest.requests.map((r) => r.status), [422, 202]);
  assert.equal(t.sender.status().depth, 1);
  assert.match(t.sender.status().last_error?.message ?? "", /422|^$/);
  t.fixture.clock.now += 60_000;
  await t.sender.deliver();
  assert.equal(t.ingest.requests[2].key, t.ingest.requests[0].key);
  assert.equal(t.sender.status().depth, 0);
});

Deno.test("SyncSender sends a closed lap at once with its own key", async () => {
  await using t = await setup();
  t.sender.start();
  t.record(2);
  const { closed } = t.fixture.ledger.closeLap("Sprint");
  await waitFor(() => t.ingest.accepted.size >= 2 && t.sender.status().depth === 0);
  const lap = t.ingest.requests.find((r) => r.path === "/lumen/v1/laps")!;
  assert.equal(lap.body.lap.id, closed.id);
  assert.equal(lap.body.lap.name, closed.name);
  assert.equal(lap.body.lap.ended_at, closed.ended_at);
  assert.equal(lap.body.lap.requests, 2);
  assert.ok(lap.key);
});

Deno.test("SyncSender pushes the DataGrout toggles, and again when they change", async () => {
  const toggles = { dg_tools_visible: true, dg_intelligent_interface: false };
  await using t = await setup({ settings: () => ({ ...toggles }) });
  await t.sender.deliver();
  assert.deepEqual(t.ingest.settings, toggles);
  await t.sender.deliver();
  assert.equal(t.ingest.requests.length, 1, "unchanged toggles are not pushed again");
  toggles.dg_intelligent_interface = true;
  await t.sender.deliver();
  assert.deepEqual(t.ingest.settings, toggles);
  assert.equal(t.ingest.requests.length, 2);
});

Deno.test("SyncSender's timer honours Retry-After in real time", async () => {
  await using t = await setup();
  t.fixture.clock.now = Date.now();
  // The scheduler reads the clock; keep it real for this test.
  Object.defineProperty(t.fixture.clock, "now", { get: () => Date.now(), set() {} });
  t.record(1);
  t.ingest.plan({ status: 429, headers: { "retry-after": "1" } });
  t.sender.start();
  await waitFor(() => t.sender.status().depth === 0, 5_000);
  const [first, second] = t.ingest.requests;
  assert.equal(first.status, 429);
  assert.ok(second.at - first.at >= 990, `retried after ${second.at - first.at} ms`);
});

async function waitFor(done: () => boolean, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error("Timed out waiting");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
