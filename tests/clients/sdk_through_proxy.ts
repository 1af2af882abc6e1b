// An SDK user behind Lumen's proxy, run as its own process the way Cursor or a Node script would
// be: HTTPS_PROXY names the proxy (through undici's ProxyAgent, the documented way to give the
// SDKs a dispatcher) and NODE_EXTRA_CA_CERTS makes Lumen's CA trusted. The SDKs keep their real
// base URLs. Prints one JSON result per scenario named in the arguments.
import OpenAI from "openai";
import Anthropic from "@anthropic-ai/sdk";
import { fetch as undiciFetch, ProxyAgent } from "undici";

const proxy = Deno.env.get("HTTPS_PROXY");
if (!proxy || !Deno.env.get("NODE_EXTRA_CA_CERTS")) {
  throw new Error("set HTTPS_PROXY and NODE_EXTRA_CA_CERTS");
}
// One keep-alive dispatcher for every call, so calls share tunnels as a long-lived client's do.
const dispatcher = new ProxyAgent(proxy);
const transport = {
  fetch: undiciFetch as unknown as typeof fetch,
  // undici's dispatcher is not in Deno's RequestInit type; undici's fetch reads it.
  fetchOptions: { dispatcher } as Record<string, unknown>,
  maxRetries: 0,
};
const openai = new OpenAI({ apiKey: "sk-test", ...transport });
const anthropic = new Anthropic({ apiKey: "sk-ant-test", ...transport });
const messages = [{ role: "user" as const, content: "Say hello" }];

/** What a scenario reports: the text the SDK produced and what it saw of usage. */
interface Outcome {
  scenario: string;
  text: string;
  /** Usage as the SDK returned it, if it returned any. */
  usage: unknown;
  /** Whether any streamed chunk carried a `usage` member at all (null included). */
  usageMember: boolean;
}

const scenarios: Record<string, () => Promise<Omit<Outcome, "scenario">>> = {
  async "openai-chat"() {
    const completion = await openai.chat.completions.create({ model: "gpt-5-mini", messages });
    return {
      text: completion.choices[0].message.content ?? "",
      usage: completion.usage,
      usageMember: true,
    };
  },
  "openai-chat-stream": () => openAiStream(false),
  "openai-chat-stream-usage": () => openAiStream(true),
  async "anthropic-messages"() {
    const message = await anthropic.messages.create({
      model: "claude-haiku-4-5",
      max_tokens: 1024,
      messages,
    });
    const text = message.content.map((block) => block.type === "text" ? block.text : "").join("");
    return { text, usage: message.usage, usageMember: true };
  },
  async "anthropic-messages-stream"() {
    const stream = anthropic.messages.stream({
      model: "claude-haiku-4-5",
      max_tokens: 1024,
      messages,
    });
    let text = "";
    stream.on("text", (delta) => text += delta);
    const final = await stream.finalMessage();
    return { text, usage: final.usage, usageMember: true };
  },
};

async function openAiStream(includeUsage: boolean): Promise<Omit<Outcome, "scenario">> {
  const stream = await openai.chat.completions.create({
    model: "gpt-5-mini",
    messages,
    stream: true,
    ...(includeUsage ? { stream_options: { include_usage: true } } : {}),
  });
  let text = "";
  let usage: unknown = null;
  let usageMember = false;
  for await (const chunk of stream) {
    text += chunk.choices[0]?.delta?.content ?? "";
    if ("usage" in chunk) usageMember = true;
    if (chunk.usage) usage = chunk.usage;
  }
  return { text, usage, usageMember };
}

const outcomes: Outcome[] = [];
for (const name of Deno.args) {
  const run = scenarios[name];
  if (!run) throw new Error(`unknown scenario ${name}`);
  outcomes.push({ scenario: name, ...await run() });
}
await dispatcher.close();
console.log(JSON.stringify(outcomes));
