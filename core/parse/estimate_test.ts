import assert from "node:assert/strict";
import { createRandom } from "./_contract.ts";
import { estimateRequestTokens, estimateTokens } from "./estimate.ts";
import { TokenTally } from "./token_tally.ts";

const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

Deno.test("estimateTokens() counts words, punctuation and numbers like a BPE tokenizer", () => {
  assert.equal(estimateTokens(""), 0);
  assert.equal(estimateTokens("The quick brown fox jumps over the lazy dog."), 10);
  assert.equal(estimateTokens("Hello, world."), 4);
  assert.equal(estimateTokens("1234567"), 3);
  assert.equal(estimateTokens("   "), 0);
});

Deno.test("estimateTokens() counts CJK text at about one token per character", () => {
  const text = "提示缓存可以降低长提示的延迟和成本";
  const tokens = estimateTokens(text);
  assert.ok(tokens >= text.length * 0.7 && tokens <= text.length, `${tokens} for ${text.length}`);
  assert.equal(estimateTokens("🎉"), 1);
});

Deno.test("TokenTally gives the same count for a text however it is split", () => {
  const text = "Prompt caching — 提示缓存 — lowers cost: 1,234 tokens!\n\tdon't re-compute ";
  const whole = estimateTokens(text);
  const random = createRandom(5);
  for (let round = 0; round < 50; round++) {
    const tally = new TokenTally();
    for (let i = 0; i < text.length;) {
      const size = 1 + Math.floor(random() * 6);
      tally.add(text.slice(i, i + size));
      i += size;
    }
    assert.equal(tally.tokens(), whole);
  }
});

Deno.test("TokenTally.addJsonString() counts a JSON literal like its decoded text", () => {
  const text = 'Say "hi"\n\tto <b> & 中文 🎉 \\ /';
  const json = JSON.stringify(text).replaceAll("<", "\\u003c").replaceAll("&", "\\u0026");
  const tally = new TokenTally();
  assert.equal(tally.addJsonString(json, 1), json.length);
  assert.equal(tally.tokens(), estimateTokens(text));
  assert.equal(new TokenTally().addJsonString('"abc', 1), 4); // unterminated: stops at the end
});

Deno.test("estimateRequestTokens() reads prompt text from each dialect's request", () => {
  const text = "Explain prompt caching in two sentences, please.";
  const openai = estimateRequestTokens(
    "openai",
    encode({ model: "m", messages: [{ role: "user", content: text }] }),
  );
  const responses = estimateRequestTokens("openai", encode({ model: "m", input: text }));
  const anthropic = estimateRequestTokens(
    "anthropic",
    encode({
      model: "m",
      messages: [{ role: "user", content: [{ type: "text", text }] }],
    }),
  );
  const google = estimateRequestTokens(
    "google",
    encode({ contents: [{ role: "user", parts: [{ text }] }] }),
  );
  const base = estimateTokens(text);
  for (const value of [openai, responses, anthropic, google]) {
    assert.ok(value >= base && value <= base + 8, `${value} vs ${base}`);
  }
});

Deno.test("estimateRequestTokens() counts system prompts, tools and images but not model or settings", () => {
  const bare = estimateRequestTokens(
    "anthropic",
    encode({ messages: [{ role: "user", content: "Hi" }] }),
  );
  const withSettings = estimateRequestTokens(
    "anthropic",
    encode({
      model: "claude-sonnet-4-6",
      max_tokens: 1024,
      temperature: 0.5,
      messages: [{ role: "user", content: "Hi" }],
    }),
  );
  assert.equal(withSettings, bare);
  const withSystem = estimateRequestTokens(
    "anthropic",
    encode({
      system: "You are terse.",
      messages: [{ role: "user", content: "Hi" }],
    }),
  );
  assert.ok(withSystem > bare);
  const withTools = estimateRequestTokens(
    "openai",
    encode({
      messages: [{ role: "user", content: "Hi" }],
      tools: [{ type: "function", function: { name: "f", parameters: { type: "object" } } }],
    }),
  );
  assert.ok(withTools > bare);
  const withImage = estimateRequestTokens(
    "openai",
    encode({
      messages: [{
        role: "user",
        content: [{ type: "image_url", image_url: { url: "data:image/png;base64,AAAA" } }],
      }],
    }),
  );
  assert.ok(withImage >= 800);
});

Deno.test("estimateRequestTokens() falls back to bytes / 4 for a body that is not JSON", () => {
  assert.equal(estimateRequestTokens("openai", new TextEncoder().encode("not json at all!")), 4);
  assert.equal(estimateRequestTokens("google", new Uint8Array([0xff, 0xfe, 0x00])), 1);
  assert.equal(estimateRequestTokens("openai", new Uint8Array()), 0);
});

Deno.test("estimateRequestTokens() survives deeply nested and odd JSON", () => {
  const deep = new TextEncoder().encode("[".repeat(100_000) + "]".repeat(100_000));
  assert.ok(Number.isInteger(estimateRequestTokens("openai", deep)));
  assert.equal(estimateRequestTokens("openai", encode(null)), 0);
  assert.equal(estimateRequestTokens("openai", encode({ input: [1, 2, 3] })), 9);
});
