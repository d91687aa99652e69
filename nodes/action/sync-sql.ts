// action.sync into a table of a PostgreSQL or SQLite connection.
//
// PostgreSQL: one statement per batch, every column sent as a text array and unnested on the
// server (`unnest($1::text[], ...)`, cast to the table's own column types), so a batch of any size
// takes one parameter per column; each statement commits by itself. A statement refused because
// of a row's data (SQLSTATE class 22 or 23: a NOT NULL, CHECK, foreign-key or unique violation, a
// value of the wrong type) is a RowsRefused, which the sync answers by halving the batch.
// SQLite: one transaction per batch, a prepared statement per row; a row the table refuses is
// reported on its own and the rest of the batch commits.
// The drivers reach the users' own databases named by their connections (as write-table and the SQL
// source do), never the control plane (eslint.config.js lists this file among them).
import Database from "better-sqlite3";
import { mkdirSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { postgresType, sqliteType, sqliteValue } from "./sql-types";
import { ConfigError, TransientError, type NodeContext, type PostgresConnection, type SqliteConnection } from "../sdk";
import { RowsRefused, type BatchOutcome, type Destination, type SyncRemoval } from "./sync-core";

const q = (name: string) => `"${name.replace(/"/g, '""')}"`;

export interface TableTarget {
  table: string;
  /** Destination column for each sent column, in order. */
  fields: string[];
  /** Destination key columns (a subset of fields), in order. */
  keyFields: string[];
}

const ALREADY_THERE = "a record with this key is already in the table (insert mode never changes one)";
const NOT_THERE = "no record with this key in the table (update mode never adds one)";

function missingFields(table: string, fields: string[], have: Set<string>): void {
  const missing = fields.filter((f) => !have.has(f));
  if (missing.length) {
    throw new ConfigError(`Sync: table "${table}" has no column${missing.length > 1 ? "s" : ""} ${missing.map((n) => `"${n}"`).join(", ")}`, { field: "mapping" });
  }
}

function noUniqueKey(table: string, keyFields: string[], cause?: unknown): ConfigError {
  return new ConfigError(`Sync: table "${table}" has no primary key or unique index on (${keyFields.join(", ")}), which inserts and upserts match records by`, { field: "keys", cause });
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL

/** Rows per statement: the arrays travel as one parameter per column, so only memory limits it. */
const PG_MAX_BATCH = 10_000;

export function postgresDestination(target: PostgresConnection, t: TableTarget, ctx: NodeContext): Destination {
  const { table, fields, keyFields } = t;
  const password = target.password;
  const scrub = (text: string) => (password ? text.split(password).join("***") : text);
  const where = `PostgreSQL at ${target.host}${target.port !== 5432 ? `:${target.port}` : ""}/${target.database} (connection "${target.name}")`;
  const timeoutMs = target.statementTimeout();
  let client: pg.Client | undefined;
  let calls = 0;
  /** The table's column types, by name (format_type: valid SQL, quoted where needed). */
  let types = new Map<string, string>();

  const fail = (err: unknown): Error => {
    if (ctx.signal.aborted) return (ctx.signal.reason as Error) ?? err;
    if (err instanceof RowsRefused || err instanceof ConfigError) return err;
    const e = err as { code?: string; message?: string };
    const message = scrub(String(e?.message ?? err));
    if (e.code === "42P10") return noUniqueKey(table, keyFields);
    if (e.code && /^(22|23)/.test(e.code)) return new RowsRefused(message);
    if (e.code === "57014") return new TransientError(`${where}: a statement took longer than the connection's statement timeout (${timeoutMs / 1000} s) and was cancelled`);
    if (!e.code || /^(08|28|53|57P|40)/.test(e.code) || /^E[A-Z]+$/.test(e.code)) return new TransientError(`${where}: ${message}`);
    return new ConfigError(`Sync: ${where}: ${message}`, { field: "table" });
  };
  const run = async (text: string, values?: unknown[]) => {
    try {
      return await client!.query(text, values);
    } catch (err) {
      throw fail(err);
    }
  };
  const stop = () => void client?.end().catch(() => {});

  /** `src`: the batch's rows, cast to the table's types, as columns c0, c1, ... and their position n. */
  const source = (names: string[]) => {
    const cols = names.map((_, i) => `c${i}`);
    const casts = names.map((f, i) => `u.c${i}::${types.get(f) ?? "text"} AS c${i}`);
    return `SELECT u.n, ${casts.join(", ")} FROM unnest(${names.map((_, i) => `$${i + 1}::text[]`).join(", ")}) WITH ORDINALITY AS u(${cols.join(", ")}, n)`;
  };
  const text = (v: unknown) => (v === null || v === undefined ? null : String(v));
  const keyMatch = (alias: string) => keyFields.map((k) => `${alias}.${q(k)} = src.c${fields.indexOf(k)}`).join(" AND ");

  return {
    label: `PostgreSQL table "${table}" (connection "${target.name}")`,
    defaultBatch: 5_000,
    maxBatch: PG_MAX_BATCH,
    // Every value as PostgreSQL's text input (timestamps with their offset); the server parses it as the column's type.
    select(col, c) {
      if (col.type.toUpperCase() === "BLOB") return `'\\x' || hex(${c})`;
      return `CAST(${c} AS VARCHAR)`;
    },
    async open(op, cols) {
      client = new pg.Client({
        host: target.host,
        port: target.port,
        database: target.database,
        user: target.user,
        password: password ?? undefined,
        ssl: target.ssl ? { rejectUnauthorized: true, servername: target.host } : false,
        connectionTimeoutMillis: 15_000,
        statement_timeout: timeoutMs,
        application_name: "loopwright-sync",
      });
      client.on("error", () => {}); // a dropped socket must not crash the worker
      ctx.signal.addEventListener("abort", stop, { once: true });
      await client.connect().catch((err: unknown) => {
        throw fail(err);
      });
      // One sync per table at a time: a second one waits here, then sees the state the first saved.
      await run("SELECT pg_advisory_lock(hashtextextended($1, 0))", [`loopwright-sync:${table}`]);
      const columnsOf = () =>
        run(
          `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type FROM pg_attribute a
           WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped`,
          [q(table)],
        );
      let existing = await columnsOf();
      if (!existing.rows.length) {
        if (op === "update") throw new ConfigError(`Sync: there is no table "${table}" to update (update mode never creates one)`, { field: "table" });
        const defs = fields.map((f, i) => `${q(f)} ${postgresType(cols[i]!.type)}`);
        await run(`CREATE TABLE IF NOT EXISTS ${q(table)} (${defs.join(", ")}, PRIMARY KEY (${keyFields.map(q).join(", ")}))`);
        existing = await columnsOf();
      }
      types = new Map(existing.rows.map((r: { name: string; type: string }) => [r.name, r.type]));
      missingFields(table, fields, new Set(types.keys()));
    },
    async write(op, rows) {
      calls++;
      const arrays = fields.map((_, i) => rows.map((r) => text(r.values[i])));
      const names = fields.map(q).join(", ");
      const srcCols = fields.map((_, i) => `c${i}`).join(", ");
      const rest = fields.filter((f) => !keyFields.includes(f));
      if (op === "upsert") {
        const set = rest.length ? `UPDATE SET ${rest.map((f) => `${q(f)} = EXCLUDED.${q(f)}`).join(", ")}` : "NOTHING";
        // ORDER BY n: rows go in in dataset order, so two syncs lock rows in the same order.
        await run(`WITH src AS (${source(fields)}) INSERT INTO ${q(table)} (${names}) SELECT ${srcCols} FROM src ORDER BY n ON CONFLICT (${keyFields.map(q).join(", ")}) DO ${set}`, arrays);
        return {};
      }
      let done;
      if (op === "insert") {
        done = await run(
          `WITH src AS (${source(fields)}),
           done AS (INSERT INTO ${q(table)} (${names}) SELECT ${srcCols} FROM src ORDER BY n ON CONFLICT (${keyFields.map(q).join(", ")}) DO NOTHING RETURNING ${keyFields.map(q).join(", ")})
           SELECT src.n FROM src JOIN done ON ${keyMatch("done")}`,
          arrays,
        );
      } else {
        const set = (rest.length ? rest : keyFields).map((f) => `${q(f)} = src.c${fields.indexOf(f)}`).join(", ");
        done = await run(`WITH src AS (${source(fields)}) UPDATE ${q(table)} AS d SET ${set} FROM src WHERE ${keyMatch("d")} RETURNING src.n`, arrays);
      }
      const landed = new Set(done.rows.map((r: { n: string | number }) => Number(r.n) - 1));
      const skipped = new Map<number, string>();
      rows.forEach((_, i) => {
        if (!landed.has(i)) skipped.set(i, op === "insert" ? ALREADY_THERE : NOT_THERE);
      });
      return { skipped };
    },
    async remove(records) {
      calls++;
      const arrays = keyFields.map((_, j) => records.map((r) => text(r.keyValues[j])));
      const casts = keyFields.map((k, j) => `u.c${j}::${types.get(k) ?? "text"} AS c${j}`).join(", ");
      const match = keyFields.map((k, j) => `d.${q(k)} = k.c${j}`).join(" AND ");
      await run(
        `DELETE FROM ${q(table)} AS d USING (SELECT ${casts} FROM unnest(${keyFields.map((_, j) => `$${j + 1}::text[]`).join(", ")}) AS u(${keyFields.map((_, j) => `c${j}`).join(", ")})) k WHERE ${match}`,
        arrays,
      );
      return {};
    },
    calls: () => calls,
    async close() {
      ctx.signal.removeEventListener("abort", stop);
      await client?.end().catch(() => {});
    },
  };
}

// ---------------------------------------------------------------------------------------------
// SQLite

/** A statement refused because of the row's data: a constraint, a type mismatch, a value too big. */
const ROW_ERROR = /^SQLITE_(CONSTRAINT|MISMATCH|TOOBIG|RANGE)/;

export function sqliteDestination(target: SqliteConnection, t: TableTarget): Destination {
  const { table, fields, keyFields } = t;
  let db: Database.Database | undefined;
  let calls = 0;
  let writeStmt: Database.Statement | undefined;
  let removeStmt: Database.Statement | undefined;
  const keyAt = keyFields.map((k) => fields.indexOf(k));
  /** Positions of the byte columns, which travel as base64. */
  let blobAt: number[] = [];

  /** Runs `each` per item in one transaction; a row error refuses only that row. */
  const batch = <T>(items: readonly T[], each: (item: T) => Database.RunResult, missed?: string): BatchOutcome => {
    const rejected = new Map<number, string>();
    const skipped = new Map<number, string>();
    const db_ = db!;
    try {
      db_.exec("BEGIN IMMEDIATE");
      items.forEach((item, i) => {
        calls++;
        try {
          const res = each(item);
          if (res.changes === 0 && missed) skipped.set(i, missed);
        } catch (err) {
          const code = (err as { code?: string }).code ?? "";
          if (!ROW_ERROR.test(code)) throw err;
          rejected.set(i, (err as Error).message);
        }
      });
      db_.exec("COMMIT");
    } catch (err) {
      // Another process held the write lock longer than busy_timeout: try again later.
      if (/^SQLITE_(BUSY|LOCKED)/.test((err as { code?: string }).code ?? "")) throw new TransientError(`Sync: the SQLite file of connection "${target.name}" is locked by another writer`, { cause: err });
      throw err;
    } finally {
      if (db_.inTransaction) db_.exec("ROLLBACK");
    }
    return { rejected, skipped };
  };

  return {
    label: `SQLite table "${table}" (connection "${target.name}")`,
    defaultBatch: 5_000,
    maxBatch: 10_000,
    select(col, c) {
      const type = col.type.toUpperCase();
      const st = sqliteType(col.type);
      // Bytes as base64 (decoded below); 64- and 128-bit integers as text, exact beyond JSON's safe
      // range (an INTEGER column takes them back as integers); NaN and infinities as NULL (SQLite
      // stores NaN as NULL anyway); wide decimals as doubles; types SQLite has no value for (dates,
      // times, lists) as text.
      if (st === "BLOB") return `to_base64(${c})`;
      if (/^(BIGINT|UBIGINT|HUGEINT|UHUGEINT)$/.test(type)) return `CAST(${c} AS VARCHAR)`;
      if (st === "REAL") return `CASE WHEN isfinite(CAST(${c} AS DOUBLE)) THEN CAST(${c} AS DOUBLE) END`;
      if (st === "TEXT" && type !== "VARCHAR") return `CAST(${c} AS VARCHAR)`;
      return c;
    },
    decode(values) {
      return blobAt.length ? values.map((v, i) => (blobAt.includes(i) && typeof v === "string" ? Buffer.from(v, "base64") : v)) : values;
    },
    async open(op, cols) {
      blobAt = cols.flatMap((col, i) => (sqliteType(col.type) === "BLOB" ? [i] : []));
      mkdirSync(path.dirname(target.file), { recursive: true });
      db = new Database(target.file);
      // Another process may hold the write lock for a moment.
      db.pragma("busy_timeout = 10000");
      const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(table) !== undefined;
      if (exists) {
        missingFields(table, fields, new Set((db.prepare(`PRAGMA table_info(${q(table)})`).all() as { name: string }[]).map((r) => r.name)));
      } else {
        if (op === "update") throw new ConfigError(`Sync: there is no table "${table}" to update (update mode never creates one)`, { field: "table" });
        db.exec(`CREATE TABLE ${q(table)} (${fields.map((f, i) => `${q(f)} ${sqliteType(cols[i]!.type)}`).join(", ")}, PRIMARY KEY (${keyFields.map(q).join(", ")}))`);
      }
      const names = fields.map(q);
      const rest = fields.filter((f) => !keyFields.includes(f));
      const conflict = `ON CONFLICT (${keyFields.map(q).join(", ")})`;
      const keyWhere = keyFields.map((k) => `${q(k)} = ?`).join(" AND ");
      try {
        if (op === "update") {
          writeStmt = db.prepare(`UPDATE ${q(table)} SET ${rest.map((f) => `${q(f)} = ?`).join(", ") || `${q(keyFields[0]!)} = ${q(keyFields[0]!)}`} WHERE ${keyWhere}`);
        } else {
          const set = op === "upsert" && rest.length ? `UPDATE SET ${rest.map((f) => `${q(f)} = excluded.${q(f)}`).join(", ")}` : "NOTHING";
          writeStmt = db.prepare(`INSERT INTO ${q(table)} (${names.join(", ")}) VALUES (${names.map(() => "?").join(", ")}) ${conflict} DO ${set}`);
        }
      } catch (err) {
        if (/ON CONFLICT clause does not match/.test(String(err))) throw noUniqueKey(table, keyFields, err);
        throw err;
      }
      removeStmt = db.prepare(`DELETE FROM ${q(table)} WHERE ${keyWhere}`);
    },
    async write(op, rows) {
      const rest = fields.map((f, i) => (keyFields.includes(f) ? -1 : i)).filter((i) => i >= 0);
      if (op === "update") {
        // SET the other columns (none: SET key = key, no parameter), then WHERE the keys.
        return batch(rows, (r) => writeStmt!.run(...rest.map((i) => sqliteValue(r.values[i])), ...keyAt.map((i) => sqliteValue(r.values[i]))), NOT_THERE);
      }
      // insert: DO NOTHING leaves a record that is there already; upsert changes it (always one change).
      return batch(rows, (r) => writeStmt!.run(...r.values.map(sqliteValue)), op === "insert" ? ALREADY_THERE : undefined);
    },
    async remove(records: readonly SyncRemoval[]) {
      // A record already gone counts as removed.
      return batch(records, (r) => removeStmt!.run(...r.keyValues.map(sqliteValue)));
    },
    calls: () => calls,
    async close() {
      if (db?.inTransaction) db.exec("ROLLBACK");
      db?.close();
    },
  };
}
