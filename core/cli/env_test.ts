import assert from "node:assert/strict";
import { ConfigError } from "../config.ts";
import { captureLog } from "./_console_fixture.ts";
import { type ClientEnvDeps, parseEnvArgs, runEnv } from "./env.ts";

const PATHS = { proxyPort: 9090, caPath: "/h/ca.pem", bundlePath: "/h/ca-bundle.pem" };

function deps(env: Record<string, string> = {}, port = 9090) {
  const calls = { ensured: 0 };
  const value: ClientEnvDeps = {
    os: "linux",
    env: (name) => env[name],
    paths: { ...PATHS, proxyPort: port },
    ensureTrustFiles() {
      calls.ensured++;
      return Promise.resolve();
    },
  };
  return { deps: value, calls };
}

Deno.test("parseEnvArgs() reads --shell and --mode, spaced or with =, and refuses the rest", () => {
  assert.deepEqual(parseEnvArgs([], "zsh"), { shell: "zsh", mode: "proxy" });
  assert.deepEqual(parseEnvArgs(["--shell", "fish", "--mode=relay"], "bash"), {
    shell: "fish",
    mode: "relay",
  });
  assert.deepEqual(parseEnvArgs(["--shell=powershell"], "bash").shell, "powershell");
  for (
    const [args, message] of [
      [["--shell", "cmd"], /--shell takes one of bash, zsh, fish, powershell/],
      [["--shell"], /--shell takes/],
      [["--mode", "tunnel"], /--mode takes relay or proxy/],
      [["--mode"], /--mode takes/],
      [["relay"], /Unknown argument "relay": lumen env \[--shell/],
    ] as const
  ) {
    assert.throws(() => parseEnvArgs([...args], "bash"), (e: Error) => {
      return e instanceof ConfigError && message.test(e.message);
    });
  }
});

Deno.test("runEnv() prints the user's shell's lines and prepares the trust files for proxy mode", async () => {
  const fish = deps({ SHELL: "/usr/bin/fish" });
  const printed = await captureLog(() => runEnv(["--mode", "relay"], fish.deps));
  assert.equal(
    printed,
    "set -gx ANTHROPIC_BASE_URL 'http://127.0.0.1:9090/anthropic'\n" +
      "set -gx OPENAI_BASE_URL 'http://127.0.0.1:9090/openai/v1'\n" +
      "set -gx GOOGLE_GEMINI_BASE_URL 'http://127.0.0.1:9090/google'\n" +
      "set -gx NO_PROXY 'localhost,127.0.0.1,::1'\n" +
      "set -gx no_proxy 'localhost,127.0.0.1,::1'\n",
  );
  assert.equal(fish.calls.ensured, 0, "relay mode needs no CA");

  const bash = deps();
  const proxy = await captureLog(() => runEnv([], bash.deps));
  assert.match(proxy, /^export HTTPS_PROXY='http:\/\/127\.0\.0\.1:9090'\n/);
  assert.match(proxy, /^export CURL_CA_BUNDLE='\/h\/ca-bundle\.pem'\n$/m);
  assert.equal(bash.calls.ensured, 1);
});

Deno.test("runEnv() refuses LUMEN_PROXY_PORT=0 with what to do", async () => {
  await assert.rejects(
    () => runEnv([], deps({}, 0).deps),
    /LUMEN_PROXY_PORT is 0, so there is no port to point clients at/,
  );
});
