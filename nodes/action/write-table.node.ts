import Database from "better-sqlite3";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { column, ConfigError, defineNode, type Column } from "../sdk";

const PLAIN_IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
const BOOKKEEPING = "_loopwright_writes";

/** SQLite column type for a DuckDB type: integers and booleans as INTEGER, floats/decimals as REAL. */
function sqliteType(duckType: string): "INTEGER" | "REAL" | "BLOB" | "TEXT" {
  const t = duckType.toUpperCase();
  if (/^(U?(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT)|BOOLEAN)$/.test(t)) return "INTEGER";
  if (/^(FLOAT|DOUBLE|REAL|DECIMAL(\(.*\))?|NUMERIC(\(.*\))?)$/.test(t)) return "REAL";
  if (t === "BLOB") return "BLOB";
  return "TEXT";
}

/**
 * The SELECT expression for a column: types SQLite has no value for (dates, times, lists, structs)
 * are formatted by DuckDB as text, and wide decimals become doubles, before they reach JavaScript.
 */
function selectExpr(col: Column, ident: (s: string) => string): string {
  const q = ident(col.name);
  const t = sqliteType(col.type);
  if (t === "REAL") return `CAST(${q} AS DOUBLE) AS ${q}`;
  if (t === "TEXT" && col.type.toUpperCase() !== "VARCHAR") return `CAST(${q} AS VARCHAR) AS ${q}`;
  return q;
}

function sqliteValue(v: unknown): string | number | bigint | Buffer | null {
  if (v === null || v === undefined) return null;
  if (typeof v === "boolean") return v ? 1 : 0;
  if (typeof v === "number" || typeof v === "string" || typeof v === "bigint") return v;
  if (v instanceof Date) return v.toISOString();
  if (v instanceof Uint8Array) return Buffer.from(v);
  return JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? x.toString() : x));
}

const q = (name: string) => `"${name.replace(/"/g, '""')}"`;

export default defineNode({
  type: "action.write-table",
  version: 1,
  kind: "action",
  label: "Write to table",
  description:
    "Upsert rows by key into a table of a SQLite database (a system of record). All rows are written in one transaction; a retry never writes twice.",
  inputs: { rows: "table" },
  outputs: {},
  config: z.object({
    database: z.string().min(1).describe("Path of the SQLite database file (created if missing). Relative paths start at the project directory."),
    table: z.string().regex(PLAIN_IDENT).describe("Table name: letters, digits and _, not starting with a digit. Created if missing."),
    keys: z.array(column(z.string())).min(1).describe("Key columns: a row with the same key values is updated, otherwise inserted."),
    columns: z.array(column(z.string())).optional().describe("Columns to write (key columns are always written). Empty: all columns."),
  }),
  async run({ config, inputs, ctx }) {
    const input = inputs.rows;
    const byName = new Map(input.columns.map((c) => [c.name, c]));
    for (const key of config.keys) {
      if (!byName.has(key)) throw new ConfigError(`Write to table: no column "${key}" in the input`, { field: "keys" });
    }
    const wanted = new Set([...config.keys, ...(config.columns?.length ? config.columns : input.columns.map((c) => c.name))]);
    for (const name of wanted) {
      if (!byName.has(name)) throw new ConfigError(`Write to table: no column "${name}" in the input`, { field: "columns" });
    }
    const cols = input.columns.filter((c) => wanted.has(c.name)); // input order
    const table = config.table;

    const file = ctx.resolvePath(config.database);
    mkdirSync(path.dirname(file), { recursive: true });
    const db = new Database(file);
    try {
      // Another process may hold the system of record's write lock for a moment.
      db.pragma("busy_timeout = 10000");
      db.exec(`CREATE TABLE IF NOT EXISTS ${BOOKKEEPING} (
        idempotency_key TEXT PRIMARY KEY, table_name TEXT NOT NULL, rows INTEGER NOT NULL, written_at TEXT NOT NULL)`);

      // IMMEDIATE takes the write lock now, so two attempts cannot both pass the check below.
      db.exec("BEGIN IMMEDIATE");
      const done = db.prepare(`SELECT rows FROM ${BOOKKEEPING} WHERE idempotency_key = ?`).get(ctx.idempotencyKey) as { rows: number } | undefined;
      if (done) {
        db.exec("ROLLBACK");
        ctx.log.info("already written by an earlier attempt; skipping", { table, rows: done.rows });
        return { outputs: {}, metrics: { table, rowsWritten: 0, skipped: true } };
      }

      const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(table) !== undefined;
      if (exists) {
        const have = new Set((db.prepare(`PRAGMA table_info(${q(table)})`).all() as { name: string }[]).map((r) => r.name));
        const missing = cols.map((c) => c.name).filter((n) => !have.has(n));
        if (missing.length) {
          throw new ConfigError(`Write to table: table "${table}" has no column${missing.length > 1 ? "s" : ""} ${missing.map((n) => `"${n}"`).join(", ")}`, {
            field: "columns",
          });
        }
      } else {
        const defs = cols.map((c) => `${q(c.name)} ${sqliteType(c.type)}`);
        db.exec(`CREATE TABLE ${q(table)} (${defs.join(", ")}, PRIMARY KEY (${config.keys.map(q).join(", ")}))`);
      }

      const names = cols.map((c) => q(c.name));
      const updates = cols.filter((c) => !config.keys.includes(c.name)).map((c) => `${q(c.name)} = excluded.${q(c.name)}`);
      let upsert: Database.Statement;
      try {
        upsert = db.prepare(
          `INSERT INTO ${q(table)} (${names.join(", ")}) VALUES (${names.map(() => "?").join(", ")})
           ON CONFLICT (${config.keys.map(q).join(", ")}) DO ${updates.length ? `UPDATE SET ${updates.join(", ")}` : "NOTHING"}`,
        );
      } catch (err) {
        if (/ON CONFLICT clause does not match/.test(String(err))) {
          throw new ConfigError(`Write to table: table "${table}" has no primary key or unique index on (${config.keys.join(", ")})`, { field: "keys", cause: err });
        }
        throw err;
      }

      const count = db.prepare(`SELECT count(*) AS n FROM ${q(table)}`).pluck();
      const before = count.get() as number;
      const { ident } = ctx.datasets;
      const sql = `SELECT ${cols.map((c) => selectExpr(c, ident)).join(", ")} FROM ${ctx.datasets.from(input)}`;
      let written = 0;
      for await (const batch of ctx.datasets.batches<Record<string, unknown>>(sql, 5_000)) {
        ctx.signal.throwIfAborted();
        for (const row of batch) upsert.run(cols.map((c) => sqliteValue(row[c.name])));
        written += batch.length;
        ctx.progress(input.rows ? written / input.rows : null, `${written} rows written`);
      }
      const inserted = (count.get() as number) - before;

      db.prepare(`INSERT INTO ${BOOKKEEPING} (idempotency_key, table_name, rows, written_at) VALUES (?, ?, ?, ?)`).run(
        ctx.idempotencyKey,
        table,
        written,
        new Date().toISOString(),
      );
      db.exec("COMMIT");
      return { outputs: {}, metrics: { table, rowsWritten: written, inserted, updated: written - inserted, skipped: false } };
    } finally {
      // Any failure before COMMIT (including a crash mid-write) leaves the table as it was.
      if (db.inTransaction) db.exec("ROLLBACK");
      db.close();
    }
  },
});
