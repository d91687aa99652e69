import Database from "better-sqlite3";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import { startPostgres, type PostgresTestServer } from "../../lib/postgres-test-server";
import { harness, type Harness, failure } from "../../tests/harness";
import { ConfigError, type DatasetRef, type NodeContext } from "../sdk";
import writeTable from "./write-table.node.ts";

let h: Harness;
let n = 0;
beforeAll(() => {
  h = harness();
});
afterAll(() => h.close());

/** A fresh database file (in the exports folder) per test, so tests do not see each other's rows. */
const newDb = () => `crm-${++n}.sqlite`;
const exported = (name: string) => path.join(h.dataDir, "exports", name);
const dataset = (sql: string) => h.ctx("setup").datasets.create(sql);
const write = (config: Record<string, unknown>, rows: DatasetRef, ctx: NodeContext) => h.run(writeTable, config, { rows }, ctx);

function readAll(name: string, sql: string): unknown[] {
  const db = new Database(name.includes("/") ? name : exported(name), { readonly: true });
  try {
    return db.prepare(sql).all();
  } finally {
    db.close();
  }
}


const CUSTOMERS = `SELECT * FROM (VALUES
  (1, 'ann', 1.5, true, DATE '2024-01-02'),
  (2, 'bob', 2.25, false, DATE '2024-02-03'),
  (3, 'cy', NULL, true, NULL)
) t(id, name, score, active, joined)`;

describe("action.write-table", () => {
  it("creates the table with mapped types and a primary key, then upserts on a later run", async () => {
    const database = newDb();
    const config = { file: database, table: "customers", keys: ["id"] };
    const first = await write(config, await dataset(CUSTOMERS), h.ctx("write", { runId: "run-1" }));
    expect(first.metrics).toEqual({ table: "customers", rowsWritten: 3, inserted: 3, updated: 0, skipped: false });
    expect(readAll(database, "SELECT name, type, pk FROM pragma_table_info('customers') ORDER BY cid")).toEqual([
      { name: "id", type: "INTEGER", pk: 1 },
      { name: "name", type: "TEXT", pk: 0 },
      { name: "score", type: "REAL", pk: 0 },
      { name: "active", type: "INTEGER", pk: 0 },
      { name: "joined", type: "TEXT", pk: 0 },
    ]);
    expect(readAll(database, "SELECT * FROM customers ORDER BY id")).toEqual([
      { id: 1, name: "ann", score: 1.5, active: 1, joined: "2024-01-02" },
      { id: 2, name: "bob", score: 2.25, active: 0, joined: "2024-02-03" },
      { id: 3, name: "cy", score: null, active: 1, joined: null },
    ]);

    const changed = await dataset(`SELECT * FROM (VALUES (2, 'bobby', 9.0, true, DATE '2025-01-01'), (4, 'dee', 4.0, false, NULL)) t(id, name, score, active, joined)`);
    const second = await write(config, changed, h.ctx("write", { runId: "run-2" }));
    expect(second.metrics).toEqual({ table: "customers", rowsWritten: 2, inserted: 1, updated: 1, skipped: false });
    expect(readAll(database, "SELECT id, name, score, active, joined FROM customers ORDER BY id")).toEqual([
      { id: 1, name: "ann", score: 1.5, active: 1, joined: "2024-01-02" },
      { id: 2, name: "bobby", score: 9, active: 1, joined: "2025-01-01" },
      { id: 3, name: "cy", score: null, active: 1, joined: null },
      { id: 4, name: "dee", score: 4, active: 0, joined: null },
    ]);
    expect(readAll(database, "SELECT idempotency_key, table_name, rows FROM _loopwright_writes ORDER BY idempotency_key")).toEqual([
      { idempotency_key: "run-1:write", table_name: "customers", rows: 3 },
      { idempotency_key: "run-2:write", table_name: "customers", rows: 2 },
    ]);
  });

  it("writes once per idempotency key: a retry leaves later changes alone", async () => {
    const database = newDb();
    const config = { file: database, table: "customers", keys: ["id"] };
    const rows = await dataset(CUSTOMERS);
    await write(config, rows, h.ctx("write", { runId: "run-x", attempt: 1 }));

    // Someone edits the system of record between the lost completion and the retry.
    const db = new Database(exported(database));
    db.prepare("UPDATE customers SET name = 'edited' WHERE id = 1").run();
    db.close();

    const retry = await write(config, rows, h.ctx("write", { runId: "run-x", attempt: 2 }));
    expect(retry.metrics).toMatchObject({ skipped: true, rowsWritten: 0 });
    expect(readAll(database, "SELECT id, name FROM customers ORDER BY id")).toEqual([
      { id: 1, name: "edited" },
      { id: 2, name: "bob" },
      { id: 3, name: "cy" },
    ]);
    expect(readAll(database, "SELECT count(*) AS n FROM _loopwright_writes")).toEqual([{ n: 1 }]);
  });

  it("writes only the chosen columns plus the keys", async () => {
    const database = newDb();
    await write({ file: database, table: "names", keys: ["id"], columns: ["name"] }, await dataset(CUSTOMERS), h.ctx("write"));
    expect(readAll(database, "SELECT * FROM names ORDER BY id")).toEqual([
      { id: 1, name: "ann" },
      { id: 2, name: "bob" },
      { id: 3, name: "cy" },
    ]);
  });

  it("rejects a table that lacks a column, writing nothing", async () => {
    const database = newDb();
    mkdirSync(path.join(h.dataDir, "exports"), { recursive: true });
    const db = new Database(exported(database));
    db.exec("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)");
    db.close();
    const err = await failure(write({ file: database, table: "customers", keys: ["id"] }, await dataset(CUSTOMERS), h.ctx("write")));
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.where).toBe("columns");
    expect(err.message).toContain('"score"');
    expect(readAll(database, "SELECT count(*) AS n FROM customers")).toEqual([{ n: 0 }]);
    expect(readAll(database, "SELECT count(*) AS n FROM _loopwright_writes")).toEqual([{ n: 0 }]);
  });

  it("rejects keys the existing table has no unique index on", async () => {
    const database = newDb();
    mkdirSync(path.join(h.dataDir, "exports"), { recursive: true });
    const db = new Database(exported(database));
    db.exec("CREATE TABLE customers (id INTEGER, name TEXT, score REAL, active INTEGER, joined TEXT)");
    db.close();
    const err = await failure(write({ file: database, table: "customers", keys: ["id"] }, await dataset(CUSTOMERS), h.ctx("write")));
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.where).toBe("keys");
  });

  it("rejects a key the input does not have, and a table name that is not plain", async () => {
    const rows = await dataset(CUSTOMERS);
    const noKey = await failure(write({ file: newDb(), table: "t", keys: ["email"] }, rows, h.ctx("write")));
    expect(noKey).toBeInstanceOf(ConfigError);
    expect(noKey.where).toBe("keys");
    const badName = await failure(write({ file: newDb(), table: "t; DROP TABLE x", keys: ["id"] }, rows, h.ctx("write")));
    expect(badName).toBeInstanceOf(ConfigError);
    expect(badName.where).toBe("table");
  });

  it("rolls everything back when the write stops half way", async () => {
    const database = newDb();
    const rows = await dataset("SELECT range AS id, 'n' || range AS name FROM range(12000)");
    const abort = new AbortController();
    // Abort after the first batch has gone into the table: the next batch must find the signal set.
    const ctx: NodeContext = { ...h.ctx("write", { runId: "run-crash" }), signal: abort.signal, progress: () => abort.abort() };
    await expect(write({ file: database, table: "big", keys: ["id"] }, rows, ctx)).rejects.toThrow(/abort/i);
    expect(readAll(database, "SELECT name FROM sqlite_master WHERE name = 'big'")).toEqual([]);
    expect(readAll(database, "SELECT count(*) AS n FROM _loopwright_writes")).toEqual([{ n: 0 }]);

    // The retry of the same node then writes everything, once.
    const retry = await write({ file: database, table: "big", keys: ["id"] }, rows, h.ctx("write", { runId: "run-crash", attempt: 2 }));
    expect(retry.metrics).toMatchObject({ rowsWritten: 12000, inserted: 12000, skipped: false });
    expect(readAll(database, "SELECT count(*) AS n, min(id) AS lo, max(id) AS hi FROM big")).toEqual([{ n: 12000, lo: 0, hi: 11999 }]);
  });
});

describe("action.write-table targets", () => {
  it("writes into the file of a SQLite connection", async () => {
    const file = path.join(h.dataDir, "sor", "crm.sqlite");
    await h.connection({ name: "crm-file", kind: "sqlite", config: { file } });
    const res = await write({ connection: "crm-file", table: "customers", keys: ["id"] }, await dataset(CUSTOMERS), h.ctx("write", { runId: "run-conn" }));
    expect(res.metrics).toMatchObject({ rowsWritten: 3, inserted: 3 });
    expect(readAll(file, "SELECT id, name FROM customers ORDER BY id")).toEqual([
      { id: 1, name: "ann" },
      { id: 2, name: "bob" },
      { id: 3, name: "cy" },
    ]);
  });

  it("writes a file only into the exports folder: a path is refused before anything is written", async () => {
    const rows = await dataset(CUSTOMERS);
    for (const file of ["../loopwright.sqlite", "sub/crm.sqlite", "/tmp/crm.sqlite", ".hidden.sqlite", "..sqlite"]) {
      const err = await failure(write({ file, table: "t", keys: ["id"] }, rows, h.ctx("write")));
      expect(err, file).toBeInstanceOf(ConfigError);
      expect(err.where, file).toBe("file");
    }
    const neither = await failure(write({ table: "t", keys: ["id"] }, rows, h.ctx("write")));
    expect(neither.where).toBe("connection");
    const both = await failure(write({ connection: "crm-file", file: "x.sqlite", table: "t", keys: ["id"] }, rows, h.ctx("write")));
    expect(both.where).toBe("file");
  });

  it("refuses a connection of another kind", async () => {
    await h.connection({ name: "mail", kind: "smtp", config: { host: "mail.example.com", from: "a@example.com" } });
    const err = await failure(write({ connection: "mail", table: "t", keys: ["id"] }, await dataset(CUSTOMERS), h.ctx("write")));
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.where).toBe("connection");
    expect(err.message).toMatch(/"mail" is a smtp connection; this needs a sqlite or postgres one/);
  });
});

describe("action.write-table into PostgreSQL", () => {
  let server: PostgresTestServer;
  const pgRows = async (sql: string) => {
    const c = new pg.Client({ connectionString: server.url });
    await c.connect();
    try {
      return (await c.query(sql)).rows;
    } finally {
      await c.end();
    }
  };
  beforeAll(async () => {
    server = await startPostgres();
    await h.connection({
      name: "crm-pg",
      kind: "postgres",
      config: { host: "127.0.0.1", port: server.port, database: server.database, user: server.user },
      secrets: { password: server.password },
    });
  });
  afterAll(() => server?.stop());

  it("creates the table with PostgreSQL types, upserts by key, and writes once per idempotency key", async () => {
    const first = await write({ connection: "crm-pg", table: "customers", keys: ["id"] }, await dataset(CUSTOMERS), h.ctx("write", { runId: "pg-1" }));
    expect(first.metrics).toEqual({ table: "customers", rowsWritten: 3, inserted: 3, updated: 0, skipped: false });
    expect(await pgRows("SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'customers' ORDER BY ordinal_position")).toEqual([
      { column_name: "id", data_type: "integer" },
      { column_name: "name", data_type: "text" },
      { column_name: "score", data_type: "numeric" },
      { column_name: "active", data_type: "boolean" },
      { column_name: "joined", data_type: "date" },
    ]);
    const changed = await dataset(`SELECT * FROM (VALUES (2, 'bobby', 9.0, true, DATE '2025-01-01'), (4, 'dee', 4.0, false, NULL)) t(id, name, score, active, joined)`);
    const second = await write({ connection: "crm-pg", table: "customers", keys: ["id"] }, changed, h.ctx("write", { runId: "pg-2" }));
    expect(second.metrics).toEqual({ table: "customers", rowsWritten: 2, inserted: 1, updated: 1, skipped: false });
    expect(await pgRows("SELECT id, name, score::text AS score, active, joined::text AS joined FROM customers ORDER BY id")).toEqual([
      { id: 1, name: "ann", score: "1.50", active: true, joined: "2024-01-02" },
      { id: 2, name: "bobby", score: "9.00", active: true, joined: "2025-01-01" },
      { id: 3, name: "cy", score: null, active: true, joined: null },
      { id: 4, name: "dee", score: "4.00", active: false, joined: null },
    ]);
    // A retry of a node that already wrote changes nothing.
    const retry = await write({ connection: "crm-pg", table: "customers", keys: ["id"] }, changed, h.ctx("write", { runId: "pg-2", attempt: 2 }));
    expect(retry.metrics).toMatchObject({ skipped: true, rowsWritten: 0 });
    expect(await pgRows("SELECT idempotency_key, rows::int AS rows FROM _loopwright_writes ORDER BY idempotency_key")).toEqual([
      { idempotency_key: "pg-1:write", rows: 3 },
      { idempotency_key: "pg-2:write", rows: 2 },
    ]);
  });

  it("writes many rows in batches in one transaction, and refuses duplicate keys writing nothing", async () => {
    const big = await dataset("SELECT range AS id, 'n' || range AS name FROM range(7000)");
    expect((await write({ connection: "crm-pg", table: "big", keys: ["id"] }, big, h.ctx("write", { runId: "pg-big" }))).metrics).toMatchObject({ rowsWritten: 7000, inserted: 7000 });
    expect(await pgRows("SELECT count(*)::int AS n, sum(id)::bigint::text AS s FROM big")).toEqual([{ n: 7000, s: String((6999 * 7000) / 2) }]);

    const dup = await dataset("SELECT * FROM (VALUES (1, 'a'), (1, 'b')) t(id, name)");
    const err = await failure(write({ connection: "crm-pg", table: "dups", keys: ["id"] }, dup, h.ctx("write", { runId: "pg-dup" })));
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.where).toBe("keys");
    expect(await pgRows("SELECT to_regclass('dups') AS t")).toEqual([{ t: null }]);
    expect(JSON.stringify({ message: err.message, stack: err.stack })).not.toContain(server.password);
  });

  it("names a missing column and a missing unique key as config errors", async () => {
    await pgRows("CREATE TABLE narrow (id integer PRIMARY KEY, name text)");
    await pgRows("CREATE TABLE nokey (id integer, name text, score numeric, active boolean, joined date)");
    const rows = await dataset(CUSTOMERS);
    const cols = await failure(write({ connection: "crm-pg", table: "narrow", keys: ["id"] }, rows, h.ctx("write", { runId: "pg-narrow" })));
    expect(cols.where).toBe("columns");
    expect(cols.message).toContain('"score"');
    const keys = await failure(write({ connection: "crm-pg", table: "nokey", keys: ["id"] }, rows, h.ctx("write", { runId: "pg-nokey" })));
    expect(keys.where).toBe("keys");
    expect(keys.message).toMatch(/no primary key or unique index on \(id\)/);
  });
});
