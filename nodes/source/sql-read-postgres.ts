// Reading a user's SQL query out of their PostgreSQL database, read-only and streamed, with the
// spill file, batches and checks ./sql-read.ts shares with the SQLite reader.
import pg from "pg";
import { ConfigError, TransientError } from "../sdk";
import { asText, BATCH_ROWS, cast, checkColumnNames, firstKeyword, notAReadError, trimQuery, type PlannedColumn, type ReadOutcome, type RowSink, type SqlParam } from "./sql-read";


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
