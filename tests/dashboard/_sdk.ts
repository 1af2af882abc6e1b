// Calls through the stack's relay made with the official OpenAI and Anthropic SDKs, as a user's
// client makes them.
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import type { UsageEvent } from "../../core/types.ts";
import type { Stack } from "../_stack.ts";

/** SDK clients pointed at the relay; each call resolves with the event Lumen recorded for it. */
export function sdkClients(stack: Stack, options: { apiKey?: string } = {}) {
  const openai = new OpenAI({
    apiKey: options.apiKey ?? "sk-test",
    baseURL: `${stack.relay("openai")}/v1`,
    maxRetries: 0,
  });
  const anthropic = new Anthropic({
    apiKey: "sk-ant-test",
    baseURL: stack.relay("anthropic"),
    maxRetries: 0,
  });
  return {
    /** One non-streamed chat completion from gpt-5-mini. */
    async chat(): Promise<UsageEvent> {
      await openai.chat.completions.create({
        model: "gpt-5-mini",
        messages: [{ role: "user", content: "Say hello" }],
      });
      return (await stack.feed.next()).event;
    },
    /** One non-streamed message, by default from claude-sonnet-4-6 with up to 1024 tokens. */
    async claude(
      { model = "claude-sonnet-4-6", maxTokens = 1024 }: { model?: string; maxTokens?: number } =
        {},
    ): Promise<UsageEvent> {
      await anthropic.messages.create({
        model,
        max_tokens: maxTokens,
        messages: [{ role: "user", content: "Say hello" }],
      });
      return (await stack.feed.next()).event;
    },
  };
}
