import assert from "node:assert/strict";
import { ConfigError } from "../config.ts";
import { metricsEvent } from "./_metrics_fixture.ts";
import { CUMULATIVE, encodeOtlp } from "./otlp.ts";
import { otlpConfigFromEnv, OtlpPusher } from "./otlp_pusher.ts";
import { MetricsRegistry, TOKEN_BOUNDS } from "./registry.ts";

// deno-lint-ignore no-explicit-any
type Json = any;

Deno.test("encodeOtlp() writes cumulative histograms and sums with service.name=lumen", () => {
  const registry = new MetricsRegistry({ startedAt: 1_700_000_000_123, version: "9.9.9" });
  registry.record(metricsEvent({ input_tokens: 10, output_tokens: 2, cost_usd: 0.5 }));
  registry.record(metricsEvent({ input_tokens: 300, output_tokens: 4, cost_usd: 0.25 }));
  registry.record(
    metricsEvent({
      provider: "anthropic",
      model: "claude-sonnet-4-5",
      cost_usd: 0.125,
      price_source: "subscription",
    }),
  );
  const body: Json = encodeOtlp(registry.collect(), {
    startedAt: registry.startedAt,
    now: 1_700_000_001_000,
    version: "9.9.9",
  });
  const [resource] = body.resourceMetrics;
  assert.deepEqual(resource.resource.attributes, [
    { key: "service.name", value: { stringValue: "lumen" } },
    { key: "service.version", value: { stringValue: "9.9.9" } },
  ]);
  const metrics = resource.scopeMetrics[0].metrics;
  const byName = Object.fromEntries(metrics.map((m: Json) => [m.name, m]));
  const tokens = byName["gen_ai.client.token.usage"];
  assert.equal(tokens.unit, "{token}");
  assert.equal(tokens.histogram.aggregationTemporality, CUMULATIVE);
  const input = tokens.histogram.dataPoints.find((p: Json) =>
    p.attributes.some((a: Json) => a.key === "gen_ai.token.type" && a.value.stringValue === "input")
  );
  assert.equal(input.count, "2");
  assert.equal(input.sum, 310);
  assert.equal(input.min, 10);
  assert.equal(input.max, 300);
  assert.deepEqual(input.explicitBounds, TOKEN_BOUNDS);
  assert.equal(input.bucketCounts.length, TOKEN_BOUNDS.length + 1);
  assert.equal(input.bucketCounts[2], "1"); // 10 ≤ 16
  assert.equal(input.bucketCounts[5], "1"); // 300 ≤ 1024
  assert.equal(input.startTimeUnixNano, "1700000000123000000");
  assert.equal(input.timeUnixNano, "1700000001000000000");
  assert.equal(byName["gen_ai.client.operation.duration"].unit, "s");
  const requests = byName["lumen.requests"].sum;
  assert.equal(requests.isMonotonic, true);
  assert.equal(requests.aggregationTemporality, CUMULATIVE);
  assert.equal(requests.dataPoints[0].asInt, "2");
  assert.equal(byName["lumen.cost"].sum.dataPoints[0].asDouble, 0.75);
  const apiEquivalent = byName["lumen.api_equivalent_cost"];
  assert.equal(apiEquivalent.unit, "USD");
  assert.equal(apiEquivalent.sum.isMonotonic, true);
  assert.equal(apiEquivalent.sum.dataPoints[0].asDouble, 0.125);
});

Deno.test("otlpConfigFromEnv() reads the endpoint and interval, and refuses bad values", () => {
  const env = (vars: Record<string, string>) => (name: string) => vars[name];
  assert.equal(otlpConfigFromEnv(env({})), null);
  const config = otlpConfigFromEnv(
    env({ LUMEN_OTLP_ENDPOINT: "http://127.0.0.1:4318/v1/metrics" }),
  );
  assert.equal(config?.endpoint.href, "http://127.0.0.1:4318/v1/metrics");
  assert.equal(config?.intervalMs, 60_000);
  assert.equal(
    otlpConfigFromEnv(
      env({ LUMEN_OTLP_ENDPOINT: "https://c/v1/metrics", LUMEN_OTLP_INTERVAL_MS: "500" }),
    )
      ?.intervalMs,
    500,
  );
  assert.throws(() => otlpConfigFromEnv(env({ LUMEN_OTLP_ENDPOINT: "nope" })), ConfigError);
  assert.throws(() => otlpConfigFromEnv(env({ LUMEN_OTLP_ENDPOINT: "ftp://x/" })), ConfigError);
  assert.throws(
    () =>
      otlpConfigFromEnv(env({ LUMEN_OTLP_ENDPOINT: "http://x/", LUMEN_OTLP_INTERVAL_MS: "1.5" })),
    ConfigError,
  );
});

/** A loopback OTLP receiver answering each push with the next of `statuses` (then 200). */
function startReceiver(statuses: number[] = [], options: { hang?: boolean } = {}) {
  const bodies: Json[] = [];
  const waiters: (() => void)[] = [];
  const hung = new AbortController();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    bodies.push({ contentType: req.headers.get("content-type"), json: await req.json() });
    waiters.splice(0).forEach((wake) => wake());
    if (options.hang) {
      await new Promise((resolve) => hung.signal.addEventListener("abort", resolve));
    }
    return new Response("{}", { status: statuses.shift() ?? 200 });
  });
  return {
    url: new URL(`http://127.0.0.1:${server.addr.port}/v1/metrics`),
    bodies,
    /** Resolves once `n` pushes arrived; rejects after 5 s. */
    async received(n: number) {
      const deadline = Date.now() + 5_000;
      while (bodies.length < n) {
        if (Date.now() > deadline) throw new Error(`Only ${bodies.length} of ${n} pushes arrived`);
        await new Promise<void>((wake) => {
          waiters.push(wake);
          setTimeout(wake, 100);
        });
      }
    },
    async close() {
      hung.abort();
      await server.shutdown();
    },
  };
}

Deno.test("OtlpPusher pushes JSON on its interval and once more on stop()", async () => {
  const receiver = startReceiver();
  let collected = 0;
  const pusher = new OtlpPusher({
    endpoint: receiver.url,
    intervalMs: 20,
    collect: () => ({ n: ++collected }),
    log: (line) => assert.fail(`Unexpected log: ${line}`),
  });
  try {
    pusher.start();
    await receiver.received(2);
    await pusher.stop();
    const count = receiver.bodies.length;
    assert.equal(receiver.bodies[count - 1].json.n, collected, "the final push is the latest");
    assert.equal(receiver.bodies[0].contentType, "application/json");
  } finally {
    await pusher.stop();
    await receiver.close();
  }
});

Deno.test("OtlpPusher logs each kind of failure once, then recovery, and never throws", async () => {
  const receiver = startReceiver([500, 500, 503]);
  const logs: string[] = [];
  const pusher = new OtlpPusher({
    endpoint: receiver.url,
    intervalMs: 60_000,
    collect: () => ({}),
    log: (line) => logs.push(line),
  });
  try {
    for (let i = 0; i < 4; i++) await pusher.push();
    assert.equal(logs.length, 3, logs.join("\n"));
    assert.match(logs[0], /failed \(HTTP 500\)/);
    assert.match(logs[1], /failed \(HTTP 503\)/);
    assert.match(logs[2], /works again/);
  } finally {
    await receiver.close();
  }
  // The receiver is gone: a network failure, logged once however often it happens.
  await pusher.push();
  await pusher.push();
  assert.equal(logs.length, 4, logs.join("\n"));
  assert.match(logs[3], /failed \(ECONNREFUSED\)/);
  await pusher.stop();
  assert.equal(logs.length, 4);
});

Deno.test("OtlpPusher.stop() gives up on a collector that never answers within the timeout", async () => {
  const receiver = startReceiver([], { hang: true });
  const logs: string[] = [];
  const pusher = new OtlpPusher({
    endpoint: receiver.url,
    intervalMs: 60_000,
    timeoutMs: 200,
    collect: () => ({}),
    log: (line) => logs.push(line),
  });
  try {
    const started = performance.now();
    await pusher.stop();
    assert.ok(performance.now() - started < 3_000);
    assert.equal(receiver.bodies.length, 1);
    assert.match(logs[0], /failed \(timeout\)/);
  } finally {
    await receiver.close();
  }
});
