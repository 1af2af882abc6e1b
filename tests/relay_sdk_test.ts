// The official SDKs, pointed at the relay as a user would, get their normal answers, and Lumen's
// API shows the exact normalized tokens and cost of each call.
import assert from "node:assert/strict";
import OpenAI from "openai";
import Anthropic from "@anthropic-ai/sdk";
import { GoogleGenAI } from "@google/genai";
import { fixture } from "./fake_upstream.ts";
import { assertEventMatches, startStack } from "./_stack.ts";

Deno.test("official SDKs through the relay: exact usage and cost for every call", async (t) => {
  const stack = await startStack();
  const { feed } = stack;
  try {
    const openai = new OpenAI({
      apiKey: "sk-test",
      baseURL: `${stack.relay("openai")}/v1`,
      maxRetries: 0,
    });

    await t.step("openai chat.completions.create (non-stream)", async () => {
      const { meta } = await fixture("openai/chat");
      const completion = await openai.chat.completions.create({
        model: "gpt-5-mini",
        messages: [{ role: "user", content: "Say hello" }],
      });
      assert.equal(completion.choices[0].message.content, meta.text);
      const { event } = await feed.next();
      assertEventMatches(event, "openai", meta.usage);
      assert.equal(event.streamed, false);
      assert.equal(event.client, "openai-js");
      assert.equal(event.status, 200);
      assert.ok(event.cost_usd! > 0);
    });

    await t.step("openai chat stream with include_usage", async () => {
      const { meta } = await fixture("openai/chat_stream_usage");
      const stream = await openai.chat.completions.create({
        model: "gpt-5-mini",
        messages: [{ role: "user", content: "Say hello" }],
        stream: true,
        stream_options: { include_usage: true },
      });
      let text = "";
      let usage: OpenAI.CompletionUsage | null | undefined;
      for await (const chunk of stream) {
        text += chunk.choices[0]?.delta?.content ?? "";
        if (chunk.usage) usage = chunk.usage;
      }
      assert.equal(text, meta.text);
      assert.ok(usage, "the SDK saw the usage chunk");
      const { event } = await feed.next();
      assertEventMatches(event, "openai", meta.usage);
      assert.equal(event.streamed, true);
      assert.equal(
        event.input_tokens + event.cache_read_tokens + event.cache_write_tokens,
        usage.prompt_tokens,
      );
    });

    await t.step(
      "openai chat stream without include_usage: exact, and the client sees no usage",
      async () => {
        // Lumen asks upstream for usage, so the fake answers with its include_usage recording.
        const { meta } = await fixture("openai/chat_stream_usage");
        const stream = await openai.chat.completions.create({
          model: "gpt-5-mini",
          messages: [{ role: "user", content: "Say hello" }],
          stream: true,
        });
        let text = "";
        let usageMember = false;
        for await (const chunk of stream) {
          text += chunk.choices[0]?.delta?.content ?? "";
          if ("usage" in chunk) usageMember = true;
        }
        assert.equal(text, meta.text);
        assert.equal(usageMember, false, "neither the usage chunk nor usage:null reach the client");
        const sent = JSON.parse(new TextDecoder().decode(stack.upstream.requests.at(-1)!.body));
        assert.deepEqual(sent.stream_options, { include_usage: true });
        const { event } = await feed.next();
        assertEventMatches(event, "openai", meta.usage);
      },
    );

    await t.step("with include_stream_usage off, such a stream is estimated", async () => {
      await stack.daemon.putSettings({ include_stream_usage: false });
      const { meta } = await fixture("openai/chat_stream");
      const stream = await openai.chat.completions.create({
        model: "gpt-5-mini",
        messages: [{ role: "user", content: "Say hello" }],
        stream: true,
      });
      let text = "";
      for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? "";
      assert.equal(text, meta.text);
      const sent = JSON.parse(new TextDecoder().decode(stack.upstream.requests.at(-1)!.body));
      assert.equal(sent.stream_options, undefined);
      const { event } = await feed.next();
      assert.equal(event.estimated, true);
      assert.ok(event.output_tokens > 0 && event.input_tokens > 0);
      assert.ok(event.cost_usd! > 0, "an estimated call of a known model is still priced");
      await stack.daemon.putSettings({ include_stream_usage: true });
    });

    await t.step("openai responses stream", async () => {
      const { meta } = await fixture("openai/responses_stream");
      const stream = await openai.responses.create({ model: "gpt-5.4", input: "hi", stream: true });
      let text = "";
      let completed: OpenAI.Responses.Response | undefined;
      for await (const ev of stream) {
        if (ev.type === "response.output_text.delta") text += ev.delta;
        if (ev.type === "response.completed") completed = ev.response;
      }
      assert.equal(text, meta.text);
      assert.equal(completed?.usage?.output_tokens, meta.usage.output_tokens);
      const { event } = await feed.next();
      assertEventMatches(event, "openai", meta.usage);
      assert.equal(event.streamed, true);
    });

    await t.step("openai embeddings (base64 on the wire)", async () => {
      const { meta } = await fixture("openai/embeddings");
      const result = await openai.embeddings.create({
        model: "text-embedding-3-small",
        input: "hello",
      });
      assert.ok(result.data[0].embedding.length > 0);
      const { event } = await feed.next();
      assertEventMatches(event, "openai", meta.usage);
    });

    const anthropic = new Anthropic({
      apiKey: "sk-ant-test",
      baseURL: stack.relay("anthropic"),
      maxRetries: 0,
    });

    await t.step("anthropic messages.create (non-stream)", async () => {
      const { meta } = await fixture("anthropic/messages");
      const message = await anthropic.messages.create({
        model: "claude-sonnet-4-6",
        max_tokens: 1024,
        messages: [{ role: "user", content: "Say hello" }],
      });
      const text = message.content.map((b) => b.type === "text" ? b.text : "").join("");
      assert.equal(text, meta.text);
      const { event } = await feed.next();
      assertEventMatches(event, "anthropic", meta.usage);
      assert.equal(event.cache_write_tokens, message.usage.cache_creation_input_tokens);
    });

    await t.step("anthropic beta messages stream (Claude Code's client)", async () => {
      const { meta } = await fixture("anthropic/messages_stream");
      const stream = anthropic.beta.messages.stream({
        model: "claude-haiku-4-5",
        max_tokens: 1024,
        messages: [{ role: "user", content: "Say hello" }],
      });
      let text = "";
      stream.on("text", (delta) => text += delta);
      const final = await stream.finalMessage();
      assert.equal(text, meta.text);
      assert.equal(final.usage.output_tokens, meta.usage.output_tokens);
      const { event } = await feed.next();
      assertEventMatches(event, "anthropic", meta.usage);
      assert.equal(event.path, "/v1/messages");
    });

    const genai = new GoogleGenAI({
      apiKey: "g-test",
      httpOptions: { baseUrl: stack.relay("google") },
    });

    await t.step("google generateContent", async () => {
      const { meta } = await fixture("google/generate");
      const response = await genai.models.generateContent({
        model: "gemini-2.5-flash",
        contents: "Say hello",
      });
      assert.equal(response.text, meta.text);
      const { event } = await feed.next();
      assertEventMatches(event, "google", meta.usage);
    });

    await t.step("google generateContentStream (alt=sse)", async () => {
      const { meta } = await fixture("google/stream_sse");
      const stream = await genai.models.generateContentStream({
        model: "gemini-2.5-flash",
        contents: "Say hello",
      });
      let text = "";
      for await (const chunk of stream) text += chunk.text ?? "";
      assert.equal(text, meta.text);
      const { event } = await feed.next();
      assertEventMatches(event, "google", meta.usage);
      assert.equal(event.streamed, true);
    });

    await t.step("the totals in /api/stats add up every call", async () => {
      const stats = await stack.daemon.api("/api/stats");
      const { events } = await stack.daemon.api("/api/events?limit=100");
      assert.equal(stats.total.requests, events.length);
      const sum = (key: string) =>
        events.reduce((s: number, e: Record<string, number>) => s + e[key], 0);
      for (
        const key of ["input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens"]
      ) {
        assert.equal(stats.total[key], sum(key), key);
      }
      const cost = events.reduce((s: number, e: { cost_usd: number }) => s + e.cost_usd, 0);
      assert.ok(Math.abs(stats.total.cost_usd - cost) < 1e-9);
      assert.equal(stats.total.estimated_requests, 1);
      assert.equal(stats.by_provider.anthropic.requests, 2);
      // Each SDK by its own name (User-Agent `OpenAI/JS …`, `Anthropic/JS …`, google-genai-sdk).
      assert.deepEqual(Object.keys(stats.by_client).sort(), [
        "anthropic-js",
        "google-genai-js",
        "openai-js",
      ]);
      const byClient = Object.values(stats.by_client) as { requests: number }[];
      assert.equal(byClient.reduce((s, totals) => s + totals.requests, 0), events.length);
      assert.equal(feed.pending(), 0, "one event per call, no more");
    });
  } finally {
    await stack.close();
  }
});
