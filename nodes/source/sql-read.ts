// Reading a user's SQL query out of their own database (SQLite or PostgreSQL), read-only and
// streamed: rows go in batches to an NDJSON spill file (every value as text, so nothing is lost
// to JSON numbers), and DuckDB casts each column to its type when the dataset is created.
import Database from "better-sqlite3";
import { open, rm, stat, type FileHandle } from "node:fs/promises";
import path from "node:path";
import pg from "pg";
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

const cast = (type: string) => (src: string) => `CAST(${src} AS ${type})`;
const asText = (src: string) => src;
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

function notAReadError(keyword: string): ConfigError {
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

// ---------------------------------------------------------------------------------------------
// PostgreSQL

/** DuckDB type for a PostgreSQL column, by type OID and type modifier. */
export function postgresColumn(name: string, oid: number, typmod: number): PlannedColumn {
  const col = (type: string, expr: (s: string) => string = cast(type)): PlannedColumn => ({ name, type, expr });
  switch (oid) {
    case 16: // bool ('t' / 'f')
      return col("BOOLEAN");
    case 21: // int2
      return col("SMALLINT");
    case 23: // int4
      return col("INTEGER");
    case 20: // int8
    case 26: // oid
      return col("BIGINT");
    case 700: // float4
    case 701: // float8 (NaN and ±Infinity cast too)
      return col("DOUBLE");
    case 1700: {
      // numeric(p,s) fits DuckDB's DECIMAL up to 38 digits; unconstrained numeric becomes DOUBLE.
      if (typmod >= 4) {
        const precision = ((typmod - 4) >> 16) & 0xffff;
        const scale = (typmod - 4) & 0xffff;
        if (precision >= 1 && precision <= 38 && scale <= precision) return col(`DECIMAL(${precision},${scale})`);
      }
      return col("DOUBLE");
    }
    case 1082: // date
      return col("DATE");
    case 1114: // timestamp
      return col("TIMESTAMP");
    case 1184: // timestamptz (sent in UTC: the session time zone is set to UTC)
      return col("TIMESTAMP WITH TIME ZONE", cast("TIMESTAMPTZ"));
    case 1083: // time
      return col("TIME");
    case 17: // bytea (hex output: \x…)
      return col("BLOB", (src) => `from_hex(substr(${src}, 3))`);
    default:
      // text, varchar, uuid, json, jsonb, interval, arrays, enums…: PostgreSQL's text form.
      return col("VARCHAR", asText);
  }
}

/** SQLSTATEs that mean "could not connect / try again later", not "this query is wrong". */
function transientSqlState(code: string): boolean {
  if (code === "08P01") return false; // protocol violation: e.g. the wrong number of parameters
  return /^(08|28|53|58)/.test(code) || ["3D000", "57P01", "57P02", "57P03", "40001", "40P01", "55P03"].includes(code);
}

const NETWORK_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "ENOTFOUND", "EAI_AGAIN", "EPIPE", "ECONNABORTED"]);

const seconds = (ms: number) => `${+(ms / 1000).toFixed(ms < 1000 ? 3 : 1)} s`;

/** "line L, column C" of a 1-based character position in the user's query. */
function lineAndColumn(query: string, position: number): string {
  const before = query.slice(0, position - 1);
  const line = before.split("\n").length;
  const column = position - (before.lastIndexOf("\n") + 1);
  return `line ${line}, column ${column}`;
}

/** Where to connect: a PostgreSQL connection's settings (the node gets them from ctx.connection). */
export interface PostgresTarget {
  /** The connection's name, for messages. */
  name: string;
  host: string;
  port: number;
  database: string;
  user: string;
  password: string | null;
  ssl: boolean;
}

export async function readPostgres(opts: {
  target: PostgresTarget;
  query: string;
  params: SqlParam[];
  /** The statement timeout to apply, and how to name it in the message when a query hits it. */
  timeoutMs: number;
  timeoutNote: string;
  sink: RowSink;
  signal: AbortSignal;
  onBatch(rows: number): void;
}): Promise<ReadOutcome> {
  const t = opts.target;
  // Never let the password reach a message, even inside a driver's text.
  const secrets = t.password ? [t.password, encodeURIComponent(t.password)] : [];
  const scrub = (text: string) => secrets.filter((s) => s.length > 0).reduce((acc, s) => acc.split(s).join("***"), text);

  const query = trimQuery(opts.query);
  const keyword = firstKeyword(query);
  if (!["SELECT", "WITH", "VALUES", "TABLE"].includes(keyword)) throw notAReadError(keyword);
  // A server-side cursor: FETCH hands back one batch at a time, whatever the result's size.
  const declarePrefix = "DECLARE loopwright_rows NO SCROLL CURSOR FOR ";

  // Every value arrives in PostgreSQL's text form; DuckDB casts it (no float or int64 rounding in JS).
  const types = { getTypeParser: () => (value: string) => value } as unknown as pg.CustomTypesConfig;
  const clientConfig: pg.ClientConfig = {
    host: t.host,
    port: t.port,
    database: t.database,
    user: t.user,
    password: t.password ?? undefined,
    ssl: t.ssl ? { rejectUnauthorized: true, servername: t.host } : false,
    types,
    connectionTimeoutMillis: 15_000,
    keepAlive: true,
    application_name: "loopwright",
  };
  const client = new pg.Client(clientConfig);
  const where = `${t.host}${t.port !== 5432 ? `:${t.port}` : ""}/${t.database}`;
  const source = `postgres:${where}`;
  let connectionLost = false;
  client.on("error", () => (connectionLost = true)); // a dropped socket must not crash the worker

  /** A PostgreSQL failure as a node error: connection trouble is transient, anything else is the query's fault. */
  const classify = (err: unknown): Error => {
    const e = err as { code?: string; message?: string; position?: string; hint?: string };
    const code = e?.code ?? "";
    const message = scrub(String(e?.message ?? err));
    if (/^[0-9A-Z]{5}$/.test(code) && !NETWORK_CODES.has(code)) {
      if (code === "57014") return new TransientError(`PostgreSQL at ${where}: the query took longer than ${seconds(opts.timeoutMs)} (${opts.timeoutNote}) and was cancelled`);
      if (code === "08P01" && /bind message supplies/.test(message)) return new ConfigError(`SQL query parameters: ${message}`, { field: "params" });
      if (code === "42601" && /multiple commands/.test(message)) {
        return new ConfigError("SQL query: give exactly one statement (this text holds more than one)", { field: "query" });
      }
      if (transientSqlState(code)) return new TransientError(`PostgreSQL at ${where}: ${message}`);
      if (code === "25006") return new ConfigError(`SQL query: this node only reads, and the query tried to write (${message})`, { field: "query" });
      const pos = Number(e.position);
      const at = Number.isInteger(pos) && pos > declarePrefix.length ? ` (${lineAndColumn(query, pos - declarePrefix.length)})` : "";
      const hint = e.hint ? ` Hint: ${scrub(e.hint)}` : "";
      return new ConfigError(`SQL error: ${message}${at}${hint}`, { field: "query" });
    }
    if (connectionLost || NETWORK_CODES.has(code) || /Connection terminated|timeout|socket|ECONN/i.test(message)) {
      return new TransientError(`Lost the connection to PostgreSQL at ${where}: ${message}`);
    }
    return new Error(`PostgreSQL at ${where}: ${message}`);
  };
  /** Runs one statement; an abort wins over whatever error the cancelled statement reports. */
  const run = async <R extends pg.QueryResultRow>(config: pg.QueryConfig | (pg.QueryArrayConfig & { rowMode: "array" })): Promise<pg.QueryResult<R>> => {
    try {
      return (await client.query(config as pg.QueryConfig)) as pg.QueryResult<R>;
    } catch (err) {
      opts.signal.throwIfAborted();
      throw classify(err);
    }
  };

  let pid: number | undefined;
  const end = () => void client.end().catch(() => {});
  const cancel = () => {
    // Ask the server to stop the running statement (a second, short connection as the same user);
    // if that cannot be done, or nothing is running yet, drop our connection.
    if (pid === undefined) return end();
    const killer = new pg.Client({ ...clientConfig, connectionTimeoutMillis: 5_000 });
    killer.on("error", () => {});
    void killer
      .connect()
      .then(() => killer.query("SELECT pg_cancel_backend($1)", [pid]))
      .catch(end)
      .finally(() => void killer.end().catch(() => {}));
    setTimeout(end, 5_000).unref();
  };

  opts.signal.throwIfAborted();
  opts.signal.addEventListener("abort", cancel, { once: true });
  let rows = 0;
  let columns: PlannedColumn[] | undefined;
  try {
    try {
      await client.connect();
    } catch (err) {
      opts.signal.throwIfAborted();
      throw new TransientError(`Cannot connect to PostgreSQL at ${where} (connection "${t.name}"): ${scrub(String((err as Error)?.message ?? err))}`);
    }
    await run({ text: "BEGIN TRANSACTION READ ONLY" });
    const ms = Math.max(1, Math.round(opts.timeoutMs));
    const setup = await run<{ pid: string }>({
      text: `SELECT pg_backend_pid() AS pid,
                set_config('statement_timeout', $1, true),
                set_config('idle_in_transaction_session_timeout', $2, true),
                set_config('TimeZone', 'UTC', true),
                set_config('DateStyle', 'ISO, YMD', true),
                set_config('bytea_output', 'hex', true)`,
      values: [String(ms), String(Math.max(60_000, ms * 2))],
    });
    pid = Number(setup.rows[0]!.pid);
    opts.signal.throwIfAborted();
    // queryMode "extended": the server parses exactly one statement and binds the params.
    await run({ text: declarePrefix + query, values: opts.params, queryMode: "extended" } as pg.QueryConfig);
    for (;;) {
      opts.signal.throwIfAborted();
      const res = await run({ text: `FETCH ${BATCH_ROWS} FROM loopwright_rows`, rowMode: "array" });
      if (!columns) {
        columns = res.fields.map((f) => postgresColumn(f.name, f.dataTypeID, f.dataTypeModifier));
        checkColumnNames(columns.map((c) => c.name));
      }
      await opts.sink(res.rows as unknown as (string | null)[][]);
      rows += res.rows.length;
      opts.onBatch(rows);
      if (res.rows.length < BATCH_ROWS) break;
    }
    await client.query("ROLLBACK").catch(() => {});
  } finally {
    opts.signal.removeEventListener("abort", cancel);
    await client.end().catch(() => {});
  }
  return { columns: columns ?? [], rows, source };
}
