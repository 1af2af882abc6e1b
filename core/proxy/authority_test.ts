import assert from "node:assert/strict";
import { isLoopbackName, parseAbsoluteTarget, parseAuthority } from "./authority.ts";

Deno.test("parseAuthority() reads CONNECT targets and refuses malformed ones", () => {
  assert.deepEqual(parseAuthority("api.openai.com:443"), { host: "api.openai.com", port: 443 });
  assert.deepEqual(parseAuthority("API.Anthropic.com.:8443"), {
    host: "api.anthropic.com",
    port: 8443,
  });
  assert.deepEqual(parseAuthority("[::1]:9090"), { host: "::1", port: 9090 });
  assert.deepEqual(parseAuthority("127.0.0.1:1"), { host: "127.0.0.1", port: 1 });
  for (const bad of ["api.openai.com", "api.openai.com:0", "host:65536", ":443", "a b:443"]) {
    assert.equal(parseAuthority(bad), null, bad);
  }
  for (const bad of ["-x.com:443", "x/y:443", "[::1:443", "user@host:443", "host:443:1"]) {
    assert.equal(parseAuthority(bad), null, bad);
  }
});

Deno.test("parseAbsoluteTarget() reads proxy request targets", () => {
  const ollama = parseAbsoluteTarget("http://localhost:11434/v1/chat/completions?x=1")!;
  assert.deepEqual(ollama.authority, { host: "localhost", port: 11434 });
  assert.equal(ollama.origin.href, "http://localhost:11434/");
  assert.equal(ollama.pathWithQuery, "/v1/chat/completions?x=1");
  assert.deepEqual(parseAbsoluteTarget("https://[::1]/x")!.authority, { host: "::1", port: 443 });
  assert.deepEqual(parseAbsoluteTarget("http://h.test/")!.authority, { host: "h.test", port: 80 });
  for (const bad of ["/openai/v1", "ftp://h.test/", "http://user:pw@h.test/", "http://"]) {
    assert.equal(parseAbsoluteTarget(bad), null, bad);
  }
});

Deno.test("isLoopbackName() knows the literal spellings of this machine", () => {
  for (const name of ["localhost", "app.localhost", "127.0.0.1", "127.1.2.3", "::1", "0.0.0.0"]) {
    assert.equal(isLoopbackName(name), true, name);
  }
  for (const name of ["api.openai.com", "10.0.0.1", "localhost.example.com", "::2"]) {
    assert.equal(isLoopbackName(name), false, name);
  }
});
