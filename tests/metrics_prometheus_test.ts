// `GET /metrics` scraped by a real Prometheus server (Debian package `prometheus`) on loopback:
// relay calls through the daemon, then Prometheus's HTTP API must report the events' token counts,
// requests and cost. Without the binary the test is skipped unless LUMEN_REQUIRE_PROMETHEUS=1.
import assert from "node:assert/strict";
import { parseExposition, select } from "../core/metrics/_exposition_fixture.ts";
import { costSum, makeCalls, tokenSums } from "./_metrics_calls.ts";
import { sendRaw } from "./_raw_client.ts";
import { startStack } from "./_stack.ts";
import { spawnCollecting } from "./_spawn.ts";

const PROMETHEUS = Deno.env.get("LUMEN_PROMETHEUS_BIN") ?? "prometheus";

async function prometheusVersion(): Promise<string | null> {
  try {
    const out = await new Deno.Command(PROMETHEUS, { args: ["--version"], stdin: "null" }).output();
    return out.success ? new TextDecoder().decode(out.stdout).split("\n")[0] : null;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw error;
  }
}

const version = await prometheusVersion();
const required = Deno.env.get("LUMEN_REQUIRE_PROMETHEUS") === "1";
if (!version && !required) {
  console.log(
    `Skipping the Prometheus scrape test: no "${PROMETHEUS}" binary ` +
      "(apt-get install prometheus, or set LUMEN_REQUIRE_PROMETHEUS=1 to make this a failure)",
  );
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/** A Prometheus server scraping `target` every second, with its own temp config and TSDB. */
async function startPrometheus(target: string) {
  const dir = await Deno.makeTempDir({ prefix: "lumen-prometheus-" });
  const port = freePort();
  await Deno.writeTextFile(
    `${dir}/prometheus.yml`,
    [
      "global:",
      "  scrape_interval: 1s",
      "  scrape_timeout: 1s",
      "scrape_configs:",
      "  - job_name: lumen",
      "    metrics_path: /metrics",
      "    static_configs:",
      `      - targets: ["${target}"]`,
      "",
    ].join("\n"),
  );
  const { child, output, drained } = spawnCollecting(PROMETHEUS, {
    args: [
      `--config.file=${dir}/prometheus.yml`,
      `--storage.tsdb.path=${dir}/data`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
  });
  const origin = `http://127.0.0.1:${port}`;
  const stop = async () => {
    try {
      child.kill("SIGTERM");
    } catch {
      // Already exited; its status is collected below.
    }
    await child.status;
    await drained;
    await Deno.remove(dir, { recursive: true });
  };
  try {
    await poll("Prometheus to become ready", 30_000, async () => {
      const res = await fetch(`${origin}/-/ready`).catch(() => null);
      await res?.body?.cancel();
      return res?.ok ?? false;
    });
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}\n${output()}`);
  }
  return {
    output,
    /** Runs an instant query and returns its vector as (labels, value) pairs. */
    async query(promql: string): Promise<{ metric: Record<string, string>; value: number }[]> {
      const res = await fetch(`${origin}/api/v1/query?query=${encodeURIComponent(promql)}`);
      const body = await res.json();
      if (body.status !== "success") throw new Error(`${promql}: ${JSON.stringify(body)}`);
      return body.data.result.map((
        r: { metric: Record<string, string>; value: [number, string] },
      ) => ({
        metric: r.metric,
        value: Number(r.value[1]),
      }));
    },
    stop,
  };
}

/** Calls `check` every 250 ms until it returns true; throws after `timeoutMs`. */
async function poll(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) {
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

function close(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));
}

Deno.test({
  name: "GET /metrics is scraped by a real Prometheus and its token counts match the events",
  ignore: !version && !required,
  async fn() {
    assert.ok(version, `LUMEN_REQUIRE_PROMETHEUS=1 but "${PROMETHEUS}" cannot run`);
    const stack = await startStack();
    let prometheus: Awaited<ReturnType<typeof startPrometheus>> | undefined;
    try {
      const apiTarget = `127.0.0.1:${stack.daemon.apiPort}`;
      // The scrape endpoint answers in the text format, and only to a loopback Host with its port.
      const res = await fetch(`${stack.daemon.apiOrigin}/metrics`);
      assert.equal(res.headers.get("content-type"), "text/plain; version=0.0.4; charset=utf-8");
      const before = parseExposition(await res.text());
      assert.deepEqual(select(before, "lumen_requests_total"), []);
      const forged = await sendRaw(
        stack.daemon.apiPort,
        `GET /metrics HTTP/1.1\r\nhost: evil.example:${stack.daemon.apiPort}\r\nconnection: close\r\n\r\n`,
      );
      assert.match(forged, /^HTTP\/1\.1 403/);

      prometheus = await startPrometheus(apiTarget);
      const events = await makeCalls(stack);
      const tokens = tokenSums(events);
      assert.ok(tokens.input > 0 && tokens.output > 0);

      // The daemon's own exposition first (parsed back), then what Prometheus stored from it.
      const scrape = parseExposition(
        await (await fetch(`${stack.daemon.apiOrigin}/metrics`)).text(),
      );
      for (const [type, sum] of Object.entries(tokens)) {
        const samples = select(scrape, "gen_ai_client_token_usage_sum", {
          gen_ai_token_type: type,
        });
        assert.equal(samples.reduce((total, s) => total + s.value, 0), sum, type);
      }

      const expected = {
        requests: events.length,
        cost: costSum(events),
        durations: events.length,
      };
      let seen = "";
      await poll("Prometheus to report the events' figures", 30_000, async () => {
        const byType = await prometheus!.query(
          'sum by (gen_ai_token_type) (gen_ai_client_token_usage_sum{job="lumen"})',
        );
        const requests = await prometheus!.query('sum(lumen_requests_total{job="lumen"})');
        const cost = await prometheus!.query('sum(lumen_cost_usd_total{job="lumen"})');
        const durations = await prometheus!.query(
          'sum(gen_ai_client_operation_duration_seconds_count{job="lumen"})',
        );
        const got = Object.fromEntries(byType.map((r) => [r.metric.gen_ai_token_type, r.value]));
        seen = JSON.stringify({ got, requests, cost, durations });
        return JSON.stringify(got, Object.keys(tokens).sort()) ===
            JSON.stringify(tokens, Object.keys(tokens).sort()) &&
          Object.keys(got).length === Object.keys(tokens).length &&
          requests[0]?.value === expected.requests &&
          close(cost[0]?.value ?? NaN, expected.cost) &&
          durations[0]?.value === expected.durations;
      }).catch((error) => {
        throw new Error(
          `${error.message}\nexpected ${JSON.stringify({ tokens, ...expected })}\nlast ${seen}`,
        );
      });

      // Labels Prometheus stored: per provider and model, semconv names.
      const perProvider = await prometheus.query(
        'sum by (gen_ai_provider_name) (lumen_requests_total{job="lumen"})',
      );
      const providers = Object.fromEntries(
        perProvider.map((r) => [r.metric.gen_ai_provider_name, r.value]),
      );
      assert.deepEqual(providers, { openai: 2, anthropic: 2, "gcp.gemini": 1 });
      const up = await prometheus.query('up{job="lumen"}');
      assert.equal(up[0]?.value, 1);
    } finally {
      await prometheus?.stop();
      await stack.close();
    }
  },
});
