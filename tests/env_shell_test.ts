// `lumen env` end to end: its bash output, evaluated by bash, is all curl (and Python) need to
// reach the fake upstream through the running daemon in relay mode and in proxy mode, with the
// usage event to show for it. The shell starts from a near-empty environment holding dead proxies,
// so only the evaluated variables can make the request work.
import assert from "node:assert/strict";
import { fixture } from "./fake_upstream.ts";
import { runLumen } from "./_daemon.ts";
import { assertEventMatches, type Stack, startStack } from "./_stack.ts";

const DEAD = "http://127.0.0.1:9";

/** `lumen env` for the stack's daemon (its real proxy port and home), as the CLI prints it. */
async function lumenEnv(stack: Stack, mode: "relay" | "proxy"): Promise<string> {
  const out = await runLumen(["env", "--shell", "bash", "--mode", mode], {
    LUMEN_HOME: stack.daemon.home,
    LUMEN_PROXY_PORT: String(stack.daemon.proxyPort),
  });
  assert.equal(out.code, 0, out.stderr);
  assert.equal(out.stderr, "");
  return out.stdout;
}

/**
 * Evaluates `envText` in bash and runs `script` after it, with a body file in $BODY; returns the
 * exit code and output. Inherited proxies point at a dead port, so the variables must win.
 */
async function inBash(envText: string | null, script: string, body: string) {
  const dir = await Deno.makeTempDir({ prefix: "lumen-env-" });
  try {
    await Deno.writeTextFile(`${dir}/body.json`, body);
    const out = await new Deno.Command("bash", {
      args: ["-c", `${envText === null ? "" : 'eval "$LUMEN_ENV_TEXT"; '}${script}`],
      clearEnv: true,
      env: {
        PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
        HOME: dir,
        BODY: `${dir}/body.json`,
        LUMEN_ENV_TEXT: envText ?? "",
        http_proxy: DEAD,
        https_proxy: DEAD,
        HTTPS_PROXY: DEAD,
        ALL_PROXY: DEAD,
      },
      stdin: "null",
    }).output();
    const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
    return { code: out.code, stdout: decode(out.stdout), stderr: decode(out.stderr) };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const CURL = `curl -sS --max-time 20 -o /dev/null -w '%{http_code}' ` +
  `-H 'content-type: application/json' --data-binary @"$BODY"`;

Deno.test("lumen env --mode relay: curl reaches the relay with $OPENAI_BASE_URL alone", async () => {
  const stack = await startStack();
  try {
    const { meta } = await fixture("openai/chat");
    const text = await lumenEnv(stack, "relay");
    const origin = stack.daemon.proxyOrigin;
    assert.equal(
      text,
      `export ANTHROPIC_BASE_URL='${origin}/anthropic'\n` +
        `export OPENAI_BASE_URL='${origin}/openai/v1'\n` +
        `export GOOGLE_GEMINI_BASE_URL='${origin}/google'\n` +
        "export NO_PROXY='localhost,127.0.0.1,::1'\nexport no_proxy='localhost,127.0.0.1,::1'\n",
    );
    const body = JSON.stringify(meta.request);
    // Without NO_PROXY, curl would send the loopback request to the dead http_proxy.
    const res = await inBash(text, `${CURL} "$OPENAI_BASE_URL/chat/completions"`, body);
    assert.equal(res.code, 0, res.stderr);
    assert.equal(res.stdout, "200");
    const { event } = await stack.feed.next();
    assertEventMatches(event, "openai", meta.usage);
    assert.equal(event.mode, "relay");
    assert.equal(event.client, "curl");
  } finally {
    await stack.close();
  }
});

Deno.test("lumen env --mode proxy: curl and Python reach api.openai.com through the proxy with the bundle", async (t) => {
  const stack = await startStack();
  try {
    const { meta } = await fixture("openai/chat");
    const body = JSON.stringify(meta.request);
    const home = stack.daemon.home;
    const text = await lumenEnv(stack, "proxy");
    assert.equal(
      text,
      `export HTTPS_PROXY='${stack.daemon.proxyOrigin}'\nexport https_proxy='${stack.daemon.proxyOrigin}'\n` +
        "export NO_PROXY='localhost,127.0.0.1,::1'\nexport no_proxy='localhost,127.0.0.1,::1'\n" +
        `export NODE_EXTRA_CA_CERTS='${home}/ca.pem'\nexport NODE_USE_ENV_PROXY='1'\n` +
        `export SSL_CERT_FILE='${home}/ca-bundle.pem'\nexport REQUESTS_CA_BUNDLE='${home}/ca-bundle.pem'\n` +
        `export CURL_CA_BUNDLE='${home}/ca-bundle.pem'\n`,
    );

    await t.step("the daemon wrote the bundle: system roots, then Lumen's CA", async () => {
      const bundle = await Deno.readTextFile(`${home}/ca-bundle.pem`);
      const ca = (await Deno.readTextFile(`${home}/ca.pem`)).trim();
      assert.ok(bundle.trimEnd().endsWith(ca), "ends with Lumen's CA");
      assert.ok((bundle.match(/BEGIN CERTIFICATE/g) ?? []).length > 50, "holds the system roots");
    });

    const url = "https://api.openai.com/v1/chat/completions";
    await t.step("curl, with only the evaluated variables", async () => {
      const res = await inBash(text, `${CURL} "${url}"`, body);
      assert.equal(res.code, 0, res.stderr);
      assert.equal(res.stdout, "200");
      const { event } = await stack.feed.next();
      assertEventMatches(event, "openai", meta.usage);
      assert.equal(event.mode, "proxy");
      assert.equal(event.host, "api.openai.com");
    });

    await t.step(
      "without the bundle, curl refuses Lumen's certificate (so the bundle did it)",
      async () => {
        const res = await inBash(
          text,
          `unset CURL_CA_BUNDLE SSL_CERT_FILE; ${CURL} "${url}"`,
          body,
        );
        assert.equal(res.code, 60, `curl should fail certificate verification: ${res.stderr}`);
        assert.equal(stack.feed.pending(), 0);
      },
    );

    await t.step("Python's urllib, which reads https_proxy and SSL_CERT_FILE", async (t) => {
      const python = await new Deno.Command("python3", { args: ["-c", "1"] }).output().catch(() =>
        null
      );
      if (!python?.success) {
        console.log("python3 is not installed: SSL_CERT_FILE was checked with curl only");
        return;
      }
      const script = `python3 -c '
import json, os, urllib.request
req = urllib.request.Request("${url}", data=open(os.environ["BODY"], "rb").read(),
                             headers={"content-type": "application/json"})
print(urllib.request.urlopen(req, timeout=20).status)'`;
      const res = await inBash(text, script, body);
      assert.equal(res.code, 0, res.stderr);
      assert.equal(res.stdout.trim(), "200");
      const { event } = await stack.feed.next();
      assert.equal(event.mode, "proxy");
      assert.equal(event.host, "api.openai.com");
      await t.step("and refuses without SSL_CERT_FILE", async () => {
        const bare = await inBash(text, `unset SSL_CERT_FILE; ${script}`, body);
        assert.notEqual(bare.code, 0);
        assert.match(bare.stderr, /CERTIFICATE_VERIFY_FAILED/);
      });
    });
  } finally {
    await stack.close();
  }
});
