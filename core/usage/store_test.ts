import assert from "node:assert/strict";
import { ConfigError } from "../config.ts";
import { SCHEMA_VERSION, schemaVersion } from "./schema.ts";
import { Database, DB_FILE, LOCK_FILE, openStore, openStoreReader } from "./store.ts";

async function tempHome() {
  const home = await Deno.makeTempDir({ prefix: "lumen-store-test-" });
  return { home, [Symbol.asyncDispose]: () => Deno.remove(home, { recursive: true }) };
}

function tables(db: Database): string[] {
  return db.all("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
    .map((row) => String(row.name));
}

Deno.test("openStore() migrates a new database and re-opens it unchanged", async () => {
  await using dir = await tempHome();
  const first = openStore(dir.home);
  assert.equal(schemaVersion(first.db), SCHEMA_VERSION);
  assert.deepEqual(tables(first.db), [
    "daily_totals",
    "events",
    "laps",
    "plan_windows",
    "sync_queue",
  ]);
  assert.equal(first.db.get("PRAGMA journal_mode")?.journal_mode, "wal");
  // NORMAL: the writer fsyncs the log itself (syncToDisk), off the event loop.
  assert.equal(first.db.get("PRAGMA synchronous")?.synchronous, 1, "NORMAL");
  if (Deno.build.os !== "windows") {
    assert.equal((await Deno.stat(`${dir.home}/lumen.db-wal`)).mode! & 0o777, 0o600);
  }
  await first.db.syncToDisk();
  first.db.run("INSERT INTO laps (id, name, started_at) VALUES ('l1', 'Lap 1', 1)");
  first.close();
  const again = openStore(dir.home);
  try {
    assert.equal(schemaVersion(again.db), SCHEMA_VERSION);
    assert.equal(again.db.get("SELECT COUNT(*) AS n FROM laps")?.n, 1, "data kept");
  } finally {
    again.close();
  }
});

Deno.test("openStore() and openStoreReader() refuse a database from a newer Lumen", async () => {
  await using dir = await tempHome();
  openStore(dir.home).close();
  const raw = new Database(`${dir.home}/${DB_FILE}`);
  raw.exec(`PRAGMA user_version = ${SCHEMA_VERSION + 1}`);
  raw.close();
  for (const open of [() => openStore(dir.home).close(), () => openStoreReader(dir.home).close()]) {
    assert.throws(open, (error) => {
      assert.ok(error instanceof ConfigError);
      assert.match(
        error.message,
        new RegExp(
          `^Cannot use .*lumen\\.db: it was written by a newer Lumen \\(schema version ${
            SCHEMA_VERSION + 1
          }, this Lumen knows up to ${SCHEMA_VERSION}\\); upgrade Lumen$`,
        ),
      );
      return true;
    });
  }
  // Refused, not touched: the lock is free again and the version unchanged.
  const check = new Database(`${dir.home}/${DB_FILE}`);
  assert.equal(schemaVersion(check), SCHEMA_VERSION + 1);
  check.close();
});

Deno.test({
  name: "openStore() keeps lumen.db, its -wal and -shm and the lock file at mode 0600",
  ignore: Deno.build.os === "windows",
  async fn() {
    await using dir = await tempHome();
    // A wide existing file (an older tool, a copy) is tightened too.
    Deno.writeFileSync(`${dir.home}/${DB_FILE}`, new Uint8Array(), { mode: 0o644 });
    Deno.chmodSync(`${dir.home}/${DB_FILE}`, 0o644);
    const store = openStore(dir.home);
    try {
      store.db.transaction(() => {
        store.db.run("INSERT INTO laps (id, name, started_at) VALUES ('l1', 'Lap 1', 1)");
      });
      const files = [DB_FILE, `${DB_FILE}-wal`, `${DB_FILE}-shm`, LOCK_FILE];
      for (const name of files) {
        const mode = Deno.statSync(`${dir.home}/${name}`).mode! & 0o777;
        assert.equal(mode.toString(8), "600", name);
      }
    } finally {
      store.close();
    }
  },
});

Deno.test("openStore() refuses a home another store holds, with one clear line", async () => {
  await using dir = await tempHome();
  const first = openStore(dir.home);
  try {
    assert.throws(
      () => openStore(dir.home),
      new ConfigError(`Another Lumen is already running with LUMEN_HOME=${dir.home}`),
    );
  } finally {
    first.close();
  }
  openStore(dir.home).close(); // released on close
});

Deno.test("openStoreReader() reads while the writer runs, and refuses to write", async () => {
  await using dir = await tempHome();
  assert.throws(
    () => openStoreReader(dir.home),
    new ConfigError(`No Lumen history in ${dir.home} yet`),
  );
  const store = openStore(dir.home);
  try {
    store.db.transaction(() => {
      store.db.run("INSERT INTO laps (id, name, started_at) VALUES ('l1', 'Lap 1', 1)");
    });
    const reader = openStoreReader(dir.home);
    try {
      assert.equal(reader.get("SELECT COUNT(*) AS n FROM laps")?.n, 1);
      assert.throws(() => reader.run("DELETE FROM laps"), /readonly/);
      assert.equal(reader.get("PRAGMA integrity_check")?.integrity_check, "ok");
    } finally {
      reader.close();
    }
  } finally {
    store.close();
  }
});

Deno.test("openStoreReader() treats an empty lumen.db as no history", async () => {
  await using dir = await tempHome();
  Deno.writeFileSync(`${dir.home}/${DB_FILE}`, new Uint8Array());
  assert.throws(
    () => openStoreReader(dir.home),
    new ConfigError(`No Lumen history in ${dir.home} yet`),
  );
});

Deno.test("Database.transaction() rolls back when its function throws", async () => {
  await using dir = await tempHome();
  const store = openStore(dir.home);
  try {
    assert.throws(() =>
      store.db.transaction(() => {
        store.db.run("INSERT INTO laps (id, name, started_at) VALUES ('l1', 'Lap 1', 1)");
        throw new Error("half-way");
      }), /half-way/);
    assert.equal(store.db.get("SELECT COUNT(*) AS n FROM laps")?.n, 0);
  } finally {
    store.close();
  }
});
