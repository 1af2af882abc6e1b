import assert from "node:assert/strict";
import { ConfigError } from "./config.ts";
import { openConfigFile } from "./config_file.ts";
import { checkCustomHost, HostRegistry, type HostStore } from "./hosts.ts";

/** A HostStore in memory; `fail` makes the next saves reject. */
function memoryStore(
  hosts: string[] = [],
): HostStore & { hosts: readonly string[]; fail: boolean; saves: number } {
  return {
    path: "/home/me/.lumen/config.json",
    hosts,
    fail: false,
    saves: 0,
    updateHosts(change) {
      const next = change(this.hosts);
      if (next === this.hosts) return Promise.resolve();
      if (this.fail) return Promise.reject(new Error("Cannot save config.json: disk full"));
      this.hosts = [...next];
      this.saves++;
      return Promise.resolve();
    },
  };
}

Deno.test("HostRegistry.providerOf() knows the built-in provider hosts", () => {
  const registry = new HostRegistry(memoryStore());
  const cases: [string, string | null][] = [
    ["api.openai.com", "openai"],
    ["api.anthropic.com", "anthropic"],
    ["generativelanguage.googleapis.com", "google"],
    ["api2.cursor.sh", "cursor"],
    ["claude.ai", "claude_ai"],
    ["openai.com", null],
    ["example.com", null],
    ["", null],
  ];
  for (const [host, provider] of cases) assert.equal(registry.providerOf(host), provider, host);
});

Deno.test("HostRegistry.providerOf() matches *.cursor.sh on subdomains only", () => {
  const registry = new HostRegistry(memoryStore());
  const cases: [string, string | null][] = [
    ["api2.cursor.sh", "cursor"],
    ["agent.api5.cursor.sh", "cursor"],
    ["a.b.c.cursor.sh", "cursor"],
    ["cursor.sh", null],
    ["cursor.sh.evil.com", null],
    ["api2.cursor.sh.evil.com", null],
    ["evilcursor.sh", null],
    ["api2.evilcursor.sh", null],
    ["cursor.shh", null],
    ["api2-cursor.sh", null],
  ];
  for (const [host, provider] of cases) assert.equal(registry.providerOf(host), provider, host);
});

Deno.test("HostRegistry.providerOf() ignores case, ports, brackets and a trailing dot", () => {
  const registry = new HostRegistry(memoryStore(["llm.mycorp.internal", "::1", "10.0.0.7"]));
  const cases: [string, string | null][] = [
    ["API.OpenAI.com", "openai"],
    ["api.openai.com:443", "openai"],
    ["api.openai.com.", "openai"],
    ["api.openai.com.:8443", "openai"],
    ["Agent.API5.Cursor.SH.:443", "cursor"],
    ["LLM.MyCorp.Internal:8080", "custom"],
    ["[::1]:8443", "custom"],
    ["[0:0:0:0:0:0:0:1]", "custom"],
    ["::1", "custom"],
    ["10.0.0.7:11434", "custom"],
    ["api.openai.com.evil.com", null],
    ["[::2]:443", null],
  ];
  for (const [host, provider] of cases) assert.equal(registry.providerOf(host), provider, host);
});

Deno.test("checkCustomHost() normalizes the host names it accepts", () => {
  const cases: [string, string][] = [
    ["llm.mycorp.internal", "llm.mycorp.internal"],
    ["LLM.MyCorp.Internal", "llm.mycorp.internal"],
    ["  llm.example.com  ", "llm.example.com"],
    ["llm.example.com.", "llm.example.com"],
    ["my-gateway.example.co.uk", "my-gateway.example.co.uk"],
    ["*.mycorp.internal", "*.mycorp.internal"],
    ["*.openai.com", "*.openai.com"],
    ["xn--bcher-kva.example", "xn--bcher-kva.example"],
    ["localhost", "localhost"],
    ["gpu-box", "gpu-box"],
    ["127.0.0.1", "127.0.0.1"],
    ["192.168.1.20", "192.168.1.20"],
    ["::1", "::1"],
    ["[::1]", "::1"],
    ["fd00:0:0:0:0:0:0:7", "fd00::7"],
    [`${"a".repeat(63)}.example.com`, `${"a".repeat(63)}.example.com`],
  ];
  for (const [input, host] of cases) assert.deepEqual(checkCustomHost(input), { ok: true, host });
});

Deno.test("checkCustomHost() says why it refuses a host", () => {
  const hint = /give a host name like llm\.example\.com, without https:\/\/ or a path$/;
  const cases: [string, RegExp][] = [
    ["", /^The host is empty: /],
    ["   ", /^The host is empty: /],
    ["https://llm.example.com", hint],
    ["llm.example.com/v1", hint],
    ["llm.example.com?x=1", hint],
    ["user@llm.example.com", hint],
    ["llm example.com", /contains a space: give a host name/],
    ["llm.example.com:8443", /^Drop the port from "llm\.example\.com:8443"/],
    ["[::1]:8443", /^Drop the port/],
    ["api.openai.com", /^"api\.openai\.com" is already monitored \(built in\)$/],
    ["API.OpenAI.com.", /already monitored \(built in\)/],
    ["claude.ai", /already monitored \(built in\)/],
    ["*.cursor.sh", /already monitored \(built in\)/],
    ["api9.cursor.sh", /already monitored \(built in\)/],
    ["*.x.cursor.sh", /already monitored \(built in\)/],
    ["*.com", /too broad: a wildcard needs two labels/],
    ["*", /misplaced "\*"/],
    ["llm.*.example.com", /misplaced "\*"/],
    ["*llm.example.com", /misplaced "\*"/],
    ["llm..example.com", /empty label/],
    [".example.com", /empty label/],
    ["-llm.example.com", /only use letters, digits and "-"/],
    ["llm-.example.com", /only use letters, digits and "-"/],
    ["llm_1.example.com", /only use letters, digits and "-"/],
    ["bücher.example", /non-ASCII letters: use its xn-- \(punycode\) form/],
    [`${"a".repeat(64)}.example.com`, /label longer than 63 characters/],
    [`${"abcdefghi.".repeat(26)}com`, /longer than the 253 characters/],
    ["256.1.1.1", /not a valid IPv4 address/],
    ["01.2.3.4", /not a valid IPv4 address/],
    ["1.2.3", /not a valid IPv4 address/],
    ["*.10.0.0.1", /wildcard needs a name/],
    ["fe80::1%eth0", /not a valid IPv6 address/],
    ["1:2:3", /not a valid IPv6 address/],
  ];
  for (const [input, reason] of cases) {
    const checked = checkCustomHost(input);
    assert.equal(checked.ok, false, input);
    assert.match(checked.ok ? "" : checked.reason, reason, input);
  }
});

Deno.test("HostRegistry.add() saves a custom host that counts from the next lookup", async () => {
  const store = memoryStore();
  const registry = new HostRegistry(store);
  assert.equal(registry.providerOf("a.llm.mycorp.internal"), null);
  const added = await registry.add("*.LLM.mycorp.internal");
  const entry = { host: "*.llm.mycorp.internal", provider: "custom", built_in: false };
  assert.deepEqual(added, { ok: true, entry, created: true });
  assert.equal(registry.providerOf("a.llm.mycorp.internal:443"), "custom");
  assert.equal(registry.providerOf("llm.mycorp.internal"), null);
  assert.deepEqual(store.hosts, ["*.llm.mycorp.internal"]);
  assert.deepEqual(registry.list().at(-1), entry);
  assert.deepEqual(registry.list().slice(0, -1).map((e) => [e.host, e.provider, e.built_in]), [
    ["api.openai.com", "openai", true],
    ["api.anthropic.com", "anthropic", true],
    ["generativelanguage.googleapis.com", "google", true],
    ["*.cursor.sh", "cursor", true],
    ["claude.ai", "claude_ai", true],
  ]);
});

Deno.test("HostRegistry.add() treats a host added twice as added, saving once", async () => {
  const store = memoryStore();
  const registry = new HostRegistry(store);
  await registry.add("llm.example.com");
  const again = await registry.add("LLM.example.com.");
  assert.deepEqual(again.ok && again.created, false);
  assert.equal(store.saves, 1);
  assert.equal(registry.list().filter((entry) => !entry.built_in).length, 1);
});

Deno.test("HostRegistry.add() returns the reason for an invalid host and saves nothing", async () => {
  const store = memoryStore();
  const registry = new HostRegistry(store);
  const result = await registry.add("https://llm.example.com/v1");
  assert.equal(result.ok, false);
  assert.equal(store.saves, 0);
});

Deno.test("HostRegistry.remove() removes custom hosts only", async () => {
  const store = memoryStore(["llm.example.com", "10.0.0.7"]);
  const registry = new HostRegistry(store);
  assert.equal(await registry.remove("LLM.Example.com"), "removed");
  assert.equal(registry.providerOf("llm.example.com"), null);
  assert.deepEqual(store.hosts, ["10.0.0.7"]);
  assert.equal(await registry.remove("llm.example.com"), "not_found");
  assert.equal(await registry.remove("not a host"), "not_found");
  assert.equal(await registry.remove("api.openai.com"), "built_in");
  assert.equal(await registry.remove("*.cursor.sh"), "built_in");
  assert.equal(registry.providerOf("api.openai.com"), "openai");
  assert.equal(store.saves, 1);
});

Deno.test("HostRegistry keeps its hosts when saving a change fails", async () => {
  const store = memoryStore(["kept.example.com"]);
  const registry = new HostRegistry(store);
  store.fail = true;
  await assert.rejects(registry.add("new.example.com"), /disk full/);
  await assert.rejects(registry.remove("kept.example.com"), /disk full/);
  assert.equal(registry.providerOf("new.example.com"), null);
  assert.equal(registry.providerOf("kept.example.com"), "custom");
  assert.deepEqual(registry.list().filter((e) => !e.built_in).map((e) => e.host), [
    "kept.example.com",
  ]);
});

Deno.test("new HostRegistry() throws ConfigError for an invalid saved host", () => {
  assert.throws(
    () => new HostRegistry(memoryStore(["ok.example.com", "https://bad/"])),
    (error) => {
      assert.ok(error instanceof ConfigError);
      assert.match(
        error.message,
        /^Cannot use host "https:\/\/bad\/" in \/home\/me\/\.lumen\/config\.json: .*; fix it, or remove/,
      );
      return true;
    },
  );
});

Deno.test("new HostRegistry() lists a saved host that is now built in only once", () => {
  const registry = new HostRegistry(memoryStore(["api.openai.com", "api3.cursor.sh"]));
  assert.equal(registry.providerOf("api.openai.com"), "openai");
  assert.equal(registry.providerOf("api3.cursor.sh"), "cursor");
  assert.equal(registry.list().filter((entry) => !entry.built_in).length, 0);
});

Deno.test("HostRegistry.add() saves concurrent adds to config.json, losing none", async () => {
  const home = await Deno.makeTempDir({ prefix: "lumen-hosts-test-" });
  try {
    const registry = new HostRegistry(openConfigFile(home));
    const hosts = ["a.example.com", "b.example.com", "c.example.com", "*.d.example.com"];
    const results = await Promise.all(hosts.map((host) => registry.add(host)));
    assert.ok(results.every((result) => result.ok && result.created));
    assert.deepEqual(openConfigFile(home).hosts, hosts);
    for (const host of ["a.example.com", "b.example.com", "c.example.com", "x.d.example.com"]) {
      assert.equal(registry.providerOf(host), "custom", host);
    }
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});
