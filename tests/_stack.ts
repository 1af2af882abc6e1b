// The full test stack: fake HTTPS upstream ← daemon (relay, overrides, extra CA) ← usage feed.
import { type FakeUpstream, fixture, startFakeUpstream } from "./fake_upstream.ts";
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
  /**
   * POSTs fixture `name` (e.g. "openai/chat": its request, to its path) through the relay, asking
   * the fake upstream for exactly that answer; the caller reads or cancels the response.
   */
  relayFixture(name: string): Promise<Response>;
  close(): Promise<void>;
}

/** The three API vendors' hosts, which every stack sends to the fake upstream. */
const API_HOSTS = ["api.openai.com", "api.anthropic.com", "generativelanguage.googleapis.com"];

/**
 * A daemon environment that sends the API hosts and `moreHosts` to `origin`, trusting `caFile`,
 * with inherited proxy variables pointing at a dead port: the daemon must ignore them.
 */
export function upstreamEnv(
  origin: string,
  caFile: string,
  moreHosts: string[] = [],
): Record<string, string> {
  return {
    LUMEN_UPSTREAM_OVERRIDES: API_HOSTS.concat(moreHosts).map((h) => `${h}=${origin}`).join(","),
    LUMEN_EXTRA_CA_CERTS: caFile,
    HTTPS_PROXY: "http://127.0.0.1:9",
    HTTP_PROXY: "http://127.0.0.1:9",
    ALL_PROXY: "http://127.0.0.1:9",
  };
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
  const daemon = await startDaemon({
    env: { ...upstreamEnv(upstream.origin, upstream.caFile, moreHosts), ...env },
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
    async relayFixture(name) {
      const { meta } = await fixture(name);
      return fetch(`${daemon.proxyOrigin}/${name.split("/")[0]}${meta.path}`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-fake-case": name },
        body: JSON.stringify(meta.request),
      });
    },
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
