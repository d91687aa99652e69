// The dataset and model routers through createCaller, against a real SQLite file, real uploads and
// real Parquet datasets under a temporary data directory. The directory name holds a quote, so
// every path that reaches DuckDB must go through sqlLiteral.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import Database from "better-sqlite3";
import { ParquetDatasetStore } from "../../../db/dataset-store";
import { StoreModelRegistry } from "../../../db/model-registry";
import { openSqliteStore, type Store } from "../../../db/store";
import { projectRoot } from "../../../lib/paths";
import { registerFile } from "../../services/uploads";
import { createCaller } from "../root";
import { createTRPCContext } from "../trpc";
import { noTemporal, rejection, asRole } from "./test-support";

const TELCO = path.join(projectRoot, "examples", "data", "telco-customer-churn.csv");

let dir: string;
let db: Store;
let caller: ReturnType<typeof createCaller>;
const savedDataDir = process.env.LOOPWRIGHT_DATA_DIR;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "loopwright-o'dataset-router-"));
  process.env.LOOPWRIGHT_DATA_DIR = dir;
  db = openSqliteStore(path.join(dir, "loopwright.sqlite"));
  caller = createCaller(await createTRPCContext({ store: db, temporal: noTemporal, principal: asRole("editor") }));
});

afterAll(async () => {
  if (savedDataDir === undefined) delete process.env.LOOPWRIGHT_DATA_DIR;
  else process.env.LOOPWRIGHT_DATA_DIR = savedDataDir;
  await db?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("dataset router", () => {
  it("lists uploaded files newest first and previews the first 100 rows of one", async () => {
    expect(await caller.dataset.files()).toEqual([]);
    const telco = await registerFile(db, dir, TELCO);
    const second = await registerFile(db, dir, TELCO, "again.csv");

    const listed = await caller.dataset.files();
    expect(listed.map((f) => f.id)).toEqual([second.id, telco.id]);
    expect(listed[1]).toMatchObject({ name: "telco-customer-churn.csv", rows: 7043, format: "csv" });
    expect(listed[1]!.columns).toHaveLength(21);

    const preview = await caller.dataset.preview({ id: telco.id });
    expect(preview.totalRows).toBe(7043);
    expect(preview.rows).toHaveLength(100);
    expect(preview.columns).toHaveLength(21);
    expect(preview.rows[0]).toMatchObject({ customerID: "7590-VHVEG", gender: "Female", tenure: 1, MonthlyCharges: 29.85 });
    // BIGINT columns arrive as numbers, not bigint, when they fit.
    expect(typeof preview.rows[0]!.SeniorCitizen).toBe("number");
  });

  it("previews a file recorded before uploads were described (no rows or columns stored)", async () => {
    const legacy = await registerFile(db, dir, TELCO, "legacy.csv");
    // As a file uploaded before uploads were described looks (straight in the database file).
    const raw = new Database(path.join(dir, "loopwright.sqlite"));
    raw.prepare("UPDATE files SET rows = NULL, columns = NULL, format = NULL WHERE id = ?").run(legacy.id);
    raw.close();
    const preview = await caller.dataset.preview({ id: legacy.id });
    expect(preview.totalRows).toBe(7043);
    expect(preview.columns.map((c) => c.name)).toContain("Churn");
  });

  it("lists run datasets newest first and previews one with its types", async () => {
    const first = await new ParquetDatasetStore(dir, db, { runId: "run_a", nodeId: "score" }).create(
      "SELECT range AS n, 'row ' || range AS label, TIMESTAMP '2024-05-01 08:30:00' + to_days(range::INTEGER) AS at FROM range(250)",
    );
    const second = await new ParquetDatasetStore(dir, db, { runId: "run_b", nodeId: "dedupe" }).create("SELECT 1 AS only");

    const list = await caller.dataset.list();
    expect(list.map((d) => d.id)).toEqual([second.id, first.id]);
    expect(list[1]).toMatchObject({ rows: 250, columnCount: 3, runId: "run_a", nodeId: "score" });
    expect(list[1]!.bytes).toBeGreaterThan(0);

    const preview = await caller.dataset.preview({ id: first.id });
    expect(preview.totalRows).toBe(250);
    expect(preview.rows).toHaveLength(100);
    expect(preview.columns).toEqual([
      { name: "n", type: "BIGINT" },
      { name: "label", type: "VARCHAR" },
      { name: "at", type: "TIMESTAMP" },
    ]);
    expect(preview.rows[2]).toEqual({ n: 2, label: "row 2", at: new Date("2024-05-03T08:30:00Z") });
  });

  it("views a run's dataset sorted, filtered and searched over all its rows, identifiers and scores first", async () => {
    // 250 customers: c000 … c249, score = n / 250, plan "gold" when n is a multiple of 5.
    const ref = await new ParquetDatasetStore(dir, db, { runId: "run_v", nodeId: "score" }).create(
      "SELECT CASE WHEN range % 5 = 0 THEN 'gold' ELSE 'basic' END AS plan, range::DOUBLE / 250 AS churn_score, 'c' || lpad(range::VARCHAR, 3, '0') AS customer_id FROM range(250)",
    );
    const whole = await caller.dataset.view({ id: ref.id });
    expect(whole.columns.map((c) => [c.name, c.role, c.percent])).toEqual([
      ["customer_id", "id", false],
      ["churn_score", "score", true],
      ["plan", null, false],
    ]);
    expect(whole).toMatchObject({ id: ref.id, totalRows: 250, matchingRows: 250, offset: 0 });
    expect(whole.rows).toHaveLength(100);
    expect(whole.rows[0]).toEqual({ customer_id: "c000", churn_score: 0, plan: "gold" });

    // Gold customers (n = 0, 5, … 245: 50 of them) with a score of at least 0.9 (n >= 225): 225 … 245, highest first.
    const top = await caller.dataset.view({
      id: ref.id,
      view: { sort: { column: "churn_score", direction: "desc" }, filters: [{ column: "churn_score", op: ">=", value: 0.9 }], search: "GOLD" },
      limit: 3,
    });
    expect(top.matchingRows).toBe(5);
    expect(top.totalRows).toBe(250);
    expect(top.rows).toEqual([
      { customer_id: "c245", churn_score: 0.98, plan: "gold" },
      { customer_id: "c240", churn_score: 0.96, plan: "gold" },
      { customer_id: "c235", churn_score: 0.94, plan: "gold" },
    ]);
    const next = await caller.dataset.view({ id: ref.id, view: { sort: { column: "churn_score", direction: "desc" }, filters: [{ column: "churn_score", op: ">=", value: 0.9 }], search: "gold" }, limit: 3, offset: 3 });
    expect(next.rows.map((r) => r.customer_id)).toEqual(["c230", "c225"]);

    const unknown = await rejection(caller.dataset.view({ id: ref.id, view: { sort: { column: "nope", direction: "asc" } } }));
    expect(unknown.code).toBe("BAD_REQUEST");
    expect(unknown.message).toBe('The dataset has no column "nope"');
    const missing = await rejection(caller.dataset.view({ id: "ds_missing" }));
    expect(missing.code).toBe("NOT_FOUND");
    expect((await rejection(caller.dataset.view({ id: "file_x" }))).code).toBe("NOT_FOUND");
  });

  it("answers NOT_FOUND, naming the id, for anything it does not know", async () => {
    for (const id of ["file_0000000000", "ds_missing", "x'); DROP TABLE files; --"]) {
      const err = await rejection(caller.dataset.preview({ id }));
      expect(err.code).toBe("NOT_FOUND");
      expect(err.message).toContain(id);
    }
    expect((await caller.dataset.files()).length).toBeGreaterThan(0);
  });

  it("answers NOT_FOUND when a recorded file is gone from disk", async () => {
    const gone = await registerFile(db, dir, TELCO, "gone.csv");
    rmSync(path.join(dir, "uploads", `${gone.id}.csv`));
    const err = await rejection(caller.dataset.preview({ id: gone.id }));
    expect(err.code).toBe("NOT_FOUND");
    expect(err.message).toMatch(/^gone\.csv \(file_\w+\) is recorded but its file is missing/);
  });
});

describe("model router", () => {
  it("groups versions by name, newest first, without artifacts", async () => {
    expect(await caller.model.list()).toEqual([]);
    const churn = new StoreModelRegistry(db, dir, { runId: "run_1", nodeId: "train" });
    await churn.save({ name: "churn", kind: "logistic-regression", metrics: { auc: 0.81 }, artifact: { weights: [1, 2] }, datasetId: "ds_a" });
    await churn.save({ name: "churn", kind: "logistic-regression", metrics: { auc: 0.84, accuracy: 0.8 }, artifact: { weights: [3] } });
    await new StoreModelRegistry(db, dir, { runId: "run_2", nodeId: "train" }).save({ name: "uplift", kind: "mlp", metrics: {}, artifact: {} });

    const list = await caller.model.list();
    expect(list.map((m) => m.name)).toEqual(["uplift", "churn"]);
    const c = list[1]!;
    expect(c.kind).toBe("logistic-regression");
    expect(c.versions.map((v) => v.version)).toEqual([2, 1]);
    expect(c.versions[0]).toMatchObject({ metrics: { auc: 0.84, accuracy: 0.8 }, runId: "run_1", nodeId: "train", datasetId: null });
    expect(c.versions[1]!.datasetId).toBe("ds_a");
    expect(JSON.stringify(list)).not.toContain("weights");
  });
});
