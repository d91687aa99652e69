// action.sync against real destinations: a throwaway PostgreSQL server (the Telco dataset,
// 7,043 rows), a SQLite file, and a local HTTP API.
import Database from "better-sqlite3";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ledger } from "../../db/store";
import { startPostgres, type PostgresTestServer } from "../../lib/postgres-test-server";
import { failure, harness, type Harness } from "../../tests/harness";
import { ConfigError, DataError, type DatasetRef } from "../sdk";
import csvFile from "../source/csv-file.node.ts";
import sync from "./sync.node.ts";
import type { SyncReport } from "./sync-core";

let h: Harness;
beforeAll(() => {
  h = harness();
});
afterAll(() => h.close());

const dataset = (sql: string) => h.ctx("setup").datasets.create(sql);
const from = (ref: DatasetRef) => h.ctx("setup").datasets.from(ref);
const runSync = async (config: Record<string, unknown>, rows: DatasetRef, runId: string): Promise<SyncReport> =>
  (await h.run(sync, config, { rows }, h.ctx("sync", { runId }))).metrics as unknown as SyncReport;
const ledgerOf = async (runId: string) => (await ledger.list(h.store, { channel: "sync" })).filter((r) => r.runId === runId);

describe("action.sync into PostgreSQL (Telco, 7,043 rows)", () => {
  let server: PostgresTestServer;
  let telco: DatasetRef;
  const pgRows = async (sql: string) => {
    const c = new pg.Client({ connectionString: server.url });
    await c.connect();
    try {
      return (await c.query(sql)).rows;
    } finally {
      await c.end();
    }
  };
  const CONFIG = { connection: "crm-pg", table: "telco", keys: ["customerID"], mode: "upsert" };

  beforeAll(async () => {
    server = await startPostgres();
    await h.connection({
      name: "crm-pg",
      kind: "postgres",
      config: { host: "127.0.0.1", port: server.port, database: server.database, user: server.user },
      secrets: { password: server.password },
    });
    const csv = (await h.run(csvFile, { path: "examples/data/telco-customer-churn.csv" })).outputs.rows as DatasetRef;
    // TotalCharges is blank for 11 new customers: a number, or no value.
    telco = await dataset(`SELECT * REPLACE (TRY_CAST(trim(CAST("TotalCharges" AS VARCHAR)) AS DOUBLE) AS "TotalCharges") FROM ${from(csv)}`);
    expect(telco.rows).toBe(7043);
  }, 120_000);
  afterAll(() => server?.stop());

  it("upserts 7,043 rows; unchanged sends nothing; 10 changed send 10; 5 removed in mirror mode delete 5", async () => {
    const first = await runSync(CONFIG, telco, "pg-1");
    expect(first).toMatchObject({ added: 7043, changed: 0, removed: 0, unchanged: 0, rejected: 0, skipped: 0 });
    console.log(`sync into PostgreSQL: 7,043 rows in ${first.seconds} s (${first.rowsPerSecond} rows/s, ${first.calls} statements, ${first.writeSeconds} s of them writing)`);
    expect(await pgRows(`SELECT count(*)::int AS n, round(sum("MonthlyCharges")::numeric, 2)::text AS s, count("TotalCharges")::int AS t FROM telco`)).toEqual([
      { n: 7043, s: "456116.60", t: 7032 },
    ]);
    expect(await pgRows(`SELECT "customerID", "tenure"::int AS tenure, "Contract" FROM telco WHERE "customerID" = '7590-VHVEG'`)).toEqual([{ customerID: "7590-VHVEG", tenure: 1, Contract: "Month-to-month" }]);
    // Every row sent is in the decision ledger, keyed by the customer.
    const sent = await ledgerOf("pg-1");
    expect(sent).toHaveLength(7043);
    expect(sent.every((r) => r.status === "sent" && r.channel === "sync")).toBe(true);

    // The same dataset again: nothing is sent.
    const again = await runSync(CONFIG, telco, "pg-2");
    expect(again).toMatchObject({ added: 0, changed: 0, removed: 0, unchanged: 7043, rejected: 0, calls: 0 });
    expect(await ledgerOf("pg-2")).toHaveLength(0);

    // 10 customers change: 10 rows are sent.
    const ten = (await pgRows(`SELECT "customerID" AS id FROM telco ORDER BY "customerID" LIMIT 10`)).map((r: { id: string }) => r.id);
    const inTen = `"customerID" IN (${ten.map((id) => `'${id}'`).join(", ")})`;
    const changed = await dataset(`SELECT * REPLACE (CASE WHEN ${inTen} THEN "MonthlyCharges" + 1000 ELSE "MonthlyCharges" END AS "MonthlyCharges") FROM ${from(telco)}`);
    const third = await runSync(CONFIG, changed, "pg-3");
    expect(third).toMatchObject({ added: 0, changed: 10, removed: 0, unchanged: 7033, rejected: 0 });
    expect(await pgRows(`SELECT count(*)::int AS n FROM telco WHERE "MonthlyCharges" > 1000`)).toEqual([{ n: 10 }]);
    expect((await ledgerOf("pg-3")).map((r) => r.customerId).sort()).toEqual([...ten].sort());

    // 5 customers leave the dataset; mirror mode deletes exactly those 5.
    const five = ten.slice(0, 5);
    const fewer = await dataset(`SELECT * FROM ${from(changed)} WHERE "customerID" NOT IN (${five.map((id) => `'${id}'`).join(", ")})`);
    const fourth = await runSync({ ...CONFIG, mode: "mirror" }, fewer, "pg-4");
    expect(fourth).toMatchObject({ added: 0, changed: 0, removed: 5, unchanged: 7038, rejected: 0 });
    expect(await pgRows(`SELECT count(*)::int AS n FROM telco`)).toEqual([{ n: 7038 }]);
    expect(await pgRows(`SELECT count(*)::int AS n FROM telco WHERE "customerID" IN (${five.map((id) => `'${id}'`).join(", ")})`)).toEqual([{ n: 0 }]);
    const removed = await ledgerOf("pg-4");
    expect(removed.map((r) => r.customerId).sort()).toEqual([...five].sort());
    expect(removed.every((r) => r.status === "sent" && (r.content as { op?: string }).op === "remove")).toBe(true);

    // Mirror again: nothing left to remove, nothing sent.
    expect(await runSync({ ...CONFIG, mode: "mirror" }, fewer, "pg-5")).toMatchObject({ removed: 0, unchanged: 7038, calls: 0 });
  }, 120_000);

  it("rejects the rows violating a NOT NULL constraint with the reason, while the rest land; they are tried again next time", async () => {
    await pgRows(`CREATE TABLE telco_strict (LIKE telco INCLUDING ALL)`);
    await pgRows(`ALTER TABLE telco_strict ALTER COLUMN "TotalCharges" SET NOT NULL`);
    const blank = (await h.ctx("setup").datasets.query<{ id: string }>(`SELECT "customerID" AS id FROM ${from(telco)} WHERE "TotalCharges" IS NULL ORDER BY 1`)).map((r) => r.id);
    expect(blank).toHaveLength(11);

    const res = await runSync({ ...CONFIG, table: "telco_strict" }, telco, "strict-1");
    expect(res).toMatchObject({ added: 7032, rejected: 11, unchanged: 0 });
    expect(res.rejections.map((r) => r.key).sort()).toEqual(blank);
    for (const r of res.rejections) expect(r.reason).toMatch(/null value in column "TotalCharges" of relation "telco_strict" violates not-null constraint/);
    expect(await pgRows(`SELECT count(*)::int AS n FROM telco_strict`)).toEqual([{ n: 7032 }]);
    // Only the refused batches were split, at most 2 statements per halving per bad row: far fewer than one per row.
    expect(res.calls).toBeLessThanOrEqual(2 + 11 * 2 * Math.ceil(Math.log2(5000)));

    const failed = (await ledgerOf("strict-1")).filter((r) => r.status === "failed");
    expect(failed.map((r) => r.customerId).sort()).toEqual(blank);
    expect(failed[0]!.reason).toMatch(/not-null constraint/);
    expect(JSON.stringify(res)).not.toContain(server.password);

    // The rejected rows were not saved as synced: the next sync tries exactly those again.
    const again = await runSync({ ...CONFIG, table: "telco_strict" }, telco, "strict-2");
    expect(again).toMatchObject({ added: 0, changed: 0, unchanged: 7032, rejected: 11 });
  }, 120_000);

  it("insert mode skips records already there; update mode skips records not there", async () => {
    await pgRows(`CREATE TABLE few (id integer PRIMARY KEY, name text NOT NULL)`);
    await pgRows(`INSERT INTO few VALUES (1, 'kept')`);
    const rows = await dataset(`SELECT * FROM (VALUES (1, 'ann'), (2, 'bob')) t(id, name)`);
    const ins = await runSync({ connection: "crm-pg", table: "few", keys: ["id"], mode: "insert" }, rows, "few-1");
    expect(ins).toMatchObject({ added: 1, skipped: 1, rejected: 0 });
    expect(ins.skips[0]).toEqual({ key: "1", reason: expect.stringMatching(/already in the table/) });
    expect(await pgRows(`SELECT id, name FROM few ORDER BY id`)).toEqual([
      { id: 1, name: "kept" },
      { id: 2, name: "bob" },
    ]);

    await pgRows(`CREATE TABLE few2 (id integer PRIMARY KEY, label text)`);
    await pgRows(`INSERT INTO few2 VALUES (2, 'old')`);
    const upd = await runSync({ connection: "crm-pg", table: "few2", keys: ["id"], mode: "update", mapping: [{ column: "name", field: "label" }] }, rows, "few-2");
    expect(upd).toMatchObject({ added: 1, skipped: 1 });
    expect(upd.skips[0]!.reason).toMatch(/no record with this key/);
    expect(await pgRows(`SELECT id, label FROM few2 ORDER BY id`)).toEqual([{ id: 2, label: "bob" }]);

    const missing = await failure(h.run(sync, { connection: "crm-pg", table: "nope", keys: ["id"], mode: "update" }, { rows }, h.ctx("sync")));
    expect(missing).toBeInstanceOf(ConfigError);
    expect(missing.where).toBe("table");
  });
});

// ---------------------------------------------------------------------------------------------

describe("action.sync into SQLite", () => {
  const file = () => path.join(h.dataDir, "sor", "crm.sqlite");
  const read = (sql: string) => {
    const db = new Database(file(), { readonly: true });
    try {
      return db.prepare(sql).all();
    } finally {
      db.close();
    }
  };
  beforeAll(async () => {
    await h.connection({ name: "crm-file", kind: "sqlite", config: { file: file() } });
  });
  const V1 = `SELECT * FROM (VALUES (1, 'ann', 1.5), (2, 'bob', 2.5), (3, 'cy', NULL)) t(id, name, score)`;

  it("creates the table, sends only changes, maps fields, removes in mirror mode, and rejects rows one by one", async () => {
    const config = { connection: "crm-file", table: "people", keys: ["id"], mapping: [{ column: "name", field: "full_name" }, { column: "score", field: "points" }] };
    expect(await runSync(config, await dataset(V1), "sq-1")).toMatchObject({ added: 3, unchanged: 0, rejected: 0 });
    expect(read("SELECT * FROM people ORDER BY id")).toEqual([
      { id: 1, full_name: "ann", points: 1.5 },
      { id: 2, full_name: "bob", points: 2.5 },
      { id: 3, full_name: "cy", points: null },
    ]);
    expect(await runSync(config, await dataset(V1), "sq-2")).toMatchObject({ added: 0, changed: 0, unchanged: 3, calls: 0 });

    const v2 = await dataset(`SELECT * FROM (VALUES (1, 'ann', 1.5), (2, 'bobby', 2.5), (4, 'dee', 4.0)) t(id, name, score)`);
    const mirrored = await runSync({ ...config, mode: "mirror", maxRemovePercent: 100 }, v2, "sq-3");
    expect(mirrored).toMatchObject({ added: 1, changed: 1, removed: 1, unchanged: 1 });
    expect(read("SELECT id, full_name FROM people ORDER BY id")).toEqual([
      { id: 1, full_name: "ann" },
      { id: 2, full_name: "bobby" },
      { id: 4, full_name: "dee" },
    ]);

    // A CHECK constraint refuses one row; the others land in the same batch.
    const db = new Database(file());
    db.exec(`CREATE TABLE scores (id INTEGER PRIMARY KEY, score REAL CHECK (score >= 0))`);
    db.close();
    const scores = await dataset(`SELECT * FROM (VALUES (1, 1.0), (2, -5.0), (3, 3.0), (NULL, 4.0), (3, 9.0)) t(id, score)`);
    const res = await runSync({ connection: "crm-file", table: "scores", keys: ["id"] }, scores, "sq-4");
    expect(res).toMatchObject({ added: 2, rejected: 3 });
    expect(res.rejections).toEqual([
      { key: null, reason: 'the key column "id" is empty' },
      { key: "3", reason: expect.stringMatching(/same key/) },
      { key: "2", reason: expect.stringMatching(/CHECK constraint failed/) },
    ]);
    expect(read("SELECT id, score FROM scores ORDER BY id")).toEqual([
      { id: 1, score: 1 },
      { id: 3, score: 3 },
    ]);
  });

  it("refuses to remove more than the allowed share, and names a bad configuration", async () => {
    const config = { connection: "crm-file", table: "guarded", keys: ["id"], mode: "mirror" };
    await runSync(config, await dataset(V1), "g-1");
    const err = await failure(h.run(sync, config, { rows: await dataset(`SELECT 1 AS id, 'ann' AS name, 1.5 AS score`) }, h.ctx("sync", { runId: "g-2" })));
    expect(err).toBeInstanceOf(DataError);
    expect(err.message).toMatch(/2 of the 3 records sent before have left the dataset, more than the 50%/);
    expect(read("SELECT count(*) AS n FROM guarded")).toEqual([{ n: 3 }]);

    const rows = await dataset(V1);
    const noKey = await failure(h.run(sync, { connection: "crm-file", table: "t", keys: ["email"] }, { rows }, h.ctx("sync")));
    expect(noKey).toBeInstanceOf(ConfigError);
    expect(noKey.where).toBe("keys.0");
    const noTable = await failure(h.run(sync, { connection: "crm-file", keys: ["id"] }, { rows }, h.ctx("sync")));
    expect(noTable.where).toBe("table");
    const narrow = await failure(h.run(sync, { connection: "crm-file", table: "people", keys: ["id"] }, { rows }, h.ctx("sync")));
    expect(narrow).toBeInstanceOf(ConfigError);
    expect(narrow.message).toMatch(/no columns "name", "score"/);
  });
});

// ---------------------------------------------------------------------------------------------

describe("action.sync into an HTTP API", () => {
  let server: http.Server;
  let base: string;
  /** The API's records, and every request it saw. */
  const store = new Map<string, Record<string, unknown>>();
  const hits: { method: string; url: string; auth?: string; rows: number; idem?: string }[] = [];
  let busyOnce = new Set<string>();
  const TOKEN = "tok-sync-5a4b3c";

  const reply = (res: http.ServerResponse, status: number, body?: unknown) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(body === undefined ? "" : JSON.stringify(body));
  };
  const invalid = (r: Record<string, unknown>) => (typeof r.email !== "string" || !r.email.includes("@") ? `email "${String(r.email)}" is not an e-mail address` : null);

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = "";
      req.on("data", (d) => (body += d));
      req.on("end", () => {
        const u = new URL(req.url ?? "/", base);
        const parsed: unknown = body ? JSON.parse(body) : undefined;
        const batch = u.pathname === "/bulk" ? ((parsed as { records?: Record<string, unknown>[] })?.records ?? []) : [];
        const idem = req.headers["idempotency-key"] as string | undefined;
        hits.push({ method: req.method!, url: u.pathname, auth: req.headers.authorization, rows: u.pathname === "/bulk" ? batch.length : 1, ...(idem ? { idem } : {}) });
        const one = /^\/contacts\/([^/]+)$/.exec(u.pathname);
        // A server that is busy the first time it sees a path.
        if (one && u.pathname === "/contacts/13" && !busyOnce.has(u.pathname)) {
          busyOnce.add(u.pathname);
          res.writeHead(503, { "retry-after": "0" });
          return res.end();
        }
        if (one && req.method === "PUT") {
          const rec = parsed as Record<string, unknown>;
          const bad = invalid((rec.properties ?? {}) as Record<string, unknown>);
          if (bad) return reply(res, 422, { error: { message: bad } });
          store.set(decodeURIComponent(one[1]!), rec);
          return reply(res, 200, { ok: true });
        }
        if (one && req.method === "DELETE") {
          const had = store.delete(decodeURIComponent(one[1]!));
          return reply(res, had ? 204 : 404);
        }
        if (u.pathname === "/bulk" && req.method === "POST") {
          // All or nothing, like many bulk APIs: one invalid record refuses the batch.
          const bad = batch.map(invalid).find((x) => x);
          if (bad) return reply(res, 400, { message: bad });
          for (const r of batch) store.set(String(r.id), r);
          return reply(res, 200, { ok: batch.length });
        }
        if (u.pathname === "/bulk" && req.method === "DELETE") {
          for (const r of batch) store.delete(String(r.id));
          return reply(res, 200);
        }
        reply(res, 404, { message: "no such route" });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    process.env.LOOPWRIGHT_HTTP_ALLOW = new URL(base).host;
    await h.connection({ name: "crm-api", kind: "http", config: { baseUrl: `${base}/`, auth: "bearer" }, secrets: { token: TOKEN }, plainHttpHosts: ["127.0.0.1"] });
  });
  afterAll(async () => {
    delete process.env.LOOPWRIGHT_HTTP_ALLOW;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const PEOPLE = (n: number, bad: number[] = []) =>
    dataset(`SELECT range AS id, CASE WHEN range IN (${[-1, ...bad].join(", ")}) THEN 'not-an-address' ELSE 'p' || range || '@example.com' END AS email, range * 1.5 AS score FROM range(1, ${n + 1})`);

  it("per row: PUT each record at its key's path with a nested mapping, 422s listed with the API's reason, DELETE on mirror", async () => {
    store.clear();
    hits.length = 0;
    busyOnce = new Set();
    const config = {
      connection: "crm-api",
      path: "/contacts/{id}",
      method: "PUT",
      per: "row",
      keys: ["id"],
      mapping: [
        { column: "email", field: "properties.email" },
        { column: "score", field: "properties.score" },
      ],
    };
    const res = await runSync({ ...config, backoffMs: 0 }, await PEOPLE(20, [7]), "h-1");
    // 20 rows, one of them retried once after a 503, with the same idempotency key.
    expect(res).toMatchObject({ added: 19, rejected: 1, calls: 21 });
    const thirteen = hits.filter((x) => x.url === "/contacts/13");
    expect(thirteen).toHaveLength(2);
    expect(thirteen[0]!.idem).toMatch(/^h-1:sync:13:/);
    expect(thirteen[1]!.idem).toBe(thirteen[0]!.idem);
    expect(res.rejections).toEqual([{ key: "7", reason: 'HTTP 422 Unprocessable Entity: email "not-an-address" is not an e-mail address' }]);
    expect(store.get("3")).toEqual({ id: 3, properties: { email: "p3@example.com", score: 4.5 } });
    expect(hits.every((x) => x.auth === `Bearer ${TOKEN}`)).toBe(true);
    expect(JSON.stringify(res)).not.toContain(TOKEN);

    // Fixed row 7, removed rows 19 and 20: one PUT, two DELETEs.
    hits.length = 0;
    const next = await dataset(`SELECT * FROM ${from(await PEOPLE(18))}`);
    const mirrored = await runSync({ ...config, mode: "mirror" }, next, "h-2");
    expect(mirrored).toMatchObject({ added: 1, changed: 0, removed: 2, unchanged: 17, rejected: 0 });
    expect(hits.map((x) => `${x.method} ${x.url}`).sort()).toEqual(["DELETE /contacts/19", "DELETE /contacts/20", "PUT /contacts/7"]);
    expect([...store.keys()].map(Number).sort((a, b) => a - b)).toEqual(Array.from({ length: 18 }, (_, i) => i + 1));
  });

  it("per batch: POST arrays under a name; a refused batch is split until the bad rows are found, the rest land", async () => {
    store.clear();
    hits.length = 0;
    const config = { connection: "crm-api", path: "/bulk", per: "batch", wrap: "records", keys: ["id"], batchSize: 100 };
    const res = await runSync(config, await PEOPLE(250, [42, 199]), "b-1");
    expect(res).toMatchObject({ added: 248, rejected: 2 });
    expect(res.rejections.map((r) => r.key)).toEqual(["42", "199"]);
    expect(res.rejections[0]!.reason).toBe('HTTP 400 Bad Request: email "not-an-address" is not an e-mail address');
    expect(store.size).toBe(248);
    // 3 batches (100, 100, 50); the two refused ones halved down to their bad row (log2(100) ~ 7 levels, 2 requests each).
    expect(hits.slice(0, 1).map((x) => x.rows)).toEqual([100]);
    expect(hits.filter((x) => x.rows === 100)).toHaveLength(2);
    expect(res.calls).toBeLessThan(3 + 2 * 2 * 8);

    // Nothing changed: no request at all. Mirror with 10 fewer: one DELETE with their keys.
    hits.length = 0;
    expect(await runSync(config, await PEOPLE(250, [42, 199]), "b-2")).toMatchObject({ rejected: 2, unchanged: 248 });
    const fewer = await dataset(`SELECT * FROM ${from(await PEOPLE(240, [42, 199]))}`);
    hits.length = 0;
    const mirrored = await runSync({ ...config, mode: "mirror" }, fewer, "b-3");
    expect(mirrored).toMatchObject({ removed: 10, unchanged: 238, rejected: 2 });
    expect(hits.filter((x) => x.method === "DELETE")).toEqual([{ method: "DELETE", url: "/bulk", auth: `Bearer ${TOKEN}`, rows: 10 }]);
    expect(store.size).toBe(238);
  });

  it("a path with a placeholder needs one request per row; a placeholder must be a key column", async () => {
    const rows = await PEOPLE(2);
    const perBatch = await failure(h.run(sync, { connection: "crm-api", path: "/contacts/{id}", per: "batch", keys: ["id"] }, { rows }, h.ctx("sync")));
    expect(perBatch).toBeInstanceOf(ConfigError);
    expect(perBatch.where).toBe("path");
    const notKey = await failure(h.run(sync, { connection: "crm-api", path: "/contacts/{email}", per: "row", keys: ["id"] }, { rows }, h.ctx("sync")));
    expect(notKey.where).toBe("path");
    const wrongRoute = await failure(h.run(sync, { connection: "crm-api", path: "/nowhere", per: "row", keys: ["id"] }, { rows: await PEOPLE(60) }, h.ctx("sync")));
    expect(wrongRoute).toBeInstanceOf(ConfigError);
    expect(wrongRoute.message).toMatch(/refused each of the first \d+ rows and accepted none.*HTTP 404 Not Found: no such route/);
  });
});
