// The full test stack: fake HTTPS upstream ← daemon (relay, overrides, extra CA) ← usage feed.
import { type FakeUpstream, startFakeUpstream } from "./fake_upstream.ts";
import { type Daemon, startDaemon } from "./_daemon.ts";
import { openUsageFeed, type UsageFeed } from "./_usage_feed.ts";
import { createPricer } from "../pricing/mod.ts";
import type { Provider, Usage, UsageEvent } from "../core/types.ts";
import assert from "node:assert/strict";

/** Everything an end-to-end test talks to. */
export interface Stack {
  upstream: FakeUpstream;
  daemon: Daemon;
  feed: UsageFeed;
  /** `http://127.0.0.1:<proxy>/<prefix>` */
  relay(prefix: "openai" | "anthropic" | "google"): string;
  close(): Promise<void>;
}

/**
 * Starts the stack; the three API hosts and `moreHosts` all reach the fake upstream. An inherited
 * proxy variable points at a dead port: the daemon must ignore it.
 */
export async function startStack(
  env: Record<string, string> = {},
  moreHosts: string[] = [],
): Promise<Stack> {
  const upstream = await startFakeUpstream();
  const hosts = ["api.openai.com", "api.anthropic.com", "generativelanguage.googleapis.com"]
    .concat(moreHosts);
  const daemon = await startDaemon({
    env: {
      LUMEN_UPSTREAM_OVERRIDES: hosts.map((h) => `${h}=${upstream.origin}`).join(","),
      LUMEN_EXTRA_CA_CERTS: upstream.caFile,
      HTTPS_PROXY: "http://127.0.0.1:9",
      HTTP_PROXY: "http://127.0.0.1:9",
      ALL_PROXY: "http://127.0.0.1:9",
      ...env,
    },
  }).catch(async (error) => {
    await upstream.close();
    throw error;
  });
  const feed = await openUsageFeed(daemon.apiOrigin);
  return {
    upstream,
    daemon,
    feed,
    relay: (prefix) => `${daemon.proxyOrigin}/${prefix}`,
    async close() {
      await feed.close();
      await daemon.stop();
      await upstream.close();
    },
  };
}

const pricer = createPricer();

/**
 * Asserts an event carries exactly `usage`'s tokens and the bundled table's price for them,
 * including the source and the entry it was priced from.
 */
export function assertEventMatches(event: UsageEvent, provider: Provider, usage: Usage): void {
  const tokens = (u: Usage | UsageEvent) => ({
    model: u.model,
    input_tokens: u.input_tokens,
    output_tokens: u.output_tokens,
    cache_read_tokens: u.cache_read_tokens,
    cache_write_tokens: u.cache_write_tokens,
    reasoning_tokens: u.reasoning_tokens,
    estimated: u.estimated,
  });
  assert.deepEqual(tokens(event), tokens(usage));
  assert.equal(event.provider, provider);
  const expected = pricer.price(provider, usage);
  assert.equal(event.cost_usd, expected.cost_usd);
  assert.equal(event.price_source, expected.price_source);
  assert.equal(event.priced_model, expected.priced_model);
}
