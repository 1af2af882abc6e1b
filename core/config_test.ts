import assert from "node:assert/strict";
import { ConfigError, DEFAULT_PRICING_URL, loadConfig } from "./config.ts";

function envOf(vars: Record<string, string>): (name: string) => string | undefined {
  return (name) => vars[name];
}

Deno.test("loadConfig() applies the documented defaults", () => {
  const config = loadConfig(envOf({ HOME: "/home/ada/" }));
  assert.equal(config.home, "/home/ada/.lumen");
  assert.equal(config.proxyPort, 9090);
  assert.equal(config.apiPort, 9091);
  assert.equal(config.upstreamOverrides.size, 0);
  assert.deepEqual(config.extraCaCerts, []);
  assert.equal(config.pricingUrl.href, DEFAULT_PRICING_URL);
  assert.match(DEFAULT_PRICING_URL, /^https:\/\/.*model_prices_and_context_window\.json$/);
});

Deno.test("loadConfig() reads LUMEN_PRICING_URL", () => {
  for (const raw of ["http://127.0.0.1:8080/prices.json", "https://prices.example/p?token=x"]) {
    const config = loadConfig(envOf({ LUMEN_HOME: "/tmp/l", LUMEN_PRICING_URL: raw }));
    assert.equal(config.pricingUrl.href, raw);
  }
  const blank = loadConfig(envOf({ LUMEN_HOME: "/tmp/l", LUMEN_PRICING_URL: " " }));
  assert.equal(blank.pricingUrl.href, DEFAULT_PRICING_URL);
});

Deno.test("loadConfig() refuses a LUMEN_PRICING_URL that is not http(s) without echoing it", () => {
  for (
    const raw of [
      "file:///etc/passwd",
      "prices.json",
      "ftp://x/p.json",
      "http//typo.example/p.json",
    ]
  ) {
    assert.throws(
      () => loadConfig(envOf({ LUMEN_HOME: "/tmp/l", LUMEN_PRICING_URL: raw })),
      (error: unknown) =>
        error instanceof ConfigError && /LUMEN_PRICING_URL/.test(error.message) &&
        !error.message.includes(raw),
    );
  }
});

Deno.test("loadConfig() reads ports, home and overrides and refuses bad ones", () => {
  const config = loadConfig(envOf({
    LUMEN_HOME: "/data/lumen",
    LUMEN_PROXY_PORT: "0",
    LUMEN_API_PORT: "19091",
    LUMEN_UPSTREAM_OVERRIDES: "API.OpenAI.com=https://127.0.0.1:8443, ",
  }));
  assert.equal(config.home, "/data/lumen");
  assert.equal(config.proxyPort, 0);
  assert.equal(config.apiPort, 19091);
  assert.equal(config.upstreamOverrides.get("api.openai.com")?.href, "https://127.0.0.1:8443/");
  assert.throws(() => loadConfig(envOf({})), ConfigError);
  assert.throws(() => loadConfig(envOf({ HOME: "/h", LUMEN_API_PORT: "70000" })), ConfigError);
  assert.throws(
    () => loadConfig(envOf({ HOME: "/h", LUMEN_UPSTREAM_OVERRIDES: "api.openai.com" })),
    ConfigError,
  );
});
