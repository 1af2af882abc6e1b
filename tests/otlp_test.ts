// OTLP/HTTP JSON push from the real daemon to a loopback receiver: the data points must match the
// relay calls' usage events, periodically and in the final push at shutdown. The stack sets
// HTTP(S)_PROXY to a dead port, so these also prove the push never goes through a proxy variable.
import assert from "node:assert/strict";
import { costSum, makeCalls, tokenSums } from "./_metrics_calls.ts";
import { startStack } from "./_stack.ts";

// deno-lint-ignore no-explicit-any
type Json = any;

/** A loopback OTLP/HTTP receiver that records every pushed JSON body. */
function startReceiver() {
  const pushes: { path: string; contentType: string | null; body: Json }[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    pushes.push({
      path: new URL(req.url).pathname,
      contentType: req.headers.get("content-type"),
      body: await req.json(),
    });
    return Response.json({});
  });
  return {
    endpoint: `http://127.0.0.1:${server.addr.port}/v1/metrics`,
    pushes,
    close: () => server.shutdown(),
  };
}

/** Figures of one push: token sums by type, request count, cost, duration count. */
function figures(body: Json) {
  const [resource] = body.resourceMetrics;
  const service = resource.resource.attributes.find((a: Json) => a.key === "service.name");
  const metrics: Json[] = resource.scopeMetrics.flatMap((s: Json) => s.metrics);
  const metric = (name: string) => metrics.find((m) => m.name === name);
  const attr = (point: Json, key: string) =>
    point.attributes.find((a: Json) => a.key === key)?.value.stringValue;
  const tokens: Record<string, number> = {};
  for (const point of metric("gen_ai.client.token.usage")?.histogram.dataPoints ?? []) {
    const type = attr(point, "gen_ai.token.type");
    tokens[type] = (tokens[type] ?? 0) + point.sum;
  }
  const sum = (points: Json[] = [], read: (p: Json) => number) =>
    points.reduce((total, p) => total + read(p), 0);
  return {
    service: service?.value.stringValue,
    temporalities: metrics.map((m) => (m.histogram ?? m.sum)?.aggregationTemporality)
      .filter((t) => t !== undefined),
    tokens,
    requests: sum(metric("lumen.requests")?.sum.dataPoints, (p) => Number(p.asInt)),
    cost: sum(metric("lumen.cost")?.sum.dataPoints, (p) => p.asDouble),
    durations: sum(
      metric("gen_ai.client.operation.duration")?.histogram.dataPoints,
      (p) => Number(p.count),
    ),
  };
}

function assertMatches(body: Json, events: Parameters<typeof tokenSums>[0]): void {
  const got = figures(body);
  assert.equal(got.service, "lumen");
  assert.ok(got.temporalities.length > 0 && got.temporalities.every((t) => t === 2), "cumulative");
  assert.deepEqual(got.tokens, tokenSums(events));
  assert.equal(got.requests, events.length);
  assert.equal(got.durations, events.length);
  assert.ok(Math.abs(got.cost - costSum(events)) < 1e-9, `cost ${got.cost}`);
}

Deno.test("the daemon pushes OTLP JSON every interval with data points matching the calls", async () => {
  const receiver = startReceiver();
  const stack = await startStack({
    LUMEN_OTLP_ENDPOINT: receiver.endpoint,
    LUMEN_OTLP_INTERVAL_MS: "100",
  }).catch(async (error) => {
    await receiver.close();
    throw error;
  });
  try {
    const events = await makeCalls(stack);
    const deadline = Date.now() + 15_000;
    let last: Json = null;
    for (;;) {
      last = receiver.pushes.at(-1)?.body ?? null;
      if (last && figures(last).requests === events.length) break;
      if (Date.now() > deadline) {
        throw new Error(`No push with ${events.length} requests: ${JSON.stringify(last)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assertMatches(last, events);
    assert.equal(receiver.pushes[0].path, "/v1/metrics");
    assert.equal(receiver.pushes[0].contentType, "application/json");
  } finally {
    await stack.close();
    await receiver.close();
  }
});

Deno.test("the daemon makes a final OTLP push at shutdown with every event", async () => {
  const receiver = startReceiver();
  // An hour between pushes: the only one this test can see is the final one.
  const stack = await startStack({
    LUMEN_OTLP_ENDPOINT: receiver.endpoint,
    LUMEN_OTLP_INTERVAL_MS: "3600000",
  }).catch(async (error) => {
    await receiver.close();
    throw error;
  });
  let stopped = false;
  try {
    const events = await makeCalls(stack);
    assert.equal(receiver.pushes.length, 0);
    stopped = true;
    await stack.close();
    assert.equal(receiver.pushes.length, 1, stack.daemon.output());
    assertMatches(receiver.pushes[0].body, events);
  } finally {
    if (!stopped) await stack.close();
    await receiver.close();
  }
});

Deno.test("an unreachable OTLP collector is logged once and never stops the daemon", async () => {
  const stack = await startStack({
    LUMEN_OTLP_ENDPOINT: "http://127.0.0.1:9/v1/metrics",
    LUMEN_OTLP_INTERVAL_MS: "20",
  });
  try {
    const deadline = Date.now() + 10_000;
    while (!stack.daemon.output().includes("OTLP push to")) {
      if (Date.now() > deadline) throw new Error(`No OTLP failure line:\n${stack.daemon.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // Many intervals later the daemon still relays, and the line was written once.
    const events = await makeCalls(stack);
    assert.equal(events.length, 5);
    const lines = stack.daemon.output().split("\n").filter((l) => l.includes("OTLP push to"));
    assert.equal(lines.length, 1, lines.join("\n"));
    assert.match(lines[0], /failed \(ECONNREFUSED\)/);
  } finally {
    await stack.close();
  }
});
