import Database from "better-sqlite3";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { harness, type Harness, failure } from "../../tests/harness";
import { ConfigError, type DatasetRef, type NodeContext } from "../sdk";
import writeTable from "./write-table.node.ts";

let h: Harness;
let n = 0;
beforeAll(() => {
  h = harness();
});
afterAll(() => h.close());

/** A fresh database file per test, so tests do not see each other's rows. */
const newDb = () => path.join(h.dataDir, "sor", `crm-${++n}.sqlite`);
const dataset = (sql: string) => h.ctx("setup").datasets.create(sql);
const write = (config: Record<string, unknown>, rows: DatasetRef, ctx: NodeContext) => h.run(writeTable, config, { rows }, ctx);

function readAll(file: string, sql: string): unknown[] {
  const db = new Database(file, { readonly: true });
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
    const config = { database, table: "customers", keys: ["id"] };
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
    const config = { database, table: "customers", keys: ["id"] };
    const rows = await dataset(CUSTOMERS);
    await write(config, rows, h.ctx("write", { runId: "run-x", attempt: 1 }));

    // Someone edits the system of record between the lost completion and the retry.
    const db = new Database(database);
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
    await write({ database, table: "names", keys: ["id"], columns: ["name"] }, await dataset(CUSTOMERS), h.ctx("write"));
    expect(readAll(database, "SELECT * FROM names ORDER BY id")).toEqual([
      { id: 1, name: "ann" },
      { id: 2, name: "bob" },
      { id: 3, name: "cy" },
    ]);
  });

  it("rejects a table that lacks a column, writing nothing", async () => {
    const database = newDb();
    const db = new Database(database);
    db.exec("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)");
    db.close();
    const err = await failure(write({ database, table: "customers", keys: ["id"] }, await dataset(CUSTOMERS), h.ctx("write")));
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.where).toBe("columns");
    expect(err.message).toContain('"score"');
    expect(readAll(database, "SELECT count(*) AS n FROM customers")).toEqual([{ n: 0 }]);
    expect(readAll(database, "SELECT count(*) AS n FROM _loopwright_writes")).toEqual([{ n: 0 }]);
  });

  it("rejects keys the existing table has no unique index on", async () => {
    const database = newDb();
    const db = new Database(database);
    db.exec("CREATE TABLE customers (id INTEGER, name TEXT, score REAL, active INTEGER, joined TEXT)");
    db.close();
    const err = await failure(write({ database, table: "customers", keys: ["id"] }, await dataset(CUSTOMERS), h.ctx("write")));
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.where).toBe("keys");
  });

  it("rejects a key the input does not have, and a table name that is not plain", async () => {
    const rows = await dataset(CUSTOMERS);
    const noKey = await failure(write({ database: newDb(), table: "t", keys: ["email"] }, rows, h.ctx("write")));
    expect(noKey).toBeInstanceOf(ConfigError);
    expect(noKey.where).toBe("keys");
    const badName = await failure(write({ database: newDb(), table: "t; DROP TABLE x", keys: ["id"] }, rows, h.ctx("write")));
    expect(badName).toBeInstanceOf(ConfigError);
    expect(badName.where).toBe("table");
  });

  it("rolls everything back when the write stops half way", async () => {
    const database = newDb();
    const rows = await dataset("SELECT range AS id, 'n' || range AS name FROM range(12000)");
    const abort = new AbortController();
    // Abort after the first batch has gone into the table: the next batch must find the signal set.
    const ctx: NodeContext = { ...h.ctx("write", { runId: "run-crash" }), signal: abort.signal, progress: () => abort.abort() };
    await expect(write({ database, table: "big", keys: ["id"] }, rows, ctx)).rejects.toThrow(/abort/i);
    expect(readAll(database, "SELECT name FROM sqlite_master WHERE name = 'big'")).toEqual([]);
    expect(readAll(database, "SELECT count(*) AS n FROM _loopwright_writes")).toEqual([{ n: 0 }]);

    // The retry of the same node then writes everything, once.
    const retry = await write({ database, table: "big", keys: ["id"] }, rows, h.ctx("write", { runId: "run-crash", attempt: 2 }));
    expect(retry.metrics).toMatchObject({ rowsWritten: 12000, inserted: 12000, skipped: false });
    expect(readAll(database, "SELECT count(*) AS n, min(id) AS lo, max(id) AS hi FROM big")).toEqual([{ n: 12000, lo: 0, hi: 11999 }]);
  });
});
