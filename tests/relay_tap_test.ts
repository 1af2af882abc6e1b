// A tap that throws never breaks the client's stream: it is switched off and counted.
import assert from "node:assert/strict";
import { startProxyListener } from "../core/proxy/listener.ts";
import { createUpstreamClient } from "../core/proxy/upstream.ts";
import type { Tap } from "../core/proxy/tap.ts";
import { fixture, startFakeUpstream } from "./fake_upstream.ts";

Deno.test("startProxyListener() streams on unchanged when a tap throws, and counts it", async () => {
  const upstream = await startFakeUpstream();
  const client = createUpstreamClient({
    overrides: new Map([["api.anthropic.com", new URL(upstream.origin)]]),
    extraCaCerts: [upstream.caPem],
  });
  const errors: unknown[] = [];
  let chunksSeen = 0;
  const throwingTap: Tap = {
    onResponse() {},
    onChunk() {
      chunksSeen++;
      throw new Error("parser bug");
    },
    onEnd() {
      throw new Error("never reached: the tap is off");
    },
  };
  const proxy = await startProxyListener(0, {
    upstream: client,
    tapFor: () => throwingTap,
    onTapError: (error) => errors.push(error),
    now: Date.now,
    // Relay routes only: nothing here is intercepted.
    isMonitored: () => true,
    leafFor: () => Promise.reject(new Error("not intercepting")),
    ownPorts: () => [],
    onClientTlsError() {},
    onInterceptError() {},
  });
  try {
    const { meta } = await fixture("anthropic/messages_stream");
    const res = await fetch(`http://127.0.0.1:${proxy.port}/anthropic/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-fake-chunking": "events" },
      body: JSON.stringify(meta.request),
    });
    const body = new Uint8Array(await res.arrayBuffer());
    assert.equal(res.status, 200);
    assert.deepEqual(body, upstream.sent(res.headers.get("x-fake-request-id")!));
    assert.equal(chunksSeen, 1, "switched off after its first throw");
    assert.equal(errors.length, 1);
  } finally {
    await proxy.close();
    client.close();
    await upstream.close();
  }
});
