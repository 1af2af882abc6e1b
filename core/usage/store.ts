// LUMEN_HOME/lumen.db: the only importer of SQLite. Opens the database (0600, WAL, migrated, with
// the log's fsync taken off the event loop), holds the one-daemon-per-home lock, opens read-only
// readers (CLI, exports), and gives the other usage/ files a small typed wrapper to run their SQL
// through.
import { DatabaseSync, type SQLInputValue, type StatementSync } from "node:sqlite";
import { ConfigError, messageOf } from "../config.ts";
import { migrate, refuseNewer, SCHEMA_VERSION, schemaVersion } from "./schema.ts";

/** A value bound to or read from SQL. */
export type SqlValue = SQLInputValue;
/** One result row, by column name. */
export type SqlRow = Record<string, SqlValue>;

/** File name of the database inside LUMEN_HOME. */
export const DB_FILE = "lumen.db";
/** File name of the lock database inside LUMEN_HOME. */
export const LOCK_FILE = "lumen.lock";

const STATEMENT_CACHE_SIZE = 64;

/** A node:sqlite connection with cached prepared statements and explicit transactions. */
export class Database {
  /** Path of the database file. */
  readonly path: string;
  #db: DatabaseSync;
  #statements = new Map<string, StatementSync>();
  #wal: Deno.FsFile | null = null;

  /** Opens `path`; `timeoutMs` is how long a statement waits for another connection's lock. */
  constructor(path: string, options: { readOnly?: boolean; timeoutMs?: number } = {}) {
    this.path = path;
    this.#db = new DatabaseSync(path, {
      readOnly: options.readOnly ?? false,
      timeout: options.timeoutMs ?? 0,
    });
  }

  /** The first row of `sql`, or undefined. */
  get(sql: string, ...params: SqlValue[]): SqlRow | undefined {
    return this.#prepare(sql).get(...params) as SqlRow | undefined;
  }

  /** Every row of `sql`. */
  all(sql: string, ...params: SqlValue[]): SqlRow[] {
    return this.#prepare(sql).all(...params) as SqlRow[];
  }

  /** Rows of `sql` one at a time (constant memory), on a statement of their own. */
  iterate(sql: string, ...params: SqlValue[]): IterableIterator<SqlRow> {
    return this.#db.prepare(sql).iterate(...params) as IterableIterator<SqlRow>;
  }

  /** Runs one statement and returns how many rows it changed. */
  run(sql: string, ...params: SqlValue[]): number {
    return Number(this.#prepare(sql).run(...params).changes);
  }

  /** Runs SQL text that may hold several statements and takes no parameters. */
  exec(sql: string): void {
    this.#db.exec(sql);
  }

  /**
   * Runs `fn` in one `BEGIN IMMEDIATE` transaction (the write lock taken up front, so it never
   * fails half-way for lack of it), committed when `fn` returns and rolled back when it throws.
   */
  transaction<T>(fn: () => T): T {
    if (this.#db.isTransaction) throw new TypeError("Transactions do not nest");
    this.#db.exec("BEGIN IMMEDIATE");
    try {
      const result = fn();
      this.#db.exec("COMMIT");
      return result;
    } catch (error) {
      // A failed COMMIT (disk full, I/O error) may leave the transaction open: end it, and report
      // the first error, which says why.
      if (this.#db.isTransaction) {
        try {
          this.#db.exec("ROLLBACK");
        } catch {
          // SQLite already rolled back; nothing more to undo.
        }
      }
      throw error;
    }
  }

  /**
   * From now on commits leave out SQLite's fsync of the write-ahead log (synchronous=NORMAL), and
   * syncToDisk() does it instead. For the daemon's writer, in WAL mode: a commit's fsync takes
   * about 1.7 ms on this project's disk and far more on some laptops, and on the event loop it
   * would hold up every stream in flight.
   */
  deferSync(): void {
    this.#db.exec("PRAGMA synchronous = NORMAL");
    // SQLite keeps the log's file (it truncates it, never replaces it) while this connection is
    // open; write access because Windows flushes only handles that can write.
    this.#wal = Deno.openSync(`${this.path}-wal`, {
      read: true,
      write: true,
      create: true,
      mode: 0o600,
    });
  }

  /**
   * Resolves once every commit made before the call is on disk, as synchronous=FULL would have
   * made it before COMMIT returned; the fsync runs on Deno's I/O threads.
   */
  syncToDisk(): Promise<void> {
    return this.#wal ? this.#wal.syncData() : Promise.resolve();
  }

  /** The same, blocking: for what must not return before it (a lap's close, shutdown). */
  syncToDiskNow(): void {
    this.#wal?.syncDataSync();
  }

  /** Closes the connection; an open transaction is rolled back. */
  close(): void {
    this.#wal?.close();
    this.#wal = null;
    this.#statements.clear();
    if (this.#db.isOpen) this.#db.close();
  }

  #prepare(sql: string): StatementSync {
    let statement = this.#statements.get(sql);
    if (!statement) {
      if (this.#statements.size >= STATEMENT_CACHE_SIZE) this.#statements.clear();
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }
}

/** The writable store of a running daemon. */
export interface OpenStore {
  db: Database;
  /** Flushes nothing (callers flush first): closes the database and releases the home lock. */
  close(): void;
}

/**
 * Locks `home` for this process, then opens (creating it 0600) and migrates its lumen.db for
 * writing. Throws ConfigError when another Lumen holds the home, when the database was written by
 * a newer Lumen, or when it cannot be opened at all.
 */
export function openStore(home: string): OpenStore {
  const lock = lockHome(home);
  const path = `${home}/${DB_FILE}`;
  try {
    createPrivateFile(path);
    // Readers never block a WAL writer; the wait only covers a rare recovery or an outside tool
    // holding the write lock, and it blocks the event loop, so it is short.
    const db = new Database(path, { timeoutMs: 100 });
    try {
      // WAL: readers (the CLI, exports) never block the writer or each other. Migrations commit
      // under synchronous=FULL; after them the writer fsyncs the WAL itself before it shows an
      // event (deferSync), so a shown event survives a power cut, not only a crash. The size
      // limit trims the WAL after checkpoints that followed a large burst. A 4 MB page cache:
      // 16 MB grew a daemon under steady traffic by 12 MB more and made no store figure better
      // (scripts/bench_store.ts: ingestion and 30-day history over 1M events the same).
      db.exec("PRAGMA journal_mode = WAL");
      db.exec("PRAGMA synchronous = FULL");
      db.exec("PRAGMA journal_size_limit = 67108864");
      db.exec("PRAGMA cache_size = -4000");
      migrate(db, path);
      db.deferSync();
    } catch (error) {
      db.close();
      throw error;
    }
    // SQLite creates -wal and -shm with the database file's mode; tighten them should an older
    // file or another tool have left them wider.
    for (const suffix of ["-wal", "-shm"]) tightenMode(`${path}${suffix}`);
    return {
      db,
      close() {
        db.close();
        lock.release();
      },
    };
  } catch (error) {
    lock.release();
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(`Cannot open ${path}: ${messageOf(error)}`);
  }
}

/**
 * Opens `home`'s lumen.db read-only, whether or not a daemon runs (WAL readers never block it).
 * Throws ConfigError "No Lumen history in <home> yet" when there is none, and ConfigError for a
 * database this Lumen cannot read.
 */
export function openStoreReader(home: string): Database {
  const path = `${home}/${DB_FILE}`;
  try {
    Deno.statSync(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new ConfigError(`No Lumen history in ${home} yet`);
    }
    throw new ConfigError(`Cannot read ${path}: ${messageOf(error)}`);
  }
  let db: Database | undefined;
  try {
    db = new Database(path, { readOnly: true, timeoutMs: 5_000 });
    refuseNewer(db, path);
    const version = schemaVersion(db);
    if (version === 0) throw new ConfigError(`No Lumen history in ${home} yet`);
    if (version < SCHEMA_VERSION) {
      throw new ConfigError(
        `Cannot read ${path}: it was written by an older Lumen; start the daemon once to upgrade it`,
      );
    }
    return db;
  } catch (error) {
    db?.close();
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(`Cannot read ${path}: ${messageOf(error)}`);
  }
}

/** Held for the daemon's lifetime; the OS drops it when the process dies, even by SIGKILL. */
interface HomeLock {
  release(): void;
}

/**
 * Takes the exclusive lock on LUMEN_HOME/lumen.lock, a small database of its own: an open
 * `BEGIN EXCLUSIVE` holds an fcntl (POSIX) lock, LockFileEx on Windows, that no other connection
 * in any process can get, and that the kernel releases when the process exits however it exits.
 * lumen.db itself is never locked this way, so read-only readers keep working.
 */
function lockHome(home: string): HomeLock {
  const path = `${home}/${LOCK_FILE}`;
  let db: DatabaseSync | undefined;
  try {
    createPrivateFile(path);
    db = new DatabaseSync(path, { timeout: 0 });
    // No journal: the lock database is never written, so there is nothing to roll back.
    db.exec("PRAGMA journal_mode = OFF");
    db.exec("BEGIN EXCLUSIVE");
  } catch (error) {
    if (db?.isOpen) db.close();
    if (/locked|busy/i.test(messageOf(error))) {
      throw new ConfigError(`Another Lumen is already running with LUMEN_HOME=${home}`);
    }
    throw new ConfigError(`Cannot lock ${path}: ${messageOf(error)}`);
  }
  const held = db;
  return {
    release() {
      if (held.isOpen) held.close();
    },
  };
}

/**
 * Creates `path` empty with mode 0600 unless it exists, so SQLite (which gives -wal/-shm the
 * database's mode) never creates it under the umask; an existing file is only tightened.
 */
function createPrivateFile(path: string): void {
  try {
    Deno.openSync(path, { createNew: true, write: true, mode: 0o600 }).close();
  } catch (error) {
    if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
  }
  tightenMode(path);
}

/** Drops group and other permission bits from `path`, if it exists (POSIX only). */
function tightenMode(path: string): void {
  if (Deno.build.os === "windows") return;
  let mode: number;
  try {
    mode = Deno.statSync(path).mode! & 0o777;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return;
    throw error;
  }
  // Only ever removes bits: a file the user made read-only stays read-only.
  if (mode & 0o077) Deno.chmodSync(path, mode & 0o700);
}
