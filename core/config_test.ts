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

Deno.test("loadConfig() refuses a listener address, explaining Lumen listens on 127.0.0.1 only", () => {
  for (const name of ["LUMEN_PROXY_PORT", "LUMEN_API_PORT"]) {
    const addresses = [
      "0.0.0.0:9090",
      "192.168.1.5:9090",
      "[::]:9090",
      "localhost:9090",
      "::1",
      "10.0.0.2",
    ];
    for (const raw of [...addresses, "127.0.0.1:9090", "lan.example:9091"]) {
      assert.throws(
        () => loadConfig(envOf({ HOME: "/h", [name]: raw })),
        (error: unknown) =>
          error instanceof ConfigError && error.message.includes(`${name} "${raw}"`) &&
          /only listens on 127\.0\.0\.1/.test(error.message) && !error.message.includes("\n"),
        `${name}=${raw}`,
      );
    }
  }
});

Deno.test("loadConfig() reads a port number only, trimmed", () => {
  assert.equal(loadConfig(envOf({ HOME: "/h", LUMEN_PROXY_PORT: " 9190 " })).proxyPort, 9190);
  assert.equal(loadConfig(envOf({ HOME: "/h", LUMEN_API_PORT: "65535" })).apiPort, 65535);
  for (const raw of ["1e3", "0x10", "-1", "9090.5", "65536", "+80"]) {
    assert.throws(
      () => loadConfig(envOf({ HOME: "/h", LUMEN_API_PORT: raw })),
      (error: unknown) =>
        error instanceof ConfigError &&
        /expected a port number from 0 to 65535/.test(error.message),
      raw,
    );
  }
});
