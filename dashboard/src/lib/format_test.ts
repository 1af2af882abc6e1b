import assert from "node:assert/strict";
import {
  formatAgo,
  formatCount,
  formatDuration,
  formatPercent,
  formatRate,
  formatTokens,
  formatUsd,
  niceCeiling,
} from "./format.ts";
import { setupSnippets } from "./setup.ts";

Deno.test("formatUsd() gives cents from a dollar up and two significant digits below a cent", () => {
  assert.equal(formatUsd(0), "$0.00");
  assert.equal(formatUsd(0.0033116), "$0.0033");
  assert.equal(formatUsd(0.00000123), "$0.0000012");
  assert.equal(formatUsd(0.0123), "$0.012");
  assert.equal(formatUsd(0.5), "$0.500");
  assert.equal(formatUsd(12.345), "$12.35");
  assert.equal(formatUsd(1234.5), "$1,235");
  assert.equal(formatUsd(-0.25), "−$0.250");
  assert.equal(formatUsd(null), "—");
  assert.equal(formatUsd(Number.NaN), "—");
});

Deno.test("formatTokens() shortens large counts and keeps small ones exact", () => {
  assert.equal(formatTokens(0), "0");
  assert.equal(formatTokens(999), "999");
  assert.equal(formatTokens(1540), "1.54k");
  assert.equal(formatTokens(12_345), "12.3k");
  assert.equal(formatTokens(123_456), "123k");
  assert.equal(formatTokens(4_560_000), "4.56M");
  assert.equal(formatTokens(2_000_000_000), "2.00B");
  assert.equal(formatCount(1_234_567), "1,234,567");
});

Deno.test("formatRate(), formatPercent() and formatDuration() read naturally", () => {
  assert.equal(formatRate(0), "0");
  assert.equal(formatRate(3.44), "3.4");
  assert.equal(formatRate(41), "41");
  assert.equal(formatRate(1500), "1.50k");
  assert.equal(formatPercent(1, 3), "33%");
  assert.equal(formatPercent(1, 200), "0.5%");
  assert.equal(formatPercent(1, 0), "—");
  assert.equal(formatDuration(850), "850 ms");
  assert.equal(formatDuration(2400), "2.4 s");
  assert.equal(formatDuration(185_000), "3 min 5 s");
  assert.equal(formatDuration(2 * 3_600_000 + 600_000), "2 h 10 min");
});

Deno.test("formatAgo() counts up from just now", () => {
  const now = 1_800_000_000_000;
  assert.equal(formatAgo(now - 2_000, now), "just now");
  assert.equal(formatAgo(now - 42_000, now), "42 s ago");
  assert.equal(formatAgo(now - 5 * 60_000, now), "5 min ago");
  assert.equal(formatAgo(now - 3 * 3_600_000, now), "3 h ago");
});

Deno.test("niceCeiling() picks the next 1, 2 or 5 × 10ⁿ at or above the value and the floor", () => {
  assert.equal(niceCeiling(0, 1), 1);
  assert.equal(niceCeiling(0.3, 1), 1);
  assert.equal(niceCeiling(1.2, 1), 2);
  assert.equal(niceCeiling(3, 1), 5);
  assert.equal(niceCeiling(7, 1), 10);
  assert.equal(niceCeiling(41, 100), 100);
  assert.equal(niceCeiling(240, 100), 500);
  assert.equal(niceCeiling(1000, 10), 1000);
});

Deno.test("setupSnippets() points every line at the daemon's own proxy port and CA", () => {
  const { relay, proxy } = setupSnippets(19090, "/home/me/.lumen/ca.pem");
  assert.match(
    relay,
    /ANTHROPIC_BASE_URL=http:\/\/127\.0\.0\.1:19090\/anthropic/,
  );
  assert.match(
    relay,
    /OPENAI_BASE_URL=http:\/\/127\.0\.0\.1:19090\/openai\/v1/,
  );
  assert.match(proxy, /HTTPS_PROXY=http:\/\/127\.0\.0\.1:19090/);
  assert.match(proxy, /NODE_EXTRA_CA_CERTS=\/home\/me\/\.lumen\/ca\.pem/);
});
