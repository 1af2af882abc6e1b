import assert from "node:assert/strict";
import { bundledPriceTable, type PriceEntry, type PriceTableFile } from "../pricing/mod.ts";
import { checkRemoteTable, MIN_REMOTE_MODELS } from "./price_remote_checks.ts";

const bundled = bundledPriceTable();

function entry(rates: Partial<PriceEntry> = {}): PriceEntry {
  return {
    provider: "openai",
    input: 1,
    output: 2,
    cache_read: null,
    cache_write_5m: null,
    cache_write_1h: null,
    aliases: [],
    ...rates,
  };
}

/** The bundled models plus `extra` made-up ones: what a healthy remote list converts to. */
function remoteTable(extra = 30, change: (models: PriceTableFile["models"]) => void = () => {}) {
  const models = structuredClone(bundled.models);
  for (let i = 0; i < extra; i++) models[`other-model-${i}`] = entry();
  change(models);
  return { ...bundled, source: "remote", models };
}

const count = (table: PriceTableFile) => Object.keys(table.models).length;

Deno.test("checkRemoteTable() accepts a complete table unchanged", () => {
  const table = remoteTable();
  const checked = checkRemoteTable(table, { bundled, previous: null });
  assert.deepEqual(checked, { table, dropped: [] });
});

Deno.test("checkRemoteTable() refuses a table with too few models", () => {
  const table = remoteTable(0, (models) => {
    for (const id of Object.keys(models).slice(MIN_REMOTE_MODELS - 5)) delete models[id];
  });
  assert.throws(
    () => checkRemoteTable(table, { bundled, previous: null }),
    /^Error: Looks partial: it prices 45 models, fewer than 50; kept the previous prices$/,
  );
});

Deno.test("checkRemoteTable() refuses a table less than half the previous one", () => {
  const previous = remoteTable(300);
  const half = count(previous) / 2;
  const enough = remoteTable(Math.ceil(half) - count(bundled));
  assert.equal(checkRemoteTable(enough, { bundled, previous }).dropped.length, 0);
  assert.throws(
    () =>
      checkRemoteTable(remoteTable(Math.ceil(half) - count(bundled) - 1), { bundled, previous }),
    new RegExp(`fewer than half the ${count(previous)} of the previous copy`),
  );
});

Deno.test("checkRemoteTable() refuses a table that lost a provider's models", () => {
  const table = remoteTable(60, (models) => {
    for (const [id, e] of Object.entries(models)) if (e.provider === "anthropic") delete models[id];
  });
  assert.throws(
    () => checkRemoteTable(table, { bundled, previous: null }),
    /it knows 0 of the \d+ anthropic models Lumen ships/,
  );
});

Deno.test("checkRemoteTable() drops entries that zero a price the table in use has", () => {
  const previous = remoteTable(30, (models) => {
    models["remote-only"] = entry({ input: 4, output: 8 });
  });
  const table = remoteTable(30, (models) => {
    models["gpt-4o"] = { ...models["gpt-4o"], input: 0 };
    models["claude-haiku-4-5"] = { ...models["claude-haiku-4-5"], input: 0, output: 0 };
    models["remote-only"] = entry({ output: 0 });
    models["free-preview"] = entry({ input: 0, output: 0 });
  });
  const { table: kept, dropped } = checkRemoteTable(table, { bundled, previous });
  const reasons = Object.fromEntries(dropped.map((d) => [d.id, d.reason]));
  assert.deepEqual(Object.keys(reasons).sort(), ["claude-haiku-4-5", "gpt-4o", "remote-only"]);
  assert.match(reasons["gpt-4o"], /^Prices input at 0 where the remote table has input 2\.5 /);
  assert.match(reasons["claude-haiku-4-5"], /^Prices input and output at 0 /);
  assert.match(reasons["remote-only"], /^Prices output at 0 where the remote table has output 8 /);
  assert.equal(kept.models["gpt-4o"], undefined);
  // Unknown before, so nothing to protect: a free model stays free.
  assert.equal(kept.models["free-preview"].input, 0);
  // Embeddings have no output price anywhere: 0 is no loss.
  assert.equal(kept.models["text-embedding-3-small"].output, 0);
});
