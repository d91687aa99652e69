import Database from "better-sqlite3";
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findPostgresBin, startPostgres, type PostgresTestServer } from "../../lib/postgres-test-server";
import { datasetFile, failure, harness, type Harness } from "../../tests/harness";
import { audit } from "../../db/store";
import { ConfigError, DataError, NotFoundError, TransientError, type DatasetRef, type NodeContext } from "../sdk";
import sqlQuery from "./sql-query.node.ts";

// ---------------------------------------------------------------------------------------------
// The telco churn CSV, parsed here without DuckDB or either database (it has no quoted fields).

interface Customer {
  customerID: string;
  gender: string;
  SeniorCitizen: number;
  Partner: string;
  tenure: number;
  Contract: string;
  PaymentMethod: string;
  MonthlyCharges: number;
  TotalCharges: number | null;
  Churn: string;
  [k: string]: string | number | null;
}

const CSV_COLUMNS = readFileSync(datasetFile("telco-customer-churn.csv"), "utf8").split(/\r?\n/)[0]!.split(",");

function loadCsv(): Customer[] {
  const lines = readFileSync(datasetFile("telco-customer-churn.csv"), "utf8").split(/\r?\n/).filter(Boolean);
  return lines.slice(1).map((line) => {
    const cells = line.split(",");
    expect(cells.length).toBe(CSV_COLUMNS.length);
    const row: Record<string, string | number | null> = {};
    CSV_COLUMNS.forEach((c, i) => (row[c] = cells[i]!));
    row.SeniorCitizen = Number(row.SeniorCitizen);
    row.tenure = Number(row.tenure);
    row.MonthlyCharges = Number(row.MonthlyCharges);
    row.TotalCharges = String(row.TotalCharges).trim() === "" ? null : Number(row.TotalCharges);
    return row as Customer;
  });
}

const cents = (x: number) => Math.round(x * 100);
const snake = (c: string) => c.replace(/ID$/, "_id").replace(/([a-z])([A-Z])/g, "$1_$2").replace(/TV/, "tv").toLowerCase();

// ---------------------------------------------------------------------------------------------

let h: Harness;
let customers: Customer[];
let sqliteFile: string;
let server: PostgresTestServer;
let closedPort: number;

/** A client as the test user (for setup and checks), never through the node. */
async function pgQuery<T extends pg.QueryResultRow>(sql: string, values: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: server.url });
  await c.connect();
  try {
    return (await c.query<T>(sql, values)).rows;
  } finally {
    await c.end();
  }
}

function sqliteAll<T>(sql: string): T[] {
  const db = new Database(sqliteFile, { readonly: true });
  try {
    return db.prepare(sql).all() as T[];
  } finally {
    db.close();
  }
}

const fileHash = (file: string) => createHash("sha256").update(readFileSync(file)).digest("hex");
const rowsOf = (ref: DatasetRef, sql = "*") => h.ctx("check").datasets.query<Record<string, unknown>>(`SELECT ${sql} FROM ${h.ctx("check").datasets.from(ref)}`);
const types = (ref: DatasetRef) => Object.fromEntries(ref.columns.map((c) => [c.name, c.type]));

function runQuery(config: Record<string, unknown>, ctx?: NodeContext) {
  return h.run(sqlQuery, config, {}, ctx);
}
const sqlite = (query: string, params: unknown[] = [], extra: Record<string, unknown> = {}) =>
  runQuery({ engine: "sqlite", database: sqliteFile, query, params, ...extra });
const postgres = (query: string, params: unknown[] = [], extra: Record<string, unknown> = {}) =>
  runQuery({ engine: "postgres", connection: "pg-test", query, params, ...extra });
/** The test server as a PostgreSQL connection named `name` (another password or port when given). */
const pgConnection = (name: string, over: { password?: string; port?: number; statementTimeoutMs?: number } = {}) =>
  h.connection({
    name,
    kind: "postgres",
    config: { host: "127.0.0.1", port: over.port ?? server.port, database: server.database, user: server.user, ...(over.statementTimeoutMs ? { statementTimeoutMs: over.statementTimeoutMs } : {}) },
    secrets: { password: over.password ?? server.password },
  });

/** No secret anywhere in an error: message, where, or the messages of its causes. */
function expectNoSecret(err: unknown): void {
  const texts: string[] = [];
  for (let e = err as { message?: string; where?: string; cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    texts.push(String(e.message ?? e), String(e.where ?? ""), String((e as { stack?: string }).stack ?? ""));
  }
  const all = texts.join("\n");
  expect(all).not.toContain(server.password);
  expect(all).not.toContain(server.url);
  expect(all).not.toContain("s3cr3t-wrong-pw");
}

beforeAll(async () => {
  h = harness();
  customers = loadCsv();

  // SQLite: typed columns, TotalCharges NULL where the CSV has a blank.
  sqliteFile = path.join(h.dataDir, "crm", "churn.sqlite");
  mkdirSync(path.dirname(sqliteFile), { recursive: true });
  const db = new Database(sqliteFile);
  const decl = (c: string) =>
    c === "SeniorCitizen" ? "BOOLEAN" : c === "tenure" ? "INTEGER" : c === "MonthlyCharges" || c === "TotalCharges" ? "REAL" : "TEXT";
  db.exec(`CREATE TABLE churn (${CSV_COLUMNS.map((c) => `"${c}" ${decl(c)}`).join(", ")}, PRIMARY KEY ("customerID"))`);
  const insert = db.prepare(`INSERT INTO churn VALUES (${CSV_COLUMNS.map(() => "?").join(", ")})`);
  db.transaction(() => customers.forEach((r) => insert.run(CSV_COLUMNS.map((c) => r[c]))))();
  db.exec(`CREATE TABLE kinds (id INTEGER, flag BOOLEAN, born DATE, seen DATETIME, seen_utc TIMESTAMP, big INTEGER, mixed NUMERIC, label TEXT, data BLOB, loose)`);
  const k = db.prepare("INSERT INTO kinds VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  k.run(1, 1, "2024-01-31", "2024-01-31 10:20:30", "2024-01-31T10:20:30Z", 9007199254740993n, 1, "ann", Buffer.from([0xde, 0xad]), 1);
  k.run(2, 0, "2024-02-29", "2024-02-29T23:59:59.5", "2024-02-29T23:59:59+02:00", -9007199254740993n, 2.5, "bob", Buffer.from([0xbe, 0xef]), "text");
  k.run(3, null, null, null, null, null, null, null, null, null);
  db.close();
});

afterAll(() => h?.close());

// ---------------------------------------------------------------------------------------------

describe("source.sql-query on SQLite", () => {
  it("reads a SELECT with a WHERE and bound params; counts, sums, column order and types match the CSV", async () => {
    const progress: Array<{ fraction: number | null; details?: Record<string, unknown> }> = [];
    const ctx = h.ctx("sql", { onProgress: (r) => progress.push(r) });
    const result = await runQuery(
      {
        engine: "sqlite",
        database: sqliteFile,
        query: `SELECT customerID, tenure, MonthlyCharges, SeniorCitizen, Churn FROM churn WHERE Contract = ? AND tenure >= ? ORDER BY customerID;`,
        params: ["Month-to-month", 12],
      },
      ctx,
    );
    const ref = result.outputs.rows as DatasetRef;
    const expected = customers.filter((c) => c.Contract === "Month-to-month" && c.tenure >= 12);
    expect(expected.length).toBeGreaterThan(1000);
    expect(ref.rows).toBe(expected.length);
    expect(ref.columns.map((c) => c.name)).toEqual(["customerID", "tenure", "MonthlyCharges", "SeniorCitizen", "Churn"]);
    expect(types(ref)).toEqual({ customerID: "VARCHAR", tenure: "BIGINT", MonthlyCharges: "DOUBLE", SeniorCitizen: "BOOLEAN", Churn: "VARCHAR" });

    const [agg] = await rowsOf(ref, "count(*)::INT AS n, sum(MonthlyCharges) AS charges, count(*) FILTER (Churn = 'Yes')::INT AS churned, count(*) FILTER (SeniorCitizen)::INT AS seniors, sum(tenure)::BIGINT AS tenure");
    expect(agg!.n).toBe(expected.length);
    expect(cents(agg!.charges as number)).toBe(cents(expected.reduce((s, c) => s + c.MonthlyCharges, 0)));
    expect(agg!.churned).toBe(expected.filter((c) => c.Churn === "Yes").length);
    expect(agg!.seniors).toBe(expected.filter((c) => c.SeniorCitizen === 1).length);
    expect(agg!.tenure).toBe(expected.reduce((s, c) => s + c.tenure, 0));
    const first = [...expected].sort((a, b) => (a.customerID < b.customerID ? -1 : 1))[0]!;
    expect((await rowsOf(ref, "customerID, tenure"))[0]).toEqual({ customerID: first.customerID, tenure: first.tenure });

    expect(result.metrics).toMatchObject({ engine: "sqlite", rows: expected.length, columns: 5, lineage: { source: "sqlite:churn.sqlite", kind: "sql", rows: expected.length } });
    const lineage = (result.metrics as { lineage: { readAt: string } }).lineage;
    expect(Date.now() - Date.parse(lineage.readAt)).toBeLessThan(60_000);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.at(-1)!.fraction).toBe(1);
  });

  it("streams a large result in batches and keeps NULLs", async () => {
    const progress: Array<{ details?: Record<string, unknown> }> = [];
    const result = await runQuery(
      { engine: "sqlite", database: sqliteFile, query: "SELECT customerID, TotalCharges, Churn FROM churn" },
      h.ctx("sql", { onProgress: (r) => progress.push(r) }),
    );
    const ref = result.outputs.rows as DatasetRef;
    expect(ref.rows).toBe(customers.length);
    expect(progress.filter((p) => typeof p.details?.rows === "number").map((p) => p.details!.rows)).toEqual(expect.arrayContaining([5000, customers.length]));
    const [agg] = await rowsOf(ref, "count(*) FILTER (Churn = 'Yes')::INT AS yes, count(*) FILTER (TotalCharges IS NULL)::INT AS blank, sum(TotalCharges) AS total");
    expect(agg!.yes).toBe(customers.filter((c) => c.Churn === "Yes").length);
    expect(agg!.blank).toBe(customers.filter((c) => c.TotalCharges === null).length);
    expect(agg!.blank).toBeGreaterThan(0);
    expect(cents(agg!.total as number)).toBe(cents(customers.reduce((s, c) => s + (c.TotalCharges ?? 0), 0)));
    // No spill file is left behind.
    expect(readdirSync(path.join(h.dataDir, "tmp"))).toEqual([]);
  });

  it("types columns from their values, using BOOLEAN / DATE / DATETIME declarations when every value fits", async () => {
    const ref = (await sqlite("SELECT * FROM kinds ORDER BY id")).outputs.rows as DatasetRef;
    expect(types(ref)).toEqual({
      id: "BIGINT",
      flag: "BOOLEAN",
      born: "DATE",
      seen: "TIMESTAMP",
      seen_utc: "TIMESTAMP WITH TIME ZONE",
      big: "BIGINT",
      mixed: "DOUBLE",
      label: "VARCHAR",
      data: "BLOB",
      loose: "VARCHAR",
    });
    const rows = await rowsOf(ref, "id, flag, born::VARCHAR AS born, seen::VARCHAR AS seen, epoch(seen_utc) AS utc, big::VARCHAR AS big, mixed, hex(data) AS data, loose");
    expect(rows).toEqual([
      { id: 1, flag: true, born: "2024-01-31", seen: "2024-01-31 10:20:30", utc: Date.UTC(2024, 0, 31, 10, 20, 30) / 1000, big: "9007199254740993", mixed: 1, data: "DEAD", loose: "1" },
      { id: 2, flag: false, born: "2024-02-29", seen: "2024-02-29 23:59:59.5", utc: Date.UTC(2024, 1, 29, 21, 59, 59) / 1000, big: "-9007199254740993", mixed: 2.5, data: "BEEF", loose: "text" },
      { id: 3, flag: null, born: null, seen: null, utc: null, big: null, mixed: null, data: null, loose: null },
    ]);
    // An empty result keeps the declared types.
    const empty = (await sqlite("SELECT id, flag, born, label, mixed FROM kinds WHERE id > 99")).outputs.rows as DatasetRef;
    expect(empty.rows).toBe(0);
    expect(types(empty)).toEqual({ id: "BIGINT", flag: "BOOLEAN", born: "DATE", label: "VARCHAR", mixed: "DOUBLE" });
    // A DATE column holding something that is not a date stays text.
    const text = (await sqlite("SELECT born FROM kinds UNION ALL SELECT 'soon'")).outputs.rows as DatasetRef;
    expect(types(text)).toEqual({ born: "VARCHAR" });
  });

  it("binds params as values, never as SQL", async () => {
    const ref = (await sqlite("SELECT count(*) AS n FROM churn WHERE Contract = ?", ["x' OR '1'='1"])).outputs.rows as DatasetRef;
    expect(await rowsOf(ref)).toEqual([{ n: 0 }]);
    const flags = (await sqlite("SELECT count(*) AS n FROM churn WHERE SeniorCitizen = ? AND TotalCharges IS ?", [true, null])).outputs.rows as DatasetRef;
    expect(await rowsOf(flags)).toEqual([{ n: customers.filter((c) => c.SeniorCitizen === 1 && c.TotalCharges === null).length }]);
    const err = await failure(sqlite("SELECT * FROM churn WHERE Contract = ? AND tenure > ?", ["One year"]));
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.where).toBe("params");
  });

  it("refuses statements that write, and leaves the database exactly as it was", async () => {
    const before = fileHash(sqliteFile);
    const count = () => sqliteAll<{ n: number }>("SELECT count(*) AS n FROM churn")[0]!.n;
    const attempts = [
      "INSERT INTO churn (customerID) VALUES ('x')",
      "UPDATE churn SET Churn = 'No'",
      "DELETE FROM churn",
      "DROP TABLE churn",
      "INSERT INTO churn (customerID) VALUES ('y') RETURNING customerID",
      "DELETE FROM churn RETURNING *",
      "CREATE TABLE evil AS SELECT * FROM churn",
      `ATTACH DATABASE '${path.join(h.dataDir, "other.sqlite")}' AS other`,
      `VACUUM INTO '${path.join(h.dataDir, "copy.sqlite")}'`,
      "PRAGMA user_version = 7",
    ];
    for (const query of attempts) {
      const err = await failure(sqlite(query));
      expect(err, query).toBeInstanceOf(ConfigError);
      expect(err.where, query).toBe("query");
      expect(err.message, query).toMatch(/read/i);
    }
    expect(count()).toBe(customers.length);
    expect(fileHash(sqliteFile)).toBe(before);
    expect(readdirSync(h.dataDir)).not.toContain("copy.sqlite");
  });

  it("refuses two statements", async () => {
    const err = await failure(sqlite("SELECT 1; DROP TABLE churn"));
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toMatch(/one statement/);
    expect(sqliteAll<{ n: number }>("SELECT count(*) AS n FROM churn")[0]!.n).toBe(customers.length);
  });

  it("names the problem in a SQL error", async () => {
    const syntax = await failure(sqlite("SELEC customerID FROM churn"));
    expect(syntax).toBeInstanceOf(ConfigError);
    expect(syntax.where).toBe("query");
    expect(syntax.message).toMatch(/near "SELEC": syntax error/);
    const table = await failure(sqlite("SELECT * FROM customers"));
    expect(table.message).toMatch(/no such table: customers/);
    const dup = await failure(sqlite("SELECT customerID, customerid FROM churn"));
    expect(dup).toBeInstanceOf(ConfigError);
    expect(dup.message).toMatch(/two columns named/);
  });

  it("reports a missing file as not found, a file outside the allowed folders and a non-database as config/data errors", async () => {
    const missing = await failure(runQuery({ engine: "sqlite", database: path.join(h.dataDir, "nope.sqlite"), query: "SELECT 1" }));
    expect(missing).toBeInstanceOf(NotFoundError);
    expect(missing.message).toMatch(/nope\.sqlite/);
    const outside = await failure(runQuery({ engine: "sqlite", database: "/etc/passwd", query: "SELECT 1" }));
    expect(outside).toBeInstanceOf(ConfigError);
    expect(outside.where).toBe("database");
    const junk = path.join(h.dataDir, "junk.sqlite");
    writeFileSync(junk, "this is not a database, just text that is long enough to have a header".repeat(20));
    const notDb = await failure(runQuery({ engine: "sqlite", database: junk, query: "SELECT 1" }));
    expect(notDb).toBeInstanceOf(DataError);
  });

  it("validates the config before touching any database", async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ engine: "sqlite", query: "SELECT 1" }, "database"],
      [{ engine: "sqlite", database: sqliteFile, connection: "crm-file", query: "SELECT 1" }, "database"],
      [{ engine: "postgres", query: "SELECT 1" }, "connection"],
      [{ engine: "postgres", connection: "", query: "SELECT 1" }, "connection"],
      [{ engine: "postgres", connection: "pg", database: sqliteFile, query: "SELECT 1" }, "database"],
      [{ engine: "sqlite", database: sqliteFile, query: "  " }, "query"],
      [{ engine: "sqlite", database: sqliteFile, query: "SELECT ?", params: [{ a: 1 }] }, "params.0"],
      [{ engine: "mysql", query: "SELECT 1" }, "engine"],
    ];
    for (const [config, field] of cases) {
      const err = await failure(runQuery(config));
      expect(err, JSON.stringify(config)).toBeInstanceOf(ConfigError);
      expect(err.where, JSON.stringify(config)).toBe(field);
    }
    // Nothing was looked up or used: no audit entries.
    expect(await audit.list(h.store, { action: "connection.use" })).toEqual([]);
  });

  it("reads through a SQLite connection, and writes its use to the audit log", async () => {
    await h.connection({ name: "crm-file", kind: "sqlite", config: { file: sqliteFile } });
    const res = await runQuery({ engine: "sqlite", connection: "crm-file", query: "SELECT count(*) AS n FROM churn" }, h.ctx("via-conn", { runId: "run-sqlite" }));
    expect(await rowsOf(res.outputs.rows as DatasetRef, "n::INT AS n")).toEqual([{ n: customers.length }]);
    const [use] = await audit.list(h.store, { action: "connection.use" });
    expect(use).toMatchObject({ actor: "system", target: "crm-file", detail: { kind: "sqlite", runId: "run-sqlite", nodeId: "via-conn" } });
  });

  it("stops when the run is cancelled, leaving no spill file", async () => {
    const ac = new AbortController();
    ac.abort(new Error("cancelled by test"));
    const err = await failure(runQuery({ engine: "sqlite", database: sqliteFile, query: "SELECT * FROM churn" }, h.ctx("sql", { signal: ac.signal })));
    expect(err.message).toBe("cancelled by test");
    expect(readdirSync(path.join(h.dataDir, "tmp"))).toEqual([]);
  });
});

describe("source.sql-query on PostgreSQL", () => {
  beforeAll(async () => {
    // A real server (Debian package "postgresql"), the same rows, real types.
    server = await startPostgres();
    await pgConnection("pg-test");
    const admin = new pg.Client({ connectionString: server.url });
    await admin.connect();
    const pgType = (c: string) =>
      c === "SeniorCitizen" ? "boolean" : c === "tenure" ? "integer" : c === "MonthlyCharges" ? "numeric(8,2)" : c === "TotalCharges" ? "double precision" : "text";
    await admin.query(`CREATE TABLE churn (${CSV_COLUMNS.map((c) => `${snake(c)} ${pgType(c)}`).join(", ")}, PRIMARY KEY (customer_id))`);
    for (let i = 0; i < customers.length; i += 400) {
      const chunk = customers.slice(i, i + 400);
      const values: unknown[] = [];
      const tuples = chunk.map((r) => {
        const start = values.length;
        CSV_COLUMNS.forEach((c) => values.push(c === "SeniorCitizen" ? r[c] === 1 : r[c]));
        return `(${CSV_COLUMNS.map((_, j) => `$${start + j + 1}`).join(", ")})`;
      });
      await admin.query(`INSERT INTO churn VALUES ${tuples.join(", ")}`, values);
    }
    await admin.query("CREATE SEQUENCE ids");
    await admin.end();

    // A port nobody listens on.
    const port = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, "127.0.0.1", () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    closedPort = port;
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("reads a SELECT with a WHERE and bound params through a cursor; counts, sums and types match the CSV", async () => {
    const progress: Array<{ details?: Record<string, unknown> }> = [];
    const result = await runQuery(
      {
        engine: "postgres",
        connection: "pg-test",
        query: "SELECT customer_id, tenure, monthly_charges, senior_citizen, churn\nFROM churn\nWHERE contract = $1 AND tenure >= $2\nORDER BY customer_id;",
        params: ["Month-to-month", 12],
      },
      h.ctx("sql", { onProgress: (r) => progress.push(r) }),
    );
    const ref = result.outputs.rows as DatasetRef;
    const expected = customers.filter((c) => c.Contract === "Month-to-month" && c.tenure >= 12);
    expect(ref.rows).toBe(expected.length);
    expect(types(ref)).toEqual({ customer_id: "VARCHAR", tenure: "INTEGER", monthly_charges: "DECIMAL(8,2)", senior_citizen: "BOOLEAN", churn: "VARCHAR" });
    const [agg] = await rowsOf(ref, "count(*)::INT AS n, (sum(monthly_charges) * 100)::BIGINT AS charges, count(*) FILTER (churn = 'Yes')::INT AS churned, count(*) FILTER (senior_citizen)::INT AS seniors");
    expect(agg).toEqual({
      n: expected.length,
      charges: expected.reduce((s, c) => s + cents(c.MonthlyCharges), 0),
      churned: expected.filter((c) => c.Churn === "Yes").length,
      seniors: expected.filter((c) => c.SeniorCitizen === 1).length,
    });
    const first = [...expected].sort((a, b) => (a.customerID < b.customerID ? -1 : 1))[0]!;
    expect((await rowsOf(ref, "customer_id"))[0]).toEqual({ customer_id: first.customerID });

    const metrics = result.metrics as Record<string, unknown>;
    expect(metrics).toMatchObject({
      engine: "postgres",
      rows: expected.length,
      lineage: { source: `postgres:127.0.0.1:${server.port}/${server.database}`, kind: "sql", rows: expected.length },
    });
    const json = JSON.stringify({ metrics, progress, ref });
    expect(json).not.toContain(server.password);
    expect(json).not.toContain(server.url);
    expect(json).not.toContain(`${server.user}:`);
  });

  it("streams every row in batches of 5,000", async () => {
    const progress: Array<{ details?: Record<string, unknown> }> = [];
    const result = await runQuery(
      { engine: "postgres", connection: "pg-test", query: "SELECT customer_id, total_charges, churn FROM churn" },
      h.ctx("sql", { onProgress: (r) => progress.push(r) }),
    );
    const ref = result.outputs.rows as DatasetRef;
    expect(ref.rows).toBe(customers.length);
    expect(progress.filter((p) => typeof p.details?.rows === "number").map((p) => p.details!.rows)).toEqual(expect.arrayContaining([5000, customers.length]));
    const [agg] = await rowsOf(ref, "count(*) FILTER (churn = 'Yes')::INT AS yes, count(*) FILTER (total_charges IS NULL)::INT AS blank, sum(total_charges) AS total");
    expect(agg!.yes).toBe(customers.filter((c) => c.Churn === "Yes").length);
    expect(agg!.blank).toBe(customers.filter((c) => c.TotalCharges === null).length);
    expect(cents(agg!.total as number)).toBe(cents(customers.reduce((s, c) => s + (c.TotalCharges ?? 0), 0)));
    expect(readdirSync(path.join(h.dataDir, "tmp"))).toEqual([]);
  });

  it("maps PostgreSQL types to DuckDB types without losing precision", async () => {
    const query = `SELECT 9007199254740993::int8 AS big, 12345678901234567890.123456789::numeric(30,9) AS exact, 1.5::numeric AS loose,
        'NaN'::float8 AS nan, '-Infinity'::float8 AS neg_inf, 0.1::float4 AS small, 7::int2 AS tiny,
        true AS yes, DATE '2024-02-29' AS day, TIMESTAMP '2024-02-29 23:59:59.123456' AS at,
        TIMESTAMPTZ '2024-02-29 23:59:59+02' AS at_tz, TIME '10:20:30' AS clock, '\\xdead'::bytea AS bytes,
        '6ba7b810-9dad-11d1-80b4-00c04fd430c8'::uuid AS id, '{"a": [1, 2]}'::jsonb AS doc, ARRAY['x', 'y'] AS tags,
        NULL::int AS nothing, 'ünïcødé ✓' AS text`;
    const ref = (await postgres(query)).outputs.rows as DatasetRef;
    expect(types(ref)).toEqual({
      big: "BIGINT",
      exact: "DECIMAL(30,9)",
      loose: "DOUBLE",
      nan: "DOUBLE",
      neg_inf: "DOUBLE",
      small: "DOUBLE",
      tiny: "SMALLINT",
      yes: "BOOLEAN",
      day: "DATE",
      at: "TIMESTAMP",
      at_tz: "TIMESTAMP WITH TIME ZONE",
      clock: "TIME",
      bytes: "BLOB",
      id: "VARCHAR",
      doc: "VARCHAR",
      tags: "VARCHAR",
      nothing: "INTEGER",
      text: "VARCHAR",
    });
    const [row] = await rowsOf(
      ref,
      `big::VARCHAR AS big, exact::VARCHAR AS exact, loose, isnan(nan) AS nan, neg_inf::VARCHAR AS neg_inf, small, tiny, yes, day::VARCHAR AS day, "at"::VARCHAR AS "at", epoch(at_tz) AS at_tz, clock::VARCHAR AS clock, hex(bytes) AS bytes, id, doc, tags, nothing, text`,
    );
    expect(row).toEqual({
      big: "9007199254740993",
      exact: "12345678901234567890.123456789",
      loose: 1.5,
      nan: true,
      neg_inf: "-inf",
      small: 0.1,
      tiny: 7,
      yes: true,
      day: "2024-02-29",
      at: "2024-02-29 23:59:59.123456",
      at_tz: Date.UTC(2024, 1, 29, 21, 59, 59) / 1000,
      clock: "10:20:30",
      bytes: "DEAD",
      id: "6ba7b810-9dad-11d1-80b4-00c04fd430c8",
      doc: '{"a": [1, 2]}',
      tags: "{x,y}",
      nothing: null,
      text: "ünïcødé ✓",
    });
    // An empty result still has its columns and types.
    const empty = (await postgres("SELECT customer_id, tenure FROM churn WHERE false")).outputs.rows as DatasetRef;
    expect(empty.rows).toBe(0);
    expect(types(empty)).toEqual({ customer_id: "VARCHAR", tenure: "INTEGER" });
  });

  it("refuses statements that write, and leaves the data intact", async () => {
    const count = async () => Number((await pgQuery<{ n: string }>("SELECT count(*) AS n FROM churn"))[0]!.n);
    const attempts = [
      "INSERT INTO churn (customer_id) VALUES ('x')",
      "UPDATE churn SET churn = 'No'",
      "DELETE FROM churn",
      "DROP TABLE churn",
      "TRUNCATE churn",
      "CREATE TABLE evil AS SELECT * FROM churn",
      "SELECT * INTO evil FROM churn",
      "WITH gone AS (DELETE FROM churn RETURNING *) SELECT count(*) FROM gone",
      "SELECT nextval('ids')",
      "SELECT * FROM churn FOR UPDATE",
      "  /* sneaky */ -- comment\n  DELETE FROM churn",
    ];
    for (const query of attempts) {
      const err = await failure(postgres(query));
      expect(err, query).toBeInstanceOf(ConfigError);
      expect(err.where, query).toBe("query");
      expectNoSecret(err);
    }
    expect(await count()).toBe(customers.length);
    expect(await pgQuery("SELECT to_regclass('evil') AS t")).toEqual([{ t: null }]);
    expect((await pgQuery<{ n: string }>("SELECT count(*) AS n FROM churn WHERE churn = 'Yes'"))[0]!.n).toBe(String(customers.filter((c) => c.Churn === "Yes").length));
  });

  it("refuses two statements, with or without params", async () => {
    for (const [query, params] of [
      ["SELECT 1; DROP TABLE churn", []],
      ["SELECT $1::int; DELETE FROM churn", [1]],
      ["SELECT 1; SELECT 2", []],
    ] as const) {
      const err = await failure(postgres(query, [...params]));
      expect(err, query).toBeInstanceOf(ConfigError);
      expect(err.message, query).toMatch(/multiple commands|one statement/);
    }
    expect(Number((await pgQuery<{ n: string }>("SELECT count(*) AS n FROM churn"))[0]!.n)).toBe(customers.length);
  });

  it("names the problem and where it is in a SQL error", async () => {
    const syntax = await failure(postgres("SELECT customer_id\nFROM churn\nWHERE tenure >"));
    expect(syntax).toBeInstanceOf(ConfigError);
    expect(syntax.where).toBe("query");
    expect(syntax.message).toMatch(/syntax error at end of input \(line 3, column 15\)/);
    const table = await failure(postgres("SELECT *\n  FROM customers"));
    expect(table.message).toMatch(/relation "customers" does not exist \(line 2, column 8\)/);
    const column = await failure(postgres("SELECT tenur FROM churn"));
    expect(column.message).toMatch(/column "tenur" does not exist/);
    expect(column.message).toMatch(/Hint: .*tenure/);
    const params = await failure(postgres("SELECT * FROM churn WHERE contract = $1 AND tenure > $2", ["One year"]));
    expect(params).toBeInstanceOf(ConfigError);
    expect(params.where).toBe("params");
    const runtime = await failure(postgres("SELECT tenure / 0 FROM churn"));
    expect(runtime.message).toMatch(/division by zero/);
    for (const e of [syntax, table, column, params, runtime]) expectNoSecret(e);
  });

  it("a wrong password and a closed port are transient, and say nothing secret", async () => {
    await pgConnection("pg-badpw", { password: "s3cr3t-wrong-pw" });
    const auth = await failure(runQuery({ engine: "postgres", connection: "pg-badpw", query: "SELECT 1" }));
    expect(auth).toBeInstanceOf(TransientError);
    expect(auth.message).toMatch(/password authentication failed/);
    expectNoSecret(auth);

    await pgConnection("pg-closed", { port: closedPort });
    const refused = await failure(runQuery({ engine: "postgres", connection: "pg-closed", query: "SELECT 1" }));
    expect(refused).toBeInstanceOf(TransientError);
    expect(refused.message).toMatch(/ECONNREFUSED/);
    expect(refused.message).toContain('connection "pg-closed"');
    expectNoSecret(refused);
  });

  it("a missing connection, or one of another kind, is a config error naming the field", async () => {
    const missing = await failure(runQuery({ engine: "postgres", connection: "nope", query: "SELECT 1" }));
    expect(missing).toBeInstanceOf(ConfigError);
    expect(missing.where).toBe("connection");
    expect(missing.message).toBe('connection: there is no connection named "nope"; an admin creates connections on the Connections page');

    await h.connection({ name: "a-file", kind: "sqlite", config: { file: sqliteFile } });
    const wrongKind = await failure(runQuery({ engine: "postgres", connection: "a-file", query: "SELECT 1" }));
    expect(wrongKind).toBeInstanceOf(ConfigError);
    expect(wrongKind.where).toBe("connection");
    expect(wrongKind.message).toMatch(/"a-file" is a sqlite connection; this needs a postgres one/);
    const wrongKind2 = await failure(runQuery({ engine: "sqlite", connection: "pg-test", query: "SELECT 1" }));
    expect(wrongKind2.message).toMatch(/"pg-test" is a postgres connection; this needs a sqlite one/);
  });

  it("a query slower than timeoutSeconds is cancelled by the server", async () => {
    const started = Date.now();
    const err = await failure(postgres("SELECT pg_sleep(10)", [], { timeoutSeconds: 1 }));
    expect(err).toBeInstanceOf(TransientError);
    expect(err.message).toMatch(/longer than 1 s \(timeoutSeconds\)/);
    expect(Date.now() - started).toBeLessThan(8_000);
  });

  it("the admin's maximum caps the statement timeout, whatever the node asks for", async () => {
    process.env.LOOPWRIGHT_PG_MAX_STATEMENT_TIMEOUT_MS = "1000";
    try {
      const started = Date.now();
      const err = await failure(postgres("SELECT pg_sleep(6)", [], { timeoutSeconds: 600 }));
      expect(err).toBeInstanceOf(TransientError);
      expect(err.message).toMatch(/took longer than 1 s \(the statement timeout of connection "pg-test", 1 s\)/);
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      delete process.env.LOOPWRIGHT_PG_MAX_STATEMENT_TIMEOUT_MS;
    }
    // A connection's own lower limit applies too, and a node may only lower it.
    await pgConnection("pg-short", { statementTimeoutMs: 1_000 });
    const err = await failure(runQuery({ engine: "postgres", connection: "pg-short", query: "SELECT pg_sleep(6)", timeoutSeconds: 60 }));
    expect(err.message).toMatch(/took longer than 1 s \(the statement timeout of connection "pg-short", 1 s\)/);
    expect((await postgres("SELECT pg_sleep(1.5) AS slept")).outputs.rows).toMatchObject({ rows: 1 });
  });

  it("cancelling the run cancels the running query on the server", async () => {
    const ac = new AbortController();
    const started = Date.now();
    const run = runQuery(
      { engine: "postgres", connection: "pg-test", query: "SELECT pg_sleep(60), 1 AS x" },
      h.ctx("sql", { signal: ac.signal }),
    );
    const running = async () =>
      (await pgQuery<{ n: string }>("SELECT count(*) AS n FROM pg_stat_activity WHERE query LIKE 'FETCH % FROM loopwright_rows' AND state = 'active'"))[0]!.n;
    for (let i = 0; i < 100 && (await running()) === "0"; i++) await new Promise((r) => setTimeout(r, 50));
    expect(await running()).toBe("1");
    ac.abort(new Error("run cancelled"));
    const err = await failure(run);
    expect(err.message).toBe("run cancelled");
    expect(Date.now() - started).toBeLessThan(10_000);
    for (let i = 0; i < 100 && (await running()) !== "0"; i++) await new Promise((r) => setTimeout(r, 50));
    expect(await running()).toBe("0");
    expect(readdirSync(path.join(h.dataDir, "tmp"))).toEqual([]);
  });
});

describe("postgres test server", () => {
  it("says which package to install when PostgreSQL is missing", () => {
    expect(() => findPostgresBin("/nonexistent/postgresql", { PATH: "/nonexistent/bin" })).toThrow(/apt-get install postgresql/);
  });
});
