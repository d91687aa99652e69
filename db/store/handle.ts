// The store handle: one control-plane database, SQLite (embedded default) or PostgreSQL
// (DATABASE_URL=postgres://...), opened and brought up to date by openStore. The functions in
// db/store/<group>.ts are written once against the async query API both dialects share (typed as
// drizzle's PostgreSQL database, which has no synchronous calls to misuse) and reach the tables
// through `s.t`, which holds the opened dialect's tables.
import Database from "better-sqlite3";
import { sql } from "drizzle-orm";
import { drizzle as drizzleSqlite } from "drizzle-orm/better-sqlite3";
import { migrate as migrateSqlite } from "drizzle-orm/better-sqlite3/migrator";
import { drizzle as drizzlePg, type NodePgDatabase } from "drizzle-orm/node-postgres";
import { migrate as migratePg } from "drizzle-orm/node-postgres/migrator";
import { AsyncLocalStorage } from "node:async_hooks";
import { chmodSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { dbPath, FILE_MODE, projectRoot } from "../../lib/paths";
import * as pgSchema from "../schema/pg";
import * as sqliteSchema from "../schema/sqlite";

export type Tables = typeof pgSchema;
/** What a store function queries through: inside `use`, the database; inside `tx`, the transaction. */
export type Q = NodePgDatabase<Tables>;

export interface Store {
  readonly dialect: "sqlite" | "postgres";
  /** The tables of this store's dialect. */
  readonly t: Tables;
  /** The SQLite file, or the PostgreSQL URL without its password. */
  readonly location: string;
  /** Run queries outside a transaction (each statement commits on its own). */
  use<T>(fn: (q: Q) => Promise<T>): Promise<T>;
  /**
   * Run queries in one transaction, committed when `fn` resolves and rolled back when it throws.
   * `locks` name what the transaction decides about (a flow id, a model name): transactions with
   * a lock in common run one after the other, in every process.
   */
  tx<T>(fn: (q: Q) => Promise<T>, locks?: readonly string[]): Promise<T>;
  close(): Promise<void>;
  /** The drizzle database itself, for the auth library's adapter only (db/store/auth-adapter.ts). */
  readonly db: unknown;
}

const MIGRATIONS = path.join(projectRoot, "db", "migrations");

/** The URL a store would open from the environment, or undefined for the embedded SQLite file. */
export function databaseUrl(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const url = env.DATABASE_URL?.trim();
  if (!url) return undefined;
  if (!/^postgres(ql)?:\/\//.test(url)) {
    throw new Error(`DATABASE_URL must be a postgres:// or postgresql:// URL (it is "${redact(url)}"); leave it unset to use the embedded SQLite database`);
  }
  return url;
}

export function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, "//$1:***@");
}

/**
 * The control-plane store: PostgreSQL when `url` (or DATABASE_URL) is given, else the SQLite file
 * (default: the data directory's loopwright.sqlite). Pending migrations are applied first.
 */
export async function openStore(opts: { url?: string; sqliteFile?: string } = {}): Promise<Store> {
  const url = opts.url ?? (opts.sqliteFile ? undefined : databaseUrl());
  return url ? openPostgres(url) : openSqliteStore(opts.sqliteFile ?? dbPath());
}

/** Runs one async function at a time, in call order. */
function serial(): <T>(fn: () => Promise<T>) => Promise<T> {
  let last: Promise<unknown> = Promise.resolve();
  return <T>(fn: () => Promise<T>): Promise<T> => {
    const run = last.then(fn, fn);
    last = run.catch(() => undefined);
    return run;
  };
}

const sqliteTurns = new Map<string, ReturnType<typeof serial>>();
/** Set while a call holds its file's turn, so a store call made inside it runs in that turn instead of waiting for it. */
const inTurn = new AsyncLocalStorage<string>();

/** The SQLite store, opened synchronously (for tests and tools that cannot wait). */
export function openSqliteStore(file: string): Store {
  const sqlite = new Database(file);
  // The control database holds every flow, run and record: the app's user only. Narrowed before
  // WAL mode is set, so the -wal and -shm files SQLite creates next take the same mode.
  privateFile(file);
  // WAL lets the web app read while a worker writes; busy_timeout rides out short write locks
  // between processes on this machine instead of failing.
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("busy_timeout = 10000");
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma("synchronous = NORMAL");
  reuseStatements(sqlite);
  const db = drizzleSqlite(sqlite, { schema: sqliteSchema });
  migrateSqlite(db, { migrationsFolder: path.join(MIGRATIONS, "sqlite") });
  // One connection, driven synchronously: between the awaits of one caller's transaction another
  // caller's statement would land inside it. So every use and transaction takes its turn; better-
  // sqlite3 runs one statement at a time anyway, so nothing runs less in parallel than before.
  // Turns are per file, not per handle: a second handle on the same file in this process would
  // otherwise wait (blocking the event loop) for a lock the first can never release.
  const key = path.resolve(file);
  const serialTurn = (sqliteTurns.get(key) ?? sqliteTurns.set(key, serial()).get(key))!;
  const turn = <T>(fn: () => Promise<T>): Promise<T> => (inTurn.getStore() === key ? fn() : serialTurn(() => inTurn.run(key, fn)));
  const q = db as unknown as Q;
  return {
    dialect: "sqlite",
    t: sqliteSchema as unknown as Tables,
    location: file,
    use: (fn) => turn(() => fn(q)),
    tx: (fn) =>
      turn(async () => {
        sqlite.exec("BEGIN IMMEDIATE");
        try {
          const result = await fn(q);
          sqlite.exec("COMMIT");
          return result;
        } catch (err) {
          if (sqlite.inTransaction) sqlite.exec("ROLLBACK");
          throw err;
        }
      }),
    close: async () => {
      await turn(async () => sqlite.close());
    },
    db,
  };
}

/** Prepared statements kept per connection, by their SQL: the most recently used ones. */
const STATEMENTS = 256;

/**
 * drizzle prepares every query it runs afresh, and preparing cost as much as running the short
 * statements a worker repeats thousands of times (a ledger row, an inbox read). The connection's
 * prepare keeps the statements it made and hands them out again: one that is in use (an open
 * iterator) is never handed out twice, and one that returns rows is put back to returning objects
 * (drizzle switches statements to arrays with raw() where it maps the columns itself).
 */
function reuseStatements(sqlite: Database.Database): void {
  const prepare = sqlite.prepare.bind(sqlite);
  const kept = new Map<string, Database.Statement>();
  sqlite.prepare = ((source: string) => {
    const st = kept.get(source);
    if (st && !st.busy) {
      kept.delete(source);
      kept.set(source, st);
      if (st.reader) st.raw(false);
      return st;
    }
    const fresh = prepare(source);
    kept.set(source, fresh);
    if (kept.size > STATEMENTS) kept.delete(kept.keys().next().value!);
    return fresh;
  }) as typeof sqlite.prepare;
}

/** chmod 0600 the SQLite file and its WAL files if they are there (not an in-memory database). */
function privateFile(file: string): void {
  if (!file || file === ":memory:" || file.startsWith("file:")) return;
  for (const f of [file, `${file}-wal`, `${file}-shm`]) {
    try {
      chmodSync(f, FILE_MODE);
    } catch (err) {
      // Missing (no WAL yet), or not ours to change (a file another user owns and lets us write).
      if (!["ENOENT", "EPERM"].includes((err as NodeJS.ErrnoException).code ?? "")) throw err;
    }
  }
}

/** Any number for pg_advisory_lock, as long as every process uses the same one for migrations. */
const MIGRATION_LOCK = 7_301_774;

async function openPostgres(url: string): Promise<Store> {
  const pool = new pg.Pool({ connectionString: url, max: Number(process.env.LOOPWRIGHT_DB_POOL || 10) });
  // An idle client that loses its server must not take the process down. (Once the pool is
  // closing, its clients' connections may still be going away: nothing to report then.)
  pool.on("error", (err) => {
    if (!pool.ending) console.error(`[store] PostgreSQL connection error: ${err.message}`);
  });
  try {
    const client = await pool.connect();
    try {
      // Several processes start at once (web app, workers): one applies the migrations, the others wait.
      await client.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK]);
      try {
        await migratePg(drizzlePg(client), { migrationsFolder: path.join(MIGRATIONS, "pg") });
      } finally {
        await client.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK]);
      }
    } finally {
      client.release();
    }
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw new Error(`Cannot open the PostgreSQL store at ${redact(url)}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  const db = drizzlePg(pool, { schema: pgSchema });
  return {
    dialect: "postgres",
    t: pgSchema,
    location: redact(url),
    use: (fn) => fn(db),
    tx: (fn, locks = []) =>
      db.transaction(async (tx) => {
        // Sorted, so two transactions never wait for each other's second lock.
        for (const key of [...new Set(locks)].sort()) await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtextextended(${key}, 0))`);
        return fn(tx as unknown as Q);
      }),
    close: () => pool.end(),
    db,
  };
}
