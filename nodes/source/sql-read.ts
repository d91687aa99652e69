// Reading a user's SQL query out of their own database (SQLite here, PostgreSQL in
// ./sql-read-postgres.ts), read-only and
// streamed: rows go in batches to an NDJSON spill file (every value as text, so nothing is lost
// to JSON numbers), and DuckDB casts each column to its type when the dataset is created.
import Database from "better-sqlite3";
import { open, rm, stat, type FileHandle } from "node:fs/promises";
import path from "node:path";
import { ConfigError, DataError, NotFoundError, TransientError } from "../sdk";

export type SqlParam = string | number | boolean | null;

/** A result column: its name, its DuckDB type, and how to turn the spilled text into it. */
export interface PlannedColumn {
  name: string;
  type: string;
  /** SQL turning the text column `src` into `type`. */
  expr(src: string): string;
}

export interface ReadOutcome {
  columns: PlannedColumn[];
  rows: number;
  /** Where the rows came from, without credentials: `sqlite:<file>` or `postgres:<host>/<db>`. */
  source: string;
}

/** Rows as text (or null), in column order. */
export type RowSink = (rows: (string | null)[][]) => Promise<void>;

export const BATCH_ROWS = 5_000;

export const cast = (type: string) => (src: string) => `CAST(${src} AS ${type})`;
export const asText = (src: string) => src;
const fromHex = (src: string) => `from_hex(${src})`;

// ---------------------------------------------------------------------------------------------
// The spill file


/** Rows appended as NDJSON lines `{"c0":"…","c1":null}`; readable by DuckDB's read_json. */
export class RowSpill {
  readonly file: string;
  private fh?: FileHandle;
  private keys: string[] = [];
  private longest = 0;

  constructor(file: string) {
    this.file = file;
  }

  async open(): Promise<void> {
    this.fh = await open(this.file, "wx", 0o600); // the user's rows: readable by this user only
  }

  readonly write: RowSink = async (rows) => {
    if (!rows.length) return;
    const width = rows[0]!.length;
    while (this.keys.length < width) this.keys.push(`"c${this.keys.length}":`);
    let out = "";
    for (const row of rows) {
      let line = "{";
      for (let i = 0; i < row.length; i++) {
        const v = row[i];
        line += (i ? "," : "") + this.keys[i] + (v === null || v === undefined ? "null" : JSON.stringify(v));
      }
      line += "}\n";
      if (line.length > this.longest) this.longest = line.length;
      out += line;
    }
    await this.fh!.write(out);
  };

  async close(): Promise<void> {
    await this.fh?.close();
    this.fh = undefined;
  }

  async remove(): Promise<void> {
    await this.close().catch(() => {});
    await rm(this.file, { force: true });
  }

  /** The SELECT that reads the spill back with each column cast to its planned type. */
  select(columns: PlannedColumn[], ident: (s: string) => string, literal: (s: string) => string): string {
    const spec = columns.map((_, i) => `c${i}: 'VARCHAR'`).join(", ");
    // A row longer than DuckDB's default 16 MB object limit must still load.
    const maxObject = Math.max(16 << 20, Math.ceil((this.longest * 2) / (1 << 20)) * (1 << 20));
    const exprs = columns.map((c, i) => `${c.expr(`c${i}`)} AS ${ident(c.name)}`);
    return `SELECT ${exprs.join(", ")} FROM read_json(${literal(this.file)}, format = 'newline_delimited', records = true, columns = {${spec}}, maximum_object_size = ${maxObject})`;
  }
}

/** Column names must be usable as DuckDB columns: non-empty and unique (DuckDB ignores case). */
export function checkColumnNames(names: string[]): void {
  const seen = new Map<string, string>();
  names.forEach((name, i) => {
    if (!name) throw new ConfigError(`SQL query: column ${i + 1} of the query has no name: give it one with AS`, { field: "query" });
    const key = name.toLowerCase();
    const other = seen.get(key);
    if (other !== undefined) {
      throw new ConfigError(`SQL query: the query returns two columns named "${other === name ? name : `${other}" and "${name}`}": give them distinct names with AS`, {
        field: "query",
      });
    }
    seen.set(key, name);
  });
}

/** The first SQL keyword, after comments, whitespace and opening parentheses (upper case). */
export function firstKeyword(sql: string): string {
  let i = 0;
  for (;;) {
    while (i < sql.length && (/\s/.test(sql[i]!) || sql[i] === "(")) i++;
    if (sql.startsWith("--", i)) {
      const nl = sql.indexOf("\n", i);
      i = nl < 0 ? sql.length : nl + 1;
    } else if (sql.startsWith("/*", i)) {
      let depth = 1;
      i += 2;
      while (i < sql.length && depth > 0) {
        if (sql.startsWith("/*", i)) (depth++, (i += 2));
        else if (sql.startsWith("*/", i)) (depth--, (i += 2));
        else i++;
      }
    } else break;
  }
  return /^[A-Za-z_]+/.exec(sql.slice(i))?.[0]?.toUpperCase() ?? "";
}

/** The query without trailing semicolons and whitespace (a habit, not a second statement). */
export function trimQuery(sql: string): string {
  return sql.replace(/[\s;]+$/, "");
}

export function notAReadError(keyword: string): ConfigError {
  return new ConfigError(
    `SQL query: only a read is allowed here (SELECT, WITH … SELECT, VALUES or TABLE)${keyword ? `; this statement is ${keyword}` : ""}. The database is opened read-only.`,
    { field: "query" },
  );
}

// ---------------------------------------------------------------------------------------------
// SQLite

const SQLITE_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const SQLITE_TS = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/;

function validDate(y: string, m: string, d: string): boolean {
  const t = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
  return t.getUTCFullYear() === Number(y) && t.getUTCMonth() === Number(m) - 1 && t.getUTCDate() === Number(d);
}

/** What one SQLite result column held, gathered while streaming, to choose its DuckDB type. */
class SqliteColumnStats {
  ints = 0;
  floats = 0;
  texts = 0;
  blobs = 0;
  zeroOne = true;
  dates = true;
  timestamps = true;
  zoned = 0;

  constructor(
    readonly name: string,
    readonly declared: string,
  ) {}

  /** Records the value and returns it as text. */
  take(v: unknown): string | null {
    if (v === null || v === undefined) return null;
    if (typeof v === "bigint") {
      this.ints++;
      if (v !== 0n && v !== 1n) this.zeroOne = false;
      return v.toString();
    }
    if (typeof v === "number") {
      this.floats++;
      return String(v);
    }
    if (typeof v === "string") {
      this.texts++;
      if (this.dates) {
        const m = SQLITE_DATE.exec(v);
        this.dates = m !== null && validDate(m[1]!, m[2]!, m[3]!);
      }
      if (this.timestamps) {
        const m = SQLITE_TS.exec(v);
        this.timestamps = m !== null && validDate(m[1]!, m[2]!, m[3]!) && Number(m[4]) < 24 && Number(m[5]) < 60 && Number(m[6] ?? 0) < 60;
        if (m?.[7]) this.zoned++;
      }
      return v;
    }
    if (Buffer.isBuffer(v) || v instanceof Uint8Array) {
      this.blobs++;
      return Buffer.from(v).toString("hex");
    }
    this.texts++;
    this.dates = this.timestamps = false;
    return String(v);
  }

  plan(): PlannedColumn {
    const d = this.declared.toUpperCase();
    const declaredBool = /BOOL/.test(d);
    const declaredDate = /^DATE$/.test(d);
    const declaredTs = /DATETIME|TIMESTAMP/.test(d);
    const col = (type: string, expr: (s: string) => string): PlannedColumn => ({ name: this.name, type, expr });
    const numbers = this.ints + this.floats;
    if (numbers + this.texts + this.blobs === 0) {
      // No values: go by the declared type (SQLite's affinity rules).
      if (declaredBool) return col("BOOLEAN", cast("BOOLEAN"));
      if (declaredDate) return col("DATE", cast("DATE"));
      if (declaredTs) return col("TIMESTAMP", cast("TIMESTAMP"));
      if (/INT/.test(d)) return col("BIGINT", cast("BIGINT"));
      if (/CHAR|CLOB|TEXT/.test(d)) return col("VARCHAR", asText);
      if (/BLOB/.test(d)) return col("BLOB", fromHex);
      if (/REAL|FLOA|DOUB|NUM|DEC/.test(d)) return col("DOUBLE", cast("DOUBLE"));
      return col("VARCHAR", asText);
    }
    if (this.blobs) return this.blobs === numbers + this.texts + this.blobs ? col("BLOB", fromHex) : col("VARCHAR", asText);
    if (this.texts) {
      if (numbers === 0 && declaredDate && this.dates) return col("DATE", cast("DATE"));
      if (numbers === 0 && declaredTs && this.timestamps) {
        if (this.zoned === 0) return col("TIMESTAMP", cast("TIMESTAMP"));
        if (this.zoned === this.texts) return col("TIMESTAMP WITH TIME ZONE", cast("TIMESTAMPTZ"));
      }
      return col("VARCHAR", asText);
    }
    if (this.floats) return col("DOUBLE", cast("DOUBLE"));
    if (declaredBool && this.zeroOne) return col("BOOLEAN", cast("BOOLEAN"));
    return col("BIGINT", cast("BIGINT"));
  }
}

function sqliteFailure(err: unknown, name: string): Error {
  const e = err as { code?: string; message?: string };
  const msg = String(e?.message ?? err);
  const code = e?.code ?? "";
  if (code === "SQLITE_CANTOPEN") return new NotFoundError(`SQLite database not found or not readable: ${name}`, { where: name, cause: err });
  if (code === "SQLITE_NOTADB") return new DataError(`${name} is not a SQLite database`, { where: name, cause: err });
  if (/^SQLITE_(BUSY|LOCKED|IOERR)/.test(code)) {
    return new TransientError(`SQLite database ${name} is busy or unreadable right now: ${msg}`, { cause: err });
  }
  if (code.startsWith("SQLITE_READONLY")) return new ConfigError(`SQL query: the database is opened read-only, and the query tried to write (${msg})`, { field: "query", cause: err });
  if (err instanceof RangeError && /more than one statement/.test(msg)) {
    return new ConfigError("SQL query: give exactly one statement (this text holds more than one)", { field: "query", cause: err });
  }
  if (err instanceof RangeError || (err instanceof TypeError && /bind|parameter/i.test(msg))) {
    return new ConfigError(`SQL query parameters: ${msg}`, { field: "params", cause: err });
  }
  if (code.startsWith("SQLITE_")) return new ConfigError(`SQL error: ${msg}`, { field: "query", cause: err });
  return err instanceof Error ? err : new Error(msg);
}

export async function readSqlite(opts: {
  file: string;
  query: string;
  params: SqlParam[];
  sink: RowSink;
  signal: AbortSignal;
  onBatch(rows: number): void;
}): Promise<ReadOutcome> {
  opts.signal.throwIfAborted();
  const name = path.basename(opts.file);
  const info = await stat(opts.file).catch((err: NodeJS.ErrnoException) => {
    if (err.code === "ENOENT" || err.code === "ENOTDIR") throw new NotFoundError(`SQLite database not found: ${name}`, { where: name, cause: err });
    throw err;
  });
  if (!info.isFile()) throw new NotFoundError(`SQLite database not found: ${name} is not a file`, { where: name });

  let db: Database.Database;
  try {
    db = new Database(opts.file, { readonly: true, fileMustExist: true, timeout: 10_000 });
  } catch (err) {
    throw sqliteFailure(err, name);
  }
  try {
    db.pragma("query_only = true");
    let stmt: Database.Statement;
    try {
      stmt = db.prepare(trimQuery(opts.query));
    } catch (err) {
      throw sqliteFailure(err, name);
    }
    // reader: the statement returns rows; readonly: SQLite says it changes nothing
    // (INSERT … RETURNING is a reader that writes; ATTACH and VACUUM INTO return no rows).
    if (!stmt.reader || !stmt.readonly) throw notAReadError(firstKeyword(opts.query));
    stmt.raw(true).safeIntegers(true);
    const stats = stmt.columns().map((c) => new SqliteColumnStats(c.name, c.type ?? ""));
    checkColumnNames(stats.map((s) => s.name));

    const params = opts.params.map((p) => (typeof p === "boolean" ? (p ? 1 : 0) : p));
    let rows = 0;
    let batch: (string | null)[][] = [];
    try {
      // iterate() steps the statement one row at a time: memory stays one batch.
      for (const raw of stmt.iterate(...params) as Iterable<unknown[]>) {
        const row = new Array<string | null>(stats.length);
        for (let i = 0; i < stats.length; i++) row[i] = stats[i]!.take(raw[i]);
        batch.push(row);
        if (batch.length >= BATCH_ROWS) {
          opts.signal.throwIfAborted();
          await opts.sink(batch); // also lets timers (heartbeats) run between batches
          rows += batch.length;
          batch = [];
          opts.onBatch(rows);
        }
      }
    } catch (err) {
      if (opts.signal.aborted || (err as Error)?.name === "AbortError") throw err;
      throw sqliteFailure(err, name);
    }
    opts.signal.throwIfAborted();
    await opts.sink(batch);
    rows += batch.length;
    opts.onBatch(rows);
    return { columns: stats.map((s) => s.plan()), rows, source: `sqlite:${name}` };
  } finally {
    db.close();
  }
}
