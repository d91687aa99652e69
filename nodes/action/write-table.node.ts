import Database from "better-sqlite3";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import pg from "pg";
import { postgresType, sqliteType, sqliteValue } from "./sql-types";
import { column, ConfigError, connectionField, defineNode, TransientError, type Column, type DatasetRef, type NodeContext, type PostgresConnection } from "../sdk";

const PLAIN_IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
const BOOKKEEPING = "_loopwright_writes";

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

const q = (name: string) => `"${name.replace(/"/g, '""')}"`;
const EXPORT_FILE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

const config = z
  .object({
    connection: connectionField(z.string().trim().min(1).optional(), ["sqlite", "postgres"]).describe(
      "The database to write into: a SQLite or PostgreSQL connection kept by an admin. Empty: a SQLite file in the exports folder (see file).",
    ),
    file: z
      .string()
      .trim()
      .regex(EXPORT_FILE, "a plain file name (letters, digits, . _ -), e.g. crm.sqlite")
      .refine((f) => !f.includes(".."), "a plain file name, not a path")
      .optional()
      .describe("Without a connection: a SQLite file in the data directory's exports folder, e.g. crm.sqlite (created if missing). Never a path."),
    table: z.string().regex(PLAIN_IDENT).describe("Table name: letters, digits and _, not starting with a digit. Created if missing."),
    keys: z.array(column(z.string())).min(1).describe("Key columns: a row with the same key values is updated, otherwise inserted."),
    columns: z.array(column(z.string())).optional().describe("Columns to write (key columns are always written). Empty: all columns."),
  })
  .superRefine((c, issue) => {
    if (!c.connection && !c.file) issue.addIssue({ code: "custom", path: ["connection"], message: "choose a connection, or give a file name for the exports folder" });
    if (c.connection && c.file) issue.addIssue({ code: "custom", path: ["file"], message: "give either a connection or a file, not both" });
  });

/** What one write needs, whichever the database. */
interface WriteJob {
  table: string;
  keys: string[];
  cols: Column[];
  input: DatasetRef;
  ctx: NodeContext;
}

interface WriteMetrics {
  table: string;
  rowsWritten: number;
  inserted?: number;
  updated?: number;
  skipped: boolean;
}

export default defineNode({
  type: "action.write-table",
  version: 2,
  kind: "action",
  label: "Write to table",
  description:
    "Write rows into a table of your own database (a system of record) by key: a row whose key is already there is updated, the others are added (an upsert). " +
    "The database is a SQLite or PostgreSQL connection, or a SQLite file in the exports folder. All rows are written together or not at all; a retry never writes twice.",
  inputs: { rows: "table" },
  outputs: {},
  config,
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
    const job: WriteJob = { table: config.table, keys: config.keys, cols: input.columns.filter((c) => wanted.has(c.name)), input, ctx };
    if (!config.connection) return { outputs: {}, metrics: { ...(await writeSqlite(ctx.exportFile(config.file!, { field: "file" }), job)) } };
    const target = await ctx.connection(config.connection, ["sqlite", "postgres"]);
    const metrics = target.kind === "sqlite" ? await writeSqlite(target.file, job) : await writePostgres(target, job);
    return { outputs: {}, metrics: { ...metrics } };
  },
});

async function writeSqlite(file: string, { table, keys, cols, input, ctx }: WriteJob): Promise<WriteMetrics> {
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
      return { table, rowsWritten: 0, skipped: true };
    }

    const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(table) !== undefined;
    if (exists) {
      const have = new Set((db.prepare(`PRAGMA table_info(${q(table)})`).all() as { name: string }[]).map((r) => r.name));
      missingColumns(table, cols, have);
    } else {
      const defs = cols.map((c) => `${q(c.name)} ${sqliteType(c.type)}`);
      db.exec(`CREATE TABLE ${q(table)} (${defs.join(", ")}, PRIMARY KEY (${keys.map(q).join(", ")}))`);
    }

    const names = cols.map((c) => q(c.name));
    const updates = cols.filter((c) => !keys.includes(c.name)).map((c) => `${q(c.name)} = excluded.${q(c.name)}`);
    let upsert: Database.Statement;
    try {
      upsert = db.prepare(
        `INSERT INTO ${q(table)} (${names.join(", ")}) VALUES (${names.map(() => "?").join(", ")})
         ON CONFLICT (${keys.map(q).join(", ")}) DO ${updates.length ? `UPDATE SET ${updates.join(", ")}` : "NOTHING"}`,
      );
    } catch (err) {
      if (/ON CONFLICT clause does not match/.test(String(err))) throw noUniqueKey(table, keys, err);
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
    return { table, rowsWritten: written, inserted, updated: written - inserted, skipped: false };
  } finally {
    // Any failure before COMMIT (including a crash mid-write) leaves the table as it was.
    if (db.inTransaction) db.exec("ROLLBACK");
    db.close();
  }
}

function missingColumns(table: string, cols: Column[], have: Set<string>): void {
  const missing = cols.map((c) => c.name).filter((n) => !have.has(n));
  if (missing.length) {
    throw new ConfigError(`Write to table: table "${table}" has no column${missing.length > 1 ? "s" : ""} ${missing.map((n) => `"${n}"`).join(", ")}`, { field: "columns" });
  }
}

function noUniqueKey(table: string, keys: string[], cause: unknown): ConfigError {
  return new ConfigError(`Write to table: table "${table}" has no primary key or unique index on (${keys.join(", ")})`, { field: "keys", cause });
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL

/** Every value as PostgreSQL's text input (timestamps with their offset): the server parses it as the column's type. */
function postgresSelect(col: Column, ident: (s: string) => string): string {
  const c = ident(col.name);
  if (col.type.toUpperCase() === "BLOB") return `'\\x' || hex(${c}) AS ${c}`;
  return `CAST(${c} AS VARCHAR) AS ${c}`;
}

/** Rows per INSERT: PostgreSQL takes at most 65,535 parameters per statement. */
const rowsPerInsert = (width: number) => Math.max(1, Math.min(1_000, Math.floor(60_000 / width)));

async function writePostgres(target: PostgresConnection, { table, keys, cols, input, ctx }: WriteJob): Promise<WriteMetrics> {
  const password = target.password;
  const scrub = (text: string) => (password ? text.split(password).join("***") : text);
  const where = `PostgreSQL at ${target.host}${target.port !== 5432 ? `:${target.port}` : ""}/${target.database} (connection "${target.name}")`;
  const timeoutMs = target.statementTimeout();
  const client = new pg.Client({
    host: target.host,
    port: target.port,
    database: target.database,
    user: target.user,
    password: password ?? undefined,
    ssl: target.ssl ? { rejectUnauthorized: true, servername: target.host } : false,
    connectionTimeoutMillis: 15_000,
    statement_timeout: timeoutMs,
    application_name: "loopwright",
  });
  client.on("error", () => {}); // a dropped socket must not crash the worker
  const fail = (err: unknown): Error => {
    if (ctx.signal.aborted) return ctx.signal.reason ?? err;
    const e = err as { code?: string; message?: string };
    const message = scrub(String(e?.message ?? err));
    if (e.code === "42P10") return noUniqueKey(table, keys, undefined);
    if (e.code === "21000") return new ConfigError(`Write to table: the input holds several rows with the same keys (${keys.join(", ")}); remove the duplicates first`, { field: "keys" });
    if (e.code === "57014") return new TransientError(`${where}: a statement took longer than the connection's statement timeout (${timeoutMs / 1000} s) and was cancelled`);
    if (!e.code || /^(08|28|53|57P|40)/.test(e.code) || /^E[A-Z]+$/.test(e.code)) return new TransientError(`${where}: ${message}`);
    return new ConfigError(`Write to table: ${where}: ${message}`, { field: "table" });
  };
  const stop = () => void client.end().catch(() => {});
  ctx.signal.addEventListener("abort", stop, { once: true });
  try {
    await client.connect().catch((err: unknown) => {
      throw fail(err);
    });
    const run = (text: string, values?: unknown[]) => client.query(text, values).catch((err: unknown) => Promise.reject(fail(err)));
    await run("BEGIN");
    await run(`CREATE TABLE IF NOT EXISTS ${BOOKKEEPING} (idempotency_key TEXT PRIMARY KEY, table_name TEXT NOT NULL, rows BIGINT NOT NULL, written_at TIMESTAMPTZ NOT NULL)`);
    // Two attempts of the same node wait for each other here, so only one can write.
    await run("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [ctx.idempotencyKey]);
    const done = await run(`SELECT rows FROM ${BOOKKEEPING} WHERE idempotency_key = $1`, [ctx.idempotencyKey]);
    if (done.rows.length) {
      ctx.log.info("already written by an earlier attempt; skipping", { table, rows: Number(done.rows[0].rows) });
      return { table, rowsWritten: 0, skipped: true };
    }
    const existing = await run("SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1", [table]);
    if (existing.rows.length) missingColumns(table, cols, new Set(existing.rows.map((r: { column_name: string }) => r.column_name)));
    else await run(`CREATE TABLE ${q(table)} (${cols.map((c) => `${q(c.name)} ${postgresType(c.type)}`).join(", ")}, PRIMARY KEY (${keys.map(q).join(", ")}))`);

    const names = cols.map((c) => q(c.name)).join(", ");
    const updates = cols.filter((c) => !keys.includes(c.name)).map((c) => `${q(c.name)} = EXCLUDED.${q(c.name)}`);
    const conflict = `ON CONFLICT (${keys.map(q).join(", ")}) DO ${updates.length ? `UPDATE SET ${updates.join(", ")}` : "NOTHING"}`;
    const sql = `SELECT ${cols.map((c) => postgresSelect(c, ctx.datasets.ident)).join(", ")} FROM ${ctx.datasets.from(input)}`;
    let written = 0;
    let inserted = 0;
    for await (const batch of ctx.datasets.batches<Record<string, unknown>>(sql, rowsPerInsert(cols.length))) {
      ctx.signal.throwIfAborted();
      const values = batch.flatMap((row) => cols.map((c) => row[c.name] ?? null));
      const tuples = batch.map((_, i) => `(${cols.map((_c, j) => `$${i * cols.length + j + 1}`).join(", ")})`);
      // xmax = 0 only on a row this statement inserted (an updated row has the old version's xmax).
      const res = await run(`INSERT INTO ${q(table)} (${names}) VALUES ${tuples.join(", ")} ${conflict} RETURNING (xmax = 0) AS inserted`, values);
      inserted += res.rows.filter((r: { inserted: boolean }) => r.inserted).length;
      written += batch.length;
      ctx.progress(input.rows ? written / input.rows : null, `${written} rows written`);
    }
    await run(`INSERT INTO ${BOOKKEEPING} (idempotency_key, table_name, rows, written_at) VALUES ($1, $2, $3, now())`, [ctx.idempotencyKey, table, written]);
    await run("COMMIT");
    return { table, rowsWritten: written, inserted, updated: written - inserted, skipped: false };
  } finally {
    ctx.signal.removeEventListener("abort", stop);
    // Without COMMIT the transaction is rolled back when the connection closes.
    await client.end().catch(() => {});
  }
}
