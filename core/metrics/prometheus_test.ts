import assert from "node:assert/strict";
import { parseExposition, select } from "./_exposition_fixture.ts";
import { metricsEvent } from "./_metrics_fixture.ts";
import { MAX_SERIES } from "./family.ts";
import { encodePrometheus, labelName } from "./prometheus.ts";
import { DURATION_BOUNDS, MetricsRegistry, TOKEN_BOUNDS } from "./registry.ts";

function scrape(registry: MetricsRegistry) {
  return parseExposition(encodePrometheus(registry.collect()));
}

Deno.test("encodePrometheus() declares every family with HELP and TYPE, even before traffic", () => {
  const parsed = scrape(new MetricsRegistry({ startedAt: 0, version: "1.2.3" }));
  assert.deepEqual(parsed.types, {
    gen_ai_client_token_usage: "histogram",
    gen_ai_client_operation_duration_seconds: "histogram",
    lumen_requests_total: "counter",
    lumen_cost_usd_total: "counter",
    lumen_api_equivalent_usd_total: "counter",
    lumen_build_info: "gauge",
  });
  for (const name of Object.keys(parsed.types)) assert.ok(parsed.help[name], name);
  assert.deepEqual(parsed.samples, [
    { name: "lumen_build_info", labels: { lumen_version: "1.2.3" }, value: 1 },
  ]);
});

Deno.test("encodePrometheus() writes token histograms with cumulative buckets, +Inf, sum, count", () => {
  const registry = new MetricsRegistry({ startedAt: 0, version: "0" });
  registry.record(metricsEvent({ input_tokens: 100, output_tokens: 3 }));
  registry.record(metricsEvent({ input_tokens: 5000, output_tokens: 20, cache_read_tokens: 7 }));
  const parsed = scrape(registry);
  const input = {
    gen_ai_token_type: "input",
    gen_ai_provider_name: "openai",
    gen_ai_request_model: "gpt-4o-mini",
    gen_ai_response_model: "gpt-4o-mini",
    gen_ai_operation_name: "chat",
  };
  const buckets = select(parsed, "gen_ai_client_token_usage_bucket", input);
  assert.deepEqual(buckets.map((b) => b.labels.le), [...TOKEN_BOUNDS.map(String), "+Inf"]);
  const at = (le: string) => buckets.find((b) => b.labels.le === le)!.value;
  assert.equal(at("64"), 0);
  assert.equal(at("256"), 1);
  assert.equal(at("4096"), 1);
  assert.equal(at("16384"), 2);
  assert.equal(at("+Inf"), 2);
  for (let i = 1; i < buckets.length; i++) assert.ok(buckets[i].value >= buckets[i - 1].value);
  assert.equal(select(parsed, "gen_ai_client_token_usage_sum", input)[0].value, 5100);
  assert.equal(select(parsed, "gen_ai_client_token_usage_count", input)[0].value, 2);
  const type = (t: string) =>
    select(parsed, "gen_ai_client_token_usage_sum", { gen_ai_token_type: t });
  assert.equal(type("output")[0].value, 23);
  // Only the event that read from the cache records a cache_read observation; no zero ones.
  assert.equal(
    select(parsed, "gen_ai_client_token_usage_count", { gen_ai_token_type: "cache_read" })[0].value,
    1,
  );
  assert.deepEqual(type("cache_write"), []);
  assert.deepEqual(type("reasoning"), []);
});

Deno.test("MetricsRegistry.record() counts subscription traffic as API-equivalent, not billed", () => {
  const registry = new MetricsRegistry({ startedAt: 0, version: "0" });
  const plan = { provider: "anthropic", model: "claude-sonnet-4-5" } as const;
  registry.record(metricsEvent({ ...plan, cost_usd: 0.125, price_source: "subscription" }));
  registry.record(metricsEvent({ ...plan, cost_usd: 0.25, price_source: "subscription" }));
  registry.record(metricsEvent({ cost_usd: 0.5 }));
  const parsed = scrape(registry);
  const values = (name: string, model: string) =>
    select(parsed, name, { gen_ai_request_model: model }).map((s) => s.value);
  assert.deepEqual(values("lumen_api_equivalent_usd_total", "claude-sonnet-4-5"), [0.375]);
  assert.deepEqual(values("lumen_cost_usd_total", "claude-sonnet-4-5"), []);
  assert.deepEqual(values("lumen_cost_usd_total", "gpt-4o-mini"), [0.5]);
  assert.deepEqual(values("lumen_api_equivalent_usd_total", "gpt-4o-mini"), []);
  assert.deepEqual(
    select(parsed, "lumen_requests_total", { gen_ai_provider_name: "anthropic" })
      .map((s) => s.value),
    [2],
  );
});

Deno.test("MetricsRegistry.record() counts requests, cost and duration by their labels", () => {
  const registry = new MetricsRegistry({ startedAt: 0, version: "0" });
  registry.record(metricsEvent({ cost_usd: 0.25, latency_ms: 1500 }));
  registry.record(metricsEvent({ cost_usd: 0.5, latency_ms: 30 }));
  registry.record(
    metricsEvent({ status: 429, cost_usd: null, input_tokens: 0, output_tokens: 0 }),
  );
  registry.record(
    metricsEvent({ provider: "google", path: "/v1beta/models/x:generateContent", model: null }),
  );
  const parsed = scrape(registry);
  const requests = (labels: Record<string, string>) =>
    select(parsed, "lumen_requests_total", labels).map((s) => s.value);
  assert.deepEqual(requests({ http_response_status_code: "200", gen_ai_provider_name: "openai" }), [
    2,
  ]);
  assert.deepEqual(requests({ http_response_status_code: "429", lumen_client: "sdk" }), [1]);
  assert.deepEqual(
    requests({ gen_ai_provider_name: "gcp.gemini", gen_ai_request_model: "unknown" }),
    [
      1,
    ],
  );
  const cost = select(parsed, "lumen_cost_usd_total", { gen_ai_request_model: "gpt-4o-mini" });
  assert.equal(cost.length, 1);
  assert.equal(cost[0].value, 0.75);
  assert.deepEqual(select(parsed, "lumen_api_equivalent_usd_total", {}), []);
  // The 429 used no tokens: no token observation, but a duration with error.type.
  assert.equal(
    select(parsed, "gen_ai_client_token_usage_count", { gen_ai_token_type: "input" })
      .reduce((sum, s) => sum + s.value, 0),
    3,
  );
  const errors = select(parsed, "gen_ai_client_operation_duration_seconds_count", {
    error_type: "429",
  });
  assert.deepEqual(errors.map((s) => s.value), [1]);
  const ok = { gen_ai_provider_name: "openai", gen_ai_operation_name: "chat" };
  const okBuckets = select(parsed, "gen_ai_client_operation_duration_seconds_bucket", ok)
    .filter((s) => s.labels.error_type === undefined);
  assert.equal(okBuckets.length, DURATION_BOUNDS.length + 1);
  assert.equal(okBuckets.find((b) => b.labels.le === "0.04")!.value, 1);
  assert.equal(okBuckets.find((b) => b.labels.le === "2.56")!.value, 2);
  const okSum = select(parsed, "gen_ai_client_operation_duration_seconds_sum", ok)
    .filter((s) => s.labels.error_type === undefined);
  assert.equal(okSum[0].value, 1.53);
  assert.deepEqual(
    select(parsed, "gen_ai_client_operation_duration_seconds_count", {
      gen_ai_operation_name: "generate_content",
    }).map((s) => s.value),
    [1],
  );
});

Deno.test("encodePrometheus() escapes label values and parses back to the same strings", () => {
  const registry = new MetricsRegistry({ startedAt: 0, version: "0" });
  const model = 'we"ird\\model\nname {le="1"}';
  registry.record(metricsEvent({ model, client: "a,b=c" }));
  const text = encodePrometheus(registry.collect());
  assert.ok(text.includes('gen_ai_request_model="we\\"ird\\\\model\\nname {le=\\"1\\"}"'));
  const parsed = parseExposition(text);
  const sample = select(parsed, "lumen_requests_total")[0];
  assert.equal(sample.labels.gen_ai_request_model, model);
  assert.equal(sample.labels.lumen_client, "a,b=c");
  assert.equal(labelName("gen_ai.token.type"), "gen_ai_token_type");
  assert.equal(labelName("9x-y"), "_9x_y");
});

Deno.test("MetricsRegistry keeps at most MAX_SERIES series and folds the rest into overflow", () => {
  const registry = new MetricsRegistry({ startedAt: 0, version: "0" });
  for (let i = 0; i < MAX_SERIES + 50; i++) registry.record(metricsEvent({ model: `m-${i}` }));
  const parsed = scrape(registry);
  const requests = select(parsed, "lumen_requests_total");
  assert.equal(requests.length, MAX_SERIES + 1);
  const overflow = requests.find((s) => s.labels.gen_ai_request_model === "overflow")!;
  assert.equal(overflow.value, 50);
  assert.equal(requests.reduce((sum, s) => sum + s.value, 0), MAX_SERIES + 50);
});

Deno.test("parseExposition() rejects malformed text, so the tests above can fail", () => {
  assert.throws(() => parseExposition("x 1\n"), SyntaxError); // no TYPE
  assert.throws(() => parseExposition('# TYPE x counter\nx{a="1} 1\n'), SyntaxError);
  assert.throws(() => parseExposition("# TYPE x counter\nx one\n"), SyntaxError);
  assert.throws(() => parseExposition("# TYPE x counter\nx 1"), SyntaxError);
});
