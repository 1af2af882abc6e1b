import assert from "node:assert/strict";
import { ConfigError } from "./config.ts";
import { DEFAULT_SETTINGS, openConfigFile } from "./config_file.ts";
import { DEFAULTS } from "./_settings_fixture.ts";

async function tempHome() {
  const home = await Deno.makeTempDir({ prefix: "lumen-config-test-" });
  return { home, [Symbol.asyncDispose]: () => Deno.remove(home, { recursive: true }) };
}

function names(dir: string): string[] {
  return [...Deno.readDirSync(dir)].map((entry) => entry.name).sort();
}

Deno.test("openConfigFile() gives defaults for a missing file and does not create it", async () => {
  await using dir = await tempHome();
  const file = openConfigFile(dir.home);
  assert.equal(file.path, `${dir.home}/config.json`);
  assert.deepEqual(file.hosts, []);
  assert.deepEqual(file.settings, DEFAULTS);
  assert.deepEqual(file.settings, DEFAULT_SETTINGS);
  assert.deepEqual(names(dir.home), []);
});

Deno.test("ConfigFile saves hosts and settings that a new ConfigFile reads back", async () => {
  await using dir = await tempHome();
  const file = openConfigFile(dir.home);
  await file.updateHosts((hosts) => [...hosts, "llm.mycorp.internal"]);
  const update = await file.updateSettings({ include_stream_usage: false });
  assert.deepEqual(update, {
    ok: true,
    settings: { ...DEFAULTS, include_stream_usage: false },
  });
  const again = openConfigFile(dir.home);
  assert.deepEqual(again.hosts, ["llm.mycorp.internal"]);
  assert.deepEqual(again.settings, { ...DEFAULTS, include_stream_usage: false });
  assert.deepEqual(JSON.parse(Deno.readTextFileSync(file.path)), {
    version: 1,
    hosts: ["llm.mycorp.internal"],
    settings: { ...DEFAULTS, include_stream_usage: false },
  });
});

Deno.test("ConfigFile writes by rename, leaving no temp file, with mode 0600", async () => {
  await using dir = await tempHome();
  const path = `${dir.home}/config.json`;
  Deno.writeTextFileSync(path, '{"hosts": []}', { mode: 0o644 });
  if (Deno.build.os !== "windows") Deno.chmodSync(path, 0o644);
  const inode = Deno.statSync(path).ino;
  const file = openConfigFile(dir.home);
  for (const host of ["a.example.com", "b.example.com", "c.example.com"]) {
    await file.updateHosts((hosts) => [...hosts, host]);
  }
  assert.deepEqual(names(dir.home), ["config.json"]);
  if (Deno.build.os !== "windows") {
    const stat = Deno.statSync(path);
    assert.equal(stat.mode! & 0o777, 0o600);
    assert.notEqual(stat.ino, inode, "replaced by a new file, not rewritten in place");
  }
});

Deno.test("ConfigFile keeps keys it does not know when it rewrites the file", async () => {
  await using dir = await tempHome();
  const path = `${dir.home}/config.json`;
  Deno.writeTextFileSync(
    path,
    JSON.stringify({
      version: 1,
      hosts: ["old.example.com"],
      settings: { include_stream_usage: true, future_setting: { deep: [1, 2] } },
      sync: { server: "https://datagrout.example" },
    }),
  );
  const file = openConfigFile(dir.home);
  assert.deepEqual(file.settings, DEFAULTS);
  await file.updateSettings({ include_stream_usage: false });
  assert.deepEqual(JSON.parse(Deno.readTextFileSync(path)), {
    version: 1,
    hosts: ["old.example.com"],
    settings: { ...DEFAULTS, include_stream_usage: false, future_setting: { deep: [1, 2] } },
    sync: { server: "https://datagrout.example" },
  });
});

Deno.test("openConfigFile() throws ConfigError naming the file and the fix for a bad file", async () => {
  await using dir = await tempHome();
  const path = `${dir.home}/config.json`;
  const cases: [string, RegExp][] = [
    ['{"hosts": [', /is not valid JSON/],
    ["[]", /must hold a JSON object/],
    ['{"version": "1"}', /"version" must be 1/],
    ['{"version": 2}', /written by a newer Lumen \(version 2\); upgrade Lumen/],
    ['{"hosts": "a.example.com"}', /"hosts" must be a list of host names/],
    ['{"hosts": [42]}', /"hosts" must be a list of host names/],
    ['{"settings": []}', /"settings" must be an object/],
    [
      '{"settings": {"include_stream_usage": "yes"}}',
      /"include_stream_usage" must be true or false/,
    ],
  ];
  for (const [text, problem] of cases) {
    Deno.writeTextFileSync(path, text);
    assert.throws(() => openConfigFile(dir.home), (error) => {
      assert.ok(error instanceof ConfigError, text);
      assert.match(error.message, problem);
      assert.ok(error.message.startsWith(`Cannot load ${path}: `), error.message);
      assert.match(error.message, /delete it to start from the default settings$/);
      return true;
    });
    assert.equal(Deno.readTextFileSync(path), text, "the user's file is left alone");
  }
});

Deno.test("openConfigFile() reads a hand-written file without version or settings", async () => {
  await using dir = await tempHome();
  Deno.writeTextFileSync(`${dir.home}/config.json`, '{"hosts": ["llm.example.com"]}');
  const file = openConfigFile(dir.home);
  assert.deepEqual(file.hosts, ["llm.example.com"]);
  assert.deepEqual(file.settings, DEFAULT_SETTINGS);
});

Deno.test("openConfigFile() throws ConfigError when config.json cannot be read", async () => {
  await using dir = await tempHome();
  Deno.mkdirSync(`${dir.home}/config.json`);
  assert.throws(() => openConfigFile(dir.home), (error) => {
    assert.ok(error instanceof ConfigError);
    assert.match(error.message, /^Cannot read .*config\.json: /);
    return true;
  });
});

Deno.test("ConfigFile.updateSettings() refuses unknown keys and wrong types, naming the key", async () => {
  await using dir = await tempHome();
  const file = openConfigFile(dir.home);
  assert.deepEqual(await file.updateSettings({ colour: "blue" }), {
    ok: false,
    reason: 'Unknown setting "colour"',
  });
  assert.deepEqual(await file.updateSettings({ include_stream_usage: 1 }), {
    ok: false,
    reason: 'Setting "include_stream_usage" must be true or false',
  });
  assert.deepEqual(names(dir.home), [], "nothing was written");
  assert.deepEqual(await file.updateSettings({}), { ok: true, settings: DEFAULT_SETTINGS });
  assert.deepEqual(names(dir.home), [], "an unchanged setting is not written");
});

Deno.test("ConfigFile.updateHosts() applies concurrent changes in turn, losing none", async () => {
  await using dir = await tempHome();
  const file = openConfigFile(dir.home);
  const hosts = Array.from({ length: 5 }, (_, i) => `h${i}.example.com`);
  await Promise.all([
    ...hosts.map((host) => file.updateHosts((saved) => [...saved, host])),
    file.updateSettings({ include_stream_usage: false }),
  ]);
  assert.deepEqual(file.hosts, hosts);
  const again = openConfigFile(dir.home);
  assert.deepEqual(again.hosts, hosts);
  assert.deepEqual(again.settings, { ...DEFAULTS, include_stream_usage: false });
  assert.deepEqual(names(dir.home), ["config.json"]);
});

Deno.test("ConfigFile rejects a failed write, keeps its state and goes on with later ones", async () => {
  await using dir = await tempHome();
  const file = openConfigFile(dir.home);
  await file.updateHosts(() => ["kept.example.com"]);
  Deno.removeSync(dir.home, { recursive: true });
  await assert.rejects(
    file.updateHosts((hosts) => [...hosts, "lost.example.com"]),
    new RegExp(`^Error: Cannot save ${dir.home}/config\\.json: `),
  );
  await assert.rejects(file.updateSettings({ include_stream_usage: false }), /Cannot save/);
  assert.deepEqual(file.hosts, ["kept.example.com"]);
  assert.deepEqual(file.settings, DEFAULT_SETTINGS);
  Deno.mkdirSync(dir.home);
  await file.updateHosts((hosts) => [...hosts, "next.example.com"]);
  assert.deepEqual(openConfigFile(dir.home).hosts, ["kept.example.com", "next.example.com"]);
});

Deno.test("ConfigFile removes its temp file when the rename fails", async () => {
  await using dir = await tempHome();
  const file = openConfigFile(dir.home);
  Deno.mkdirSync(`${dir.home}/config.json/in-the-way`, { recursive: true });
  await assert.rejects(file.updateHosts(() => ["a.example.com"]), /Cannot save/);
  assert.deepEqual(names(dir.home), ["config.json"]);
  assert.deepEqual(file.hosts, []);
});

Deno.test("ConfigFile.updateSettings() takes retention_days as null or whole days from 1", async () => {
  await using dir = await tempHome();
  const file = openConfigFile(dir.home);
  assert.equal(file.settings.retention_days, null, "keep forever by default");
  for (const bad of [0, -1, 1.5, "30", true, Number.MAX_VALUE]) {
    assert.deepEqual(await file.updateSettings({ retention_days: bad }), {
      ok: false,
      reason: 'Setting "retention_days" must be null (keep forever) or a whole number of days, ' +
        "at least 1",
    });
  }
  assert.deepEqual(await file.updateSettings({ retention_days: 90 }), {
    ok: true,
    settings: { ...DEFAULTS, retention_days: 90 },
  });
  assert.equal(openConfigFile(dir.home).settings.retention_days, 90);
  await file.updateSettings({ retention_days: null });
  assert.equal(openConfigFile(dir.home).settings.retention_days, null);
  Deno.writeTextFileSync(file.path, '{"version": 1, "settings": {"retention_days": 0}}');
  assert.throws(() => openConfigFile(dir.home), /"retention_days" must be null/);
});
