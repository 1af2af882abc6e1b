// Smoke test of a built Lumen: starts the fake HTTPS upstream (tests/fake_upstream.ts), runs
// `<command…> serve` against it in a temporary LUMEN_HOME on free ports, then checks /api/health
// and one relayed OpenAI call (bytes unchanged, usage recorded). Exits non-zero on any failure.
//
//   deno run -A scripts/smoke.ts dist/lumen-x86_64-unknown-linux-gnu
//   deno run -A scripts/smoke.ts deno run --allow-… core/main.ts     (the same check from source)
import { fixture, startFakeUpstream } from "../tests/fake_upstream.ts";
import { spawnCollecting } from "../tests/_spawn.ts";

const START_TIMEOUT_MS = 30_000;
const LISTEN_REGEXP = /on http:\/\/127\.0\.0\.1:(\d+), API on http:\/\/127\.0\.0\.1:(\d+)/;

/** Runs the smoke test of `command` and throws what failed. */
export async function smoke(command: string[], log: (line: string) => void = console.log) {
  if (command.length === 0) throw new TypeError("Usage: smoke.ts <lumen binary or command…>");
  const upstream = await startFakeUpstream();
  const temp = await Deno.makeTempDir({ prefix: "lumen-smoke-" });
  const hosts = ["api.openai.com", "api.anthropic.com", "generativelanguage.googleapis.com"];
  const { child, output, drained } = spawnCollecting(command[0], {
    args: [...command.slice(1), "serve"],
    env: {
      LUMEN_HOME: `${temp}/lumen`,
      LUMEN_PROXY_PORT: "0",
      LUMEN_API_PORT: "0",
      LUMEN_UPSTREAM_OVERRIDES: hosts.map((host) => `${host}=${upstream.origin}`).join(","),
      LUMEN_EXTRA_CA_CERTS: upstream.caFile,
      // No internet needed: the price refresh fails at once instead of waiting on a timeout.
      LUMEN_PRICING_URL: "http://127.0.0.1:9/prices.json",
    },
  });
  let exited = false;
  child.status.then(() => exited = true);
  try {
    const deadline = Date.now() + START_TIMEOUT_MS;
    let match: RegExpMatchArray | null;
    while (!(match = output().match(LISTEN_REGEXP))) {
      if (exited) throw new Error(`Lumen exited before listening:\n${output()}`);
      if (Date.now() > deadline) throw new Error(`Lumen did not listen within 30 s:\n${output()}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const [proxy, api] = [`http://127.0.0.1:${match[1]}`, `http://127.0.0.1:${match[2]}`];
    log(`smoke: listening (relay ${proxy}, API ${api})`);

    const health = await fetch(`${api}/api/health`, { signal: AbortSignal.timeout(10_000) });
    const healthBody = await health.json();
    if (!health.ok) throw new Error(`/api/health answered ${health.status}`);
    log(`smoke: /api/health ${health.status} ${JSON.stringify(healthBody).slice(0, 120)}`);

    const chat = await fixture("openai/chat");
    const res = await fetch(`${proxy}/openai${chat.meta.path}`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer sk-smoke" },
      body: JSON.stringify(chat.meta.request),
      signal: AbortSignal.timeout(10_000),
    });
    const body = new Uint8Array(await res.arrayBuffer());
    if (res.status !== 200) throw new Error(`The relay call answered ${res.status}`);
    const decoder = new TextDecoder();
    if (decoder.decode(body) !== decoder.decode(chat.body)) {
      throw new Error("The relay call's body differs from what the upstream sent");
    }
    log(`smoke: relay call 200, ${body.length} bytes unchanged`);

    const expected = chat.meta.usage.input_tokens;
    for (let tries = 0;; tries++) {
      const { events } = await (await fetch(`${api}/api/events`)).json();
      if (events.length > 0 && events[0].input_tokens === expected) break;
      if (tries >= 100) throw new Error(`No usage event recorded: ${JSON.stringify(events)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    log(`smoke: usage recorded (${expected} input tokens)`);
  } finally {
    if (!exited) child.kill("SIGTERM");
    const killTimer = setTimeout(() => !exited && child.kill("SIGKILL"), 10_000);
    await child.status;
    clearTimeout(killTimer);
    await drained;
    await upstream.close();
    await Deno.remove(temp, { recursive: true });
  }
}

if (import.meta.main) {
  try {
    await smoke(Deno.args);
    console.log("smoke: ok");
  } catch (error) {
    console.error(`smoke: FAILED: ${error instanceof Error ? error.message : error}`);
    Deno.exit(1);
  }
}
