import assert from "node:assert/strict";
import type { UsageEvent } from "../types.ts";
import { eventAt, ledgerFixture } from "./_store_fixture.ts";
import { writeBatch } from "./batch.ts";
import { EVENT_COLUMNS } from "./event_row.ts";
import { csvField } from "./export.ts";

/** Parses RFC 4180 CSV (quoted fields, doubled quotes, CRLF) into rows of fields. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') field += text[i++];
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") row.push(field), field = "";
    else if (c === "\r" && text[i + 1] === "\n") {
      row.push(field), rows.push(row), row = [], field = "", i++;
    } else field += c;
  }
  assert.equal(field + row.join(""), "", "the text ends with CRLF");
  return rows;
}

const T = new Date(2026, 10, 27, 12).getTime();

/** Events whose text fields need quoting: commas, quotes, line breaks, edge spaces, none at all. */
function awkward(): UsageEvent[] {
  return [
    eventAt(T, { model: 'a,"b"\nc', path: "/v1/x,y", client: " spaced " }),
    eventAt(T + 1, { model: null, cost_usd: null, price_source: null, priced_model: null }),
    eventAt(T + 2, { streamed: true, estimated: true, host: "h\r\nx" }),
  ];
}

Deno.test("Ledger.exportEvents() writes RFC 4180 CSV with a header, quoting where needed", async () => {
  await using f = await ledgerFixture();
  const events = awkward();
  f.record(...events);
  const text = await new Response(f.ledger.exportEvents("csv", {})).text();
  const [header, ...rows] = parseCsv(text);
  assert.deepEqual(header, EVENT_COLUMNS);
  assert.equal(rows.length, 3);
  events.forEach((event, i) => {
    const stored = { ...event, lap_id: f.ledger.aggregator.currentLapId };
    assert.deepEqual(
      rows[i],
      EVENT_COLUMNS.map((column) => stored[column] === null ? "" : String(stored[column])),
    );
  });
  assert.ok(text.includes('"a,""b""\nc"'), "quotes doubled inside a quoted field");
  assert.equal(csvField("plain"), "plain");
  assert.equal(csvField(null), "");
  assert.equal(csvField(false), "false");
});

Deno.test("Ledger.exportEvents() writes a JSON array of the events, oldest first", async () => {
  await using f = await ledgerFixture();
  assert.equal(await new Response(f.ledger.exportEvents("json", {})).text(), "[]\n");
  const events = awkward().map((event) => ({ ...event, lap_id: "lap" }));
  f.record(...events);
  assert.deepEqual(
    JSON.parse(await new Response(f.ledger.exportEvents("json", {})).text()),
    events,
  );
  const ranged = f.ledger.exportEvents("json", { from: T + 1, to: T + 2 });
  assert.deepEqual(JSON.parse(await new Response(ranged).text()), [events[1]]);
  const empty = await new Response(f.ledger.exportEvents("csv", { from: T + 5 })).text();
  assert.equal(empty, `${EVENT_COLUMNS.join(",")}\r\n`);
});

Deno.test("Ledger.exportEvents() streams 200 000 events in bounded memory", async () => {
  await using f = await ledgerFixture();
  const db = f.ledger.db;
  const count = 200_000;
  const lap = f.ledger.aggregator.currentLapId;
  for (let start = 0; start < count; start += 20_000) {
    const items = Array.from({ length: 20_000 }, (_, i) => ({
      kind: "event" as const,
      event: eventAt(T - count + start + i, { lap_id: lap, path: `/v1/chat/completions/${i}` }),
    }));
    db.transaction(() => writeBatch(db, items));
  }
  for (const format of ["json", "csv"] as const) {
    const baseline = Deno.memoryUsage().heapUsed;
    const stream = f.ledger.exportEvents(format, {});
    const growth: number[] = [];
    let bytes = 0;
    let chunks = 0;
    let lines = 0;
    for await (const chunk of stream) {
      bytes += chunk.length;
      for (const byte of chunk) if (byte === 10) lines++;
      if (++chunks % 10 === 0) growth.push(Deno.memoryUsage().heapUsed - baseline);
    }
    assert.equal(lines, format === "csv" ? count + 1 : count + 2, format);
    // Garbage makes the heap a sawtooth whose peaks depend on when V8 collects; what an export
    // holding its rows would show is a floor that rises with every row read. The lowest point of
    // the second half stays near the start (under 30 MB in every run seen, whatever else the test
    // process holds), where 200 000 rows held as objects come to about 280 MB.
    const floor = Math.min(...growth.slice(growth.length / 2));
    assert.ok(floor < 64 * 1024 * 1024, `${format}: the heap's floor rose by ${floor} bytes`);
    assert.ok(bytes > 30 * 1024 * 1024, `${format}: ${bytes} bytes exported`);
  }
});

Deno.test("Ledger.exportEvents() stops reading when the client goes away", async () => {
  await using f = await ledgerFixture();
  f.record(...Array.from({ length: 1_500 }, (_, i) => eventAt(T + i)));
  const reader = f.ledger.exportEvents("csv", {}).getReader();
  assert.equal((await reader.read()).done, false);
  await reader.cancel();
  // The export's read connection is closed: the writer checkpoints and goes on unhindered.
  f.record(eventAt(T + 2_000));
  assert.equal(f.ledger.db.get("PRAGMA wal_checkpoint(TRUNCATE)")?.busy, 0);
});
