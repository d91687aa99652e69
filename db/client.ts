// Opens the SQLite database of a data directory and brings its schema up to date.
import Database from "better-sqlite3";
import { drizzle, type BetterSQLite3Database } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import path from "node:path";
import { dbPath, projectRoot } from "../lib/paths";
import * as schema from "./schema";

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

const migrationsFolder = path.join(projectRoot, "db", "migrations");

export function openDb(file = dbPath()): Db {
  const sqlite = new Database(file);
  // WAL lets the web app read while the worker writes; busy_timeout rides out short write locks
  // between processes (worker, CLI, web app) instead of failing.
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("busy_timeout = 10000");
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma("synchronous = NORMAL");
  const db = drizzle(sqlite, { schema }) as Db;
  migrate(db, { migrationsFolder });
  return db;
}

export { schema };
