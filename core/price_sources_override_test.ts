import assert from "node:assert/strict";
import { createPriceSources, OVERRIDE_FILE } from "./price_sources.ts";
import { startFakePriceSource } from "../tests/fake_price_source.ts";

async function tempHome() {
  const home = await Deno.makeTempDir({ prefix: "lumen-pricing-test-" });
  return { home, [Symbol.asyncDispose]: () => Deno.remove(home, { recursive: true }) };
}

function overrideTable(models: Record<string, { input: number; output: number }>) {
  const entries = Object.entries(models).map(([id, rates]) => [
    id,
    { provider: "openai", aliases: [], ...rates },
  ]);
  return JSON.stringify({
    schema_version: 1,
    source: "my contract",
    updated: "2026-11-01",
    models: Object.fromEntries(entries),
  });
}

function open(home: string, url: URL) {
  const logs: string[] = [];
  const sources = createPriceSources({ home, url, log: (line) => logs.push(line) });
  return Object.assign(sources, { logs, [Symbol.dispose]: () => sources.close() });
}

Deno.test("PriceSources layers override over remote over bundled, model by model", async () => {
  await using dir = await tempHome();
  const fake = startFakePriceSource();
  try {
    delete fake.document["o3"]; // so o3 can only come from the bundled table
    fake.document["claude-sonnet-4-5"] = {
      ...fake.document["claude-sonnet-4-5"],
      output_cost_per_token: 16e-6,
    };
    await Deno.writeTextFile(
      `${dir.home}/${OVERRIDE_FILE}`,
      overrideTable({ "gpt-4o": { input: 7, output: 11 }, "my-finetune": { input: 1, output: 2 } }),
    );
    using sources = open(dir.home, fake.url);
    assert.equal((await sources.refresh()).refreshed, true);
    const pricer = sources.pricer();
    const where = (model: string) => {
      const match = pricer.match("openai", model);
      return match && [match.source, match.entry.input, match.entry.output];
    };
    assert.deepEqual(where("gpt-4o"), ["override", 7, 11]);
    assert.deepEqual(where("my-finetune"), ["override", 1, 2]);
    assert.deepEqual(where("claude-sonnet-4-5"), ["remote", 3, 16]);
    assert.deepEqual(where("o3"), ["bundled", 2, 8]);
    const status = sources.status();
    assert.equal(status.active, "override");
    assert.deepEqual(status.layers[2], {
      source: "override",
      models: 2,
      path: `${dir.home}/${OVERRIDE_FILE}`,
      updated: "2026-11-01",
    });
  } finally {
    await fake.close();
  }
});

Deno.test("PriceSources reports a bad override file without failing, and keeps a good one", async () => {
  await using dir = await tempHome();
  const path = `${dir.home}/${OVERRIDE_FILE}`;
  const dead = new URL("http://127.0.0.1:9/prices.json");
  await Deno.writeTextFile(path, "{ not json");
  using sources = open(dir.home, dead);
  let override = sources.status().layers[2];
  assert.equal(sources.status().active, "bundled");
  assert.equal(override.models, 0);
  assert.match(override.error!.message, /^Cannot use .*pricing\.json: .*; not using it$/);
  assert.equal(sources.logs.length, 1);

  await Deno.writeTextFile(path, overrideTable({ "gpt-4o": { input: 7, output: 11 } }));
  await sources.refresh();
  assert.equal(sources.status().active, "override");
  assert.equal(sources.status().layers[2].error, undefined);
  assert.equal(sources.pricer().match("openai", "gpt-4o")?.entry.input, 7);

  // A schema error after a good version: the good version stays in use.
  await Deno.writeTextFile(path, overrideTable({ "gpt-4o": { input: -1, output: 11 } }));
  const result = await sources.refresh();
  assert.equal(result.refreshed, false);
  override = result.layers[2];
  assert.equal(override.models, 1);
  assert.match(override.error!.message, /models\.gpt-4o\.input .*; kept its previous version$/);
  assert.equal(sources.pricer().match("openai", "gpt-4o")?.entry.input, 7);

  // Deleting the file is how overrides are dropped: no error.
  await Deno.remove(path);
  await sources.refresh();
  assert.equal(sources.status().layers[2].error, undefined);
  assert.equal(sources.status().layers[2].models, 0);
  assert.equal(sources.pricer().match("openai", "gpt-4o")?.source, "bundled");
});
