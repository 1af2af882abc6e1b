import assert from "node:assert/strict";
import { usageEvent } from "../usage/_event_fixture.ts";
import type { Lap } from "../usage/aggregator.ts";
import { eventPayload, lapPayload, settingsPayload } from "./payload.ts";

const EVENT_FIELDS = [
  "id",
  "ts",
  "provider",
  "model",
  "client",
  "mode",
  "status",
  "streamed",
  "input_tokens",
  "output_tokens",
  "cache_read_tokens",
  "cache_write_tokens",
  "reasoning_tokens",
  "cost_usd",
  "price_source",
  "estimated",
  "latency_ms",
  "lap_id",
  "project",
];

Deno.test("eventPayload() copies exactly the allow-listed fields", () => {
  const event = usageEvent({ lap_id: "lap-1", model: "gpt-5-mini", project: "website" });
  const payload = eventPayload(event);
  assert.deepEqual(Object.keys(payload).sort(), [...EVENT_FIELDS].sort());
  for (const field of EVENT_FIELDS) {
    assert.equal(payload[field as keyof typeof payload], event[field as keyof typeof event]);
  }
});

Deno.test("eventPayload() leaves out host, path, priced_model, ttfb_ms and unknown keys", () => {
  const event = {
    ...usageEvent({ host: "api.openai.com", path: "/v1/threads/thread_secret/runs" }),
    prompt: "tell me a secret",
    headers: { authorization: "Bearer sk-live" },
  };
  const text = JSON.stringify(eventPayload(event));
  for (const leak of ["host", "path", "priced_model", "ttfb_ms", "prompt", "headers"]) {
    assert.ok(!text.includes(`"${leak}"`), `${leak} must not be sent`);
  }
  for (const leak of ["thread_secret", "tell me a secret", "sk-live", "api.openai.com"]) {
    assert.ok(!text.includes(leak), `${leak} must not be sent`);
  }
});

Deno.test("lapPayload() copies the lap's id, name, times and totals only", () => {
  const lap = {
    id: "lap-1",
    name: "Sprint",
    started_at: 1,
    ended_at: 2,
    requests: 3,
    input_tokens: 4,
    output_tokens: 5,
    cache_read_tokens: 6,
    cache_write_tokens: 7,
    reasoning_tokens: 8,
    cost_usd: 0.5,
    api_equivalent_usd: 0.25,
    estimated_requests: 1,
    unpriced_requests: 0,
    notes: "private",
  } as Lap & { notes: string };
  const { notes: _, ...expected } = lap;
  assert.deepEqual(lapPayload(lap), expected);
});

Deno.test("settingsPayload() keeps only the DataGrout toggles", () => {
  assert.deepEqual(
    settingsPayload({ dg_tools_visible: true, dg_intelligent_interface: false, retention_days: 3 }),
    { dg_tools_visible: true, dg_intelligent_interface: false },
  );
  assert.equal(settingsPayload({ retention_days: 3, dg_tools_visible: "yes" }), null);
});
