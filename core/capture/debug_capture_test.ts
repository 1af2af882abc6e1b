import assert from "node:assert/strict";
import { DebugCapture, MAX_ARM_MINUTES } from "./debug_capture.ts";
import { fakeDebugCapture, sampleRecord } from "./_debug_fixture.ts";

const MINUTE = 60_000;

Deno.test("DebugCapture starts disarmed and captures nothing", () => {
  const { capture } = fakeDebugCapture();
  assert.deepEqual(capture.status(), { armed: false, expires_at: null });
  assert.equal(capture.begin(), null);
  assert.deepEqual(capture.list(), { armed: false, expires_at: null, captures: [] });
});

Deno.test("DebugCapture.arm() arms for 15 minutes by default, then disarms and forgets", () => {
  const fake = fakeDebugCapture();
  const { capture } = fake;
  const start = fake.now();
  assert.deepEqual(capture.arm(), { armed: true, expires_at: start + MAX_ARM_MINUTES * MINUTE });
  const ticket = capture.begin()!;
  capture.add(ticket, sampleRecord("a"));
  fake.advance(15 * MINUTE - 1);
  assert.equal(capture.list().captures.length, 1);
  fake.advance(1);
  assert.deepEqual(capture.list(), { armed: false, expires_at: null, captures: [] });
  assert.equal(fake.pendingTimers(), 0);
  assert.equal(capture.begin(), null);
});

Deno.test("DebugCapture.arm() takes a shorter duration, and arming again moves the expiry", () => {
  const fake = fakeDebugCapture();
  const { capture } = fake;
  assert.equal(capture.arm(2).expires_at, fake.now() + 2 * MINUTE);
  capture.add(capture.begin()!, sampleRecord("a"));
  fake.advance(MINUTE);
  assert.equal(capture.arm(2).expires_at, fake.now() + 2 * MINUTE);
  assert.equal(fake.pendingTimers(), 1, "the first timer was cleared");
  fake.advance(1.5 * MINUTE);
  assert.equal(capture.list().armed, true);
  assert.equal(capture.list().captures.length, 1, "re-arming keeps the captures");
  fake.advance(MINUTE);
  assert.equal(capture.list().armed, false);
});

Deno.test("DebugCapture.arm() refuses durations outside (0, 15] minutes", () => {
  const { capture } = fakeDebugCapture();
  for (const minutes of [0, -1, 15.01, 60, NaN, Infinity]) {
    assert.throws(() => capture.arm(minutes), RangeError, String(minutes));
  }
  assert.equal(capture.status().armed, false);
});

Deno.test("DebugCapture disarms at expiry even when its timer is late", () => {
  const fake = fakeDebugCapture();
  fake.capture.arm(1);
  fake.capture.add(fake.capture.begin()!, sampleRecord("a"));
  fake.advance(MINUTE, false); // the clock moved, the timer has not fired
  assert.deepEqual(fake.capture.list(), { armed: false, expires_at: null, captures: [] });
  assert.equal(fake.pendingTimers(), 0);
});

Deno.test("DebugCapture.disarm() clears the captures and drops captures still under way", () => {
  const { capture } = fakeDebugCapture();
  capture.arm();
  const early = capture.begin()!;
  capture.add(capture.begin()!, sampleRecord("a"));
  assert.deepEqual(capture.disarm(), { armed: false, expires_at: null });
  assert.deepEqual(capture.list().captures, []);
  capture.add(early, sampleRecord("late"));
  assert.equal(capture.accepts(early), false);
  capture.arm();
  capture.add(early, sampleRecord("late, after re-arming"));
  assert.deepEqual(capture.list().captures, [], "a ticket from an earlier session stays void");
});

Deno.test("DebugCapture.list() answers newest first and drops the oldest past the count cap", () => {
  const { capture } = fakeDebugCapture({ maxCaptures: 3 });
  capture.arm();
  for (const id of ["a", "b", "c", "d", "e"]) capture.add(capture.begin()!, sampleRecord(id));
  assert.deepEqual(capture.list().captures.map((c) => c.id), ["e", "d", "c"]);
});

Deno.test("DebugCapture drops the oldest captures past the byte cap, and never keeps one too big", () => {
  // A sample record's size is its body plus its path (20 bytes).
  const { capture } = fakeDebugCapture({ maxTotalBytes: 1_000 });
  capture.arm();
  capture.add(capture.begin()!, sampleRecord("a", 400));
  capture.add(capture.begin()!, sampleRecord("b", 400));
  assert.deepEqual(capture.list().captures.map((c) => c.id), ["b", "a"]);
  capture.add(capture.begin()!, sampleRecord("c", 400));
  assert.deepEqual(capture.list().captures.map((c) => c.id), ["c", "b"]);
  capture.add(capture.begin()!, sampleRecord("huge", 2_000));
  assert.deepEqual(capture.list().captures.map((c) => c.id), ["c", "b"]);
});

Deno.test("DebugCapture has 50 captures, 256 KiB bodies and 8 MiB in all as default caps", () => {
  assert.deepEqual(new DebugCapture().limits, {
    maxCaptures: 50,
    maxBodyBytes: 256 * 1024,
    maxTotalBytes: 8 * 1024 * 1024,
  });
});

Deno.test("DebugCapture arms with real timers and disarm() clears them", () => {
  const capture = new DebugCapture();
  capture.arm(0.01);
  assert.equal(capture.status().armed, true);
  capture.disarm(); // --trace-leaks fails the test if the timer were left running
  assert.equal(capture.status().armed, false);
});
