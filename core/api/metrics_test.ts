import assert from "node:assert/strict";
import { parseExposition, select } from "../metrics/_exposition_fixture.ts";
import { usageEvent } from "../usage/_event_fixture.ts";
import { apiFixture, PORT } from "./_handler_fixture.ts";
import { PROMETHEUS_CONTENT_TYPE } from "./metrics.ts";

Deno.test("GET /metrics answers the Prometheus text format with the recorded events", async () => {
  await using api = await apiFixture();
  api.record(
    usageEvent({ provider: "anthropic", model: "claude-x", input_tokens: 7, output_tokens: 3 }),
    usageEvent({ provider: "anthropic", model: "claude-x", input_tokens: 5, output_tokens: 1 }),
  );
  const res = await api.call("/metrics");
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-type"), PROMETHEUS_CONTENT_TYPE);
  const parsed = parseExposition(await res.text());
  const input = select(parsed, "gen_ai_client_token_usage_sum", {
    gen_ai_provider_name: "anthropic",
    gen_ai_request_model: "claude-x",
    gen_ai_token_type: "input",
  });
  assert.deepEqual(input.map((s) => s.value), [12]);
  const requests = select(parsed, "lumen_requests_total", { gen_ai_provider_name: "anthropic" });
  assert.equal(requests.reduce((sum, s) => sum + s.value, 0), 2);
});

Deno.test("GET /metrics is refused for a foreign Host and for other methods", async () => {
  await using api = await apiFixture();
  const forged = await api.call("/metrics", { headers: { host: `evil.example:${PORT}` } });
  assert.equal(forged.status, 403);
  await forged.body?.cancel();
  const post = await api.call("/metrics", { method: "POST" });
  assert.equal(post.status, 405);
  await post.body?.cancel();
});
