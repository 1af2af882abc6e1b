// Privacy end to end: prompts and API keys live only in an armed debug capture's memory, with keys
// redacted even there. Canary strings sent through the relay and the proxy, in headers, bodies and
// queries, must never reach the daemon's output, any API answer, an export, or any file.
import assert from "node:assert/strict";
import { curl } from "./_curl.ts";
import { runLumen } from "./_daemon.ts";
import { type Stack, startStack } from "./_stack.ts";

/** A fresh prompt and key; `secrets` are the strings that must never persist. */
function canaries() {
  const promptId = crypto.randomUUID();
  const keyId = crypto.randomUUID();
  const prompt = `CANARY-PROMPT-${promptId}`;
  const key = `sk-CANARY-${keyId}`;
  return { prompt, key, secrets: [prompt, key, promptId, keyId] };
}

type Canaries = ReturnType<typeof canaries>;

/** POSTs JSON through the relay and answers the status and the response text. */
async function relayPost(
  stack: Stack,
  pathWithQuery: string,
  body: unknown,
  headers: Record<string, string>,
) {
  const res = await fetch(`${stack.daemon.proxyOrigin}${pathWithQuery}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, text: await res.text() };
}

function openAiChat(c: Canaries) {
  return {
    model: "gpt-5-mini",
    messages: [{ role: "user", content: c.prompt }],
    api_key: c.key, // a key in the body too
  };
}

/** `everywhere`: the key also in a member not named like a credential (not redacted in a capture). */
function anthropicMessages(c: Canaries, options: { stream: boolean; everywhere?: boolean }) {
  return {
    model: "claude-haiku-4-5",
    max_tokens: 64,
    messages: [{ role: "user", content: c.prompt }],
    api_key: c.key,
    metadata: { user_id: options.everywhere ? c.key : "user-1" },
    stream: options.stream,
  };
}

async function arm(stack: Stack) {
  return await stack.daemon.api("/api/debug/arm", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: "{}",
  });
}

async function disarm(stack: Stack) {
  return await stack.daemon.api("/api/debug/disarm", { method: "POST" });
}

/** Polls the captures until `count` are listed (decompressed ones finish asynchronously). */
// deno-lint-ignore no-explicit-any
async function capturesOf(stack: Stack, count: number): Promise<any> {
  for (let i = 0; i < 250; i++) {
    const answer = await stack.daemon.api("/api/debug/captures");
    if (answer.captures.length >= count) return answer;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`Fewer than ${count} captures within 5 s`);
}

Deno.test("an armed debug capture shows the prompt with the key redacted; disarm empties it", async () => {
  const stack = await startStack();
  const c = canaries();
  try {
    assert.deepEqual(await stack.daemon.api("/api/debug/captures"), {
      armed: false,
      expires_at: null,
      captures: [],
    });
    const armed = await arm(stack);
    assert.equal(armed.armed, true);
    const expiresIn = armed.expires_at - Date.now();
    assert.ok(expiresIn > 14 * 60_000 && expiresIn <= 15 * 60_000, `expires in ${expiresIn} ms`);

    const openai = await relayPost(
      stack,
      `/openai/v1/chat/completions?key=${c.key}`,
      openAiChat(c),
      {
        authorization: `Bearer ${c.key}`,
        "x-fake-encoding": "gzip",
        "accept-encoding": "gzip",
      },
    );
    assert.equal(openai.status, 200);
    await stack.feed.next();
    const google = await relayPost(
      stack,
      `/google/v1beta/models/gemini-2.5-flash:generateContent?alt=json&key=${c.key}`,
      { contents: [{ role: "user", parts: [{ text: c.prompt }] }] },
      { "x-goog-api-key": c.key },
    );
    assert.equal(google.status, 200);
    await stack.feed.next();

    const listed = await capturesOf(stack, 2);
    const text = JSON.stringify(listed);
    assert.ok(text.includes(c.prompt), "the armed capture shows the prompt");
    assert.ok(!text.includes(c.key) && !text.includes(c.secrets[3]), "and never the key");
    const [gemini, chat] = listed.captures; // newest first
    assert.equal(chat.mode, "relay");
    assert.equal(chat.host, "api.openai.com");
    assert.equal(chat.path, "/v1/chat/completions");
    assert.equal(chat.query, "key=[redacted]");
    assert.equal(chat.status, 200);
    assert.equal(chat.request.headers.authorization, "[redacted]");
    const sent = JSON.parse(chat.request.body);
    assert.equal(sent.messages[0].content, c.prompt);
    assert.equal(sent.api_key, "[redacted]", "a key in a JSON body is redacted too");
    assert.equal(chat.response.headers["content-encoding"], "gzip");
    assert.equal(chat.response.body_form, "decompressed");
    assert.equal(JSON.parse(chat.response.body).object, "chat.completion");
    assert.equal(gemini.query, "alt=json&key=[redacted]");
    assert.equal(gemini.request.headers["x-goog-api-key"], "[redacted]");
    assert.equal(gemini.response.body_form, "identity");

    assert.deepEqual(await disarm(stack), { armed: false, expires_at: null });
    assert.deepEqual(await stack.daemon.api("/api/debug/captures"), {
      armed: false,
      expires_at: null,
      captures: [],
    });
  } finally {
    await stack.close();
  }
});

Deno.test("canaries never persist or leak: output, API answers, exports and every file", async () => {
  const temp = await Deno.makeTempDir({ prefix: "lumen-privacy-" });
  const home = `${temp}/lumen`;
  const stack = await startStack({ LUMEN_HOME: home });
  const proxyArgs = ["--proxy", stack.daemon.proxyOrigin, "--cacert", `${home}/ca.pem`];
  const armedRun = canaries();
  const c = canaries();
  const pushed: string[] = [];
  let closed = false;
  const nextEvent = async () => pushed.push(JSON.stringify((await stack.feed.next()).event));
  try {
    // A setting saved, so that config.json is among the files scanned.
    await stack.daemon.putSettings({ retention_days: 365 });
    // An armed run first: its canaries sit in memory until the disarm, and nowhere else.
    await arm(stack);
    const armedAnswer = await relayPost(
      stack,
      `/anthropic/v1/messages?key=${armedRun.key}`,
      anthropicMessages(armedRun, { stream: false }),
      { "x-api-key": armedRun.key },
    );
    assert.equal(armedAnswer.status, 200);
    await nextEvent();
    const proxied = await curl(`https://api.openai.com/v1/chat/completions?key=${armedRun.key}`, {
      headers: { "content-type": "application/json", authorization: `Bearer ${armedRun.key}` },
      body: JSON.stringify(openAiChat(armedRun)),
      args: proxyArgs,
    });
    assert.equal(proxied.status, 200);
    await nextEvent();
    const armedText = JSON.stringify(await capturesOf(stack, 2));
    assert.ok(armedText.includes(armedRun.prompt));
    assert.ok(!armedText.includes(armedRun.key), "keys are redacted even in an armed capture");
    assert.match(armedText, /"mode":"proxy"/);
    await disarm(stack);

    // Disarmed: the canaries in every place a client may put them, in both modes.
    const headers = {
      "x-canary-token": c.key,
      "x-canary-note": c.prompt,
      "user-agent": `canary-client/${c.key}`,
    };
    const relayCalls: [string, unknown, Record<string, string>][] = [
      [`/openai/v1/chat/completions?key=${c.key}`, openAiChat(c), {
        authorization: `Bearer ${c.key}`,
      }],
      [
        `/anthropic/v1/messages?beta=true&key=${c.key}`,
        anthropicMessages(c, { stream: true, everywhere: true }),
        {
          "x-api-key": c.key,
          "x-fake-encoding": "br",
          "accept-encoding": "br",
        },
      ],
      [`/google/v1beta/models/gemini-2.5-flash:generateContent?key=${c.key}`, {
        contents: [{ role: "user", parts: [{ text: c.prompt }] }],
      }, { "x-goog-api-key": c.key }],
    ];
    for (const [path, body, extra] of relayCalls) {
      const answer = await relayPost(stack, path, body, { ...headers, ...extra });
      assert.equal(answer.status, 200, path);
      await nextEvent();
    }
    const proxyCalls: [string, unknown, Record<string, string>][] = [
      [`https://api.openai.com/v1/chat/completions?key=${c.key}`, openAiChat(c), {
        authorization: `Bearer ${c.key}`,
      }],
      [
        `https://api.anthropic.com/v1/messages?key=${c.key}`,
        anthropicMessages(c, { stream: false, everywhere: true }),
        {
          "x-api-key": c.key,
          cookie: `session=${c.key}`,
        },
      ],
    ];
    for (const [url, body, extra] of proxyCalls) {
      const answer = await curl(url, {
        headers: { "content-type": "application/json", ...headers, ...extra },
        body: JSON.stringify(body),
        args: proxyArgs,
      });
      assert.equal(answer.status, 200, url);
      await nextEvent();
    }
    // An error answer too (whether or not it becomes an event).
    const refused = await relayPost(
      stack,
      `/openai/v1/chat/completions?key=${c.key}`,
      openAiChat(c),
      {
        authorization: `Bearer ${c.key}`,
        "x-fake-status": "401",
      },
    );
    assert.equal(refused.status, 401);

    const secrets = [...armedRun.secrets, ...c.secrets];
    const assertClean = (where: string, text: string) => {
      for (const secret of secrets) assert.ok(!text.includes(secret), `${secret} in ${where}`);
    };
    assertClean("the SSE feed", pushed.join("\n"));
    const events = await stack.daemon.api("/api/events?limit=1000");
    assert.ok(events.events.length >= 7, "the requests above were all recorded");
    assert.deepEqual(
      new Set(events.events.map((e: { mode: string }) => e.mode)),
      new Set(["relay", "proxy"]),
    );
    const paths = [
      "/api/events?limit=1000",
      "/api/stats",
      "/stats",
      "/api/laps",
      "/api/history?group=day",
      "/api/history?group=model",
      "/api/history?group=provider",
      "/api/history?group=client",
      "/api/export?format=csv",
      "/api/export?format=json",
      "/api/debug/captures",
      "/api/health",
      "/api/hosts",
      "/api/settings",
      "/api/pricing",
    ];
    for (const path of paths) {
      const res = await fetch(`${stack.daemon.apiOrigin}${path}`);
      assert.equal(res.status, 200, path);
      assertClean(path, await res.text());
    }
    assert.deepEqual(await stack.daemon.api("/api/debug/captures"), {
      armed: false,
      expires_at: null,
      captures: [],
    });

    // While the daemon runs (lumen.db-wal is still there), then after it stopped.
    const running = await scanFiles(home, secrets);
    assert.ok(running.scanned.some((path) => path.endsWith("lumen.db")), "lumen.db was scanned");
    assert.deepEqual(running.found, []);
    closed = true;
    await stack.close();
    assertClean("the daemon's stdout and stderr", stack.daemon.output());
    for (const args of [["report"], ["report", "--json"], ["report", "--group", "client"]]) {
      const report = await runLumen(args, { LUMEN_HOME: home });
      assert.equal(report.code, 0, report.stderr);
      assertClean(`lumen ${args.join(" ")}`, report.stdout + report.stderr);
    }
    const stopped = await scanFiles(home, secrets);
    for (const name of ["lumen.db", "config.json", "ca.pem"]) {
      assert.ok(stopped.scanned.some((path) => path.endsWith(`/${name}`)), `${name} was scanned`);
    }
    assert.deepEqual(stopped.found, []);
  } finally {
    if (!closed) await stack.close();
    await Deno.remove(temp, { recursive: true });
  }
});

/** Reads every file under `dir` as bytes and lists which of them hold any of `secrets`. */
async function scanFiles(dir: string, secrets: string[]) {
  const needles = secrets.map((s) => new TextEncoder().encode(s));
  const scanned: string[] = [];
  const found: string[] = [];
  async function walk(path: string): Promise<void> {
    for await (const entry of Deno.readDir(path)) {
      const child = `${path}/${entry.name}`;
      if (entry.isDirectory) await walk(child);
      else if (entry.isFile) {
        const bytes = await Deno.readFile(child);
        scanned.push(child);
        for (const needle of needles) {
          if (indexOfBytes(bytes, needle) !== -1) {
            found.push(`${child}: ${new TextDecoder().decode(needle)}`);
          }
        }
      }
    }
  }
  await walk(dir);
  return { scanned, found };
}

function indexOfBytes(haystack: Uint8Array, needle: Uint8Array): number {
  for (let at = haystack.indexOf(needle[0]); at !== -1; at = haystack.indexOf(needle[0], at + 1)) {
    if (at + needle.length > haystack.length) return -1;
    let i = 1;
    while (i < needle.length && haystack[at + i] === needle[i]) i++;
    if (i === needle.length) return at;
  }
  return -1;
}
