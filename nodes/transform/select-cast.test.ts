import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { datasetFile, failure, harness, type Harness } from "../../tests/harness";
import { ConfigError, type DatasetRef } from "../sdk";
import csvFile from "../source/csv-file.node.ts";
import selectCast from "./select-cast.node.ts";

let h: Harness;
let telco: DatasetRef;
let mixed: DatasetRef;

// Telco has no quoted fields: a plain split reads it.
const telcoLines = readFileSync(datasetFile("telco-customer-churn.csv"), "utf8").trim().split(/\r?\n/);
const telcoHeader = telcoLines[0]!.split(",");
const telcoRows = telcoLines.slice(1).map((l) => l.split(","));
const col = (name: string) => telcoHeader.indexOf(name);

const MIXED = `SELECT * FROM (VALUES
  (1, ' 12 ', 'yes', '2024-03-15', 'a', 2.0),
  (2, '1.5',  'No',  '15/03/2024', 'b', 2.5),
  (3, 'abc',  'maybe', NULL,       'c', NULL),
  (4, '',     '1',   '  ',         'd', -3.0),
  (5, NULL,   NULL,  '2024-02-30', 'e', 7.0)
) t(id, qty, opted, signup, name, score)`;

beforeAll(async () => {
  h = harness();
  telco = (await h.run(csvFile, { path: datasetFile("telco-customer-churn.csv") })).outputs.rows as DatasetRef;
  mixed = await h.ctx("setup").datasets.create(MIXED);
});
afterAll(() => h.close());

async function rowsOf(ref: DatasetRef) {
  const ds = h.ctx("q").datasets;
  return ds.query(`SELECT * FROM ${ds.from(ref)}`);
}

async function run(config: Record<string, unknown>, input: DatasetRef = mixed) {
  const res = await h.run(selectCast, config, { rows: input });
  const rows = res.outputs.rows as DatasetRef;
  const rejects = res.outputs.rejects as DatasetRef;
  return { rows, rejects, metrics: res.metrics as Record<string, unknown> };
}

describe("transform.select-cast", () => {
  it("casts Telco TotalCharges to a number: blanks become the 11 nulls, the rest keep their values", async () => {
    expect(telco.columns.find((c) => c.name === "TotalCharges")!.type).toBe("VARCHAR");
    const { rows, rejects, metrics } = await run({ columns: [{ column: "TotalCharges", type: "number" }] }, telco);
    expect(rows.rows).toBe(7043);
    expect(rejects.rows).toBe(0);
    expect(rows.columns.map((c) => c.name)).toEqual(telco.columns.map((c) => c.name));
    expect(rows.columns.find((c) => c.name === "TotalCharges")!.type).toBe("DOUBLE");
    const ds = h.ctx("q").datasets;
    const [stats] = await ds.query<{ nulls: number; total: number }>(
      `SELECT count(*) FILTER (WHERE "TotalCharges" IS NULL) AS nulls, sum("TotalCharges") AS total FROM ${ds.from(rows)}`,
    );
    const values = telcoRows.map((r) => r[col("TotalCharges")]!).filter((v) => v.trim() !== "").map(Number);
    expect(telcoRows.length - values.length).toBe(11);
    expect(stats!.nulls).toBe(11);
    expect(stats!.total).toBeCloseTo(values.reduce((a, b) => a + b, 0), 2);
    expect(metrics).toMatchObject({ rowsIn: 7043, rowsOut: 7043, rejected: 0, castFailures: { TotalCharges: 0 }, nulledValues: 0 });
  });

  it("rejects the 11 blank TotalCharges when blanks are not missing, losing no row", async () => {
    const { rows, rejects, metrics } = await run(
      { columns: [{ column: "TotalCharges", type: "number" }], onCastFailure: "reject", blankAsNull: false },
      telco,
    );
    expect(rows.rows).toBe(7032);
    expect(rejects.rows).toBe(11);
    expect(rejects.columns).toEqual([...telco.columns, { name: "_reject_reason", type: "VARCHAR" }]);
    const rejected = await rowsOf(rejects);
    expect(new Set(rejected.map((r) => r._reject_reason))).toEqual(new Set(['TotalCharges: " " is not a number']));
    const blankIds = telcoRows.filter((r) => r[col("TotalCharges")]!.trim() === "").map((r) => r[col("customerID")]);
    expect(rejected.map((r) => r.customerID)).toEqual(blankIds);
    const kept = await rowsOf(rows);
    expect(kept.every((r) => typeof r.TotalCharges === "number")).toBe(true);
    expect(new Set([...kept, ...rejected].map((r) => r.customerID)).size).toBe(7043);
    expect(metrics).toMatchObject({ rowsIn: 7043, rowsOut: 7032, rejected: 11, castFailures: { TotalCharges: 11 } });
  });

  it("counts blanks as failures, and nulls them, when blanks are not missing and failures become null", async () => {
    const { rows, metrics } = await run({ columns: [{ column: "TotalCharges", type: "number" }], blankAsNull: false }, telco);
    expect(rows.rows).toBe(7043);
    expect(metrics).toMatchObject({ castFailures: { TotalCharges: 11 }, nulledValues: 11, rejected: 0 });
  });

  it("converts each type, nulls failures and counts them per column", async () => {
    const { rows, rejects, metrics } = await run({
      columns: [
        { column: "qty", type: "integer" },
        { column: "opted", type: "boolean", rename: "optedIn" },
        { column: "signup", type: "date" },
        { column: "score", type: "integer" },
        { column: "name", keep: false },
      ],
    });
    expect(rows.columns).toEqual([
      { name: "id", type: "INTEGER" },
      { name: "qty", type: "BIGINT" },
      { name: "optedIn", type: "BOOLEAN" },
      { name: "signup", type: "DATE" },
      { name: "score", type: "BIGINT" },
    ]);
    const out = await rowsOf(rows);
    expect(out.map((r) => [r.id, r.qty, r.optedIn, r.score])).toEqual([
      [1, 12, true, 2],
      [2, null, false, null],
      [3, null, null, null],
      [4, null, true, -3],
      [5, null, null, 7],
    ]);
    expect(out.map((r) => (r.signup instanceof Date ? r.signup.toISOString().slice(0, 10) : r.signup))).toEqual(["2024-03-15", null, null, null, null]);
    expect(rejects.rows).toBe(0);
    // qty: "1.5" and "abc" (the blank is missing); opted: "maybe"; signup: "15/03/2024", "2024-02-30"; score: 2.5.
    expect(metrics.castFailures).toEqual({ qty: 2, opted: 1, signup: 2, score: 1 });
    expect(metrics.nulledValues).toBe(6);
  });

  it("sends rows with any failure to rejects with every reason, and keeps input order", async () => {
    const { rows, rejects } = await run({
      columns: [
        { column: "qty", type: "integer" },
        { column: "opted", type: "boolean" },
        { column: "signup", type: "date" },
      ],
      onCastFailure: "reject",
    });
    expect((await rowsOf(rows)).map((r) => r.id)).toEqual([1, 4]);
    const rej = await rowsOf(rejects);
    expect(rej.map((r) => [r.id, r.qty, r._reject_reason])).toEqual([
      [2, "1.5", 'qty: "1.5" is not a whole number; signup: "15/03/2024" is not a date'],
      [3, "abc", 'qty: "abc" is not a whole number; opted: "maybe" is not a yes/no value'],
      [5, null, 'signup: "2024-02-30" is not a date'],
    ]);
  });

  it("drops unlisted columns and orders the output by the list", async () => {
    const { rows } = await run({ columns: [{ column: "name", rename: "Name" }, { column: "id", type: "text" }], others: "drop" });
    expect(rows.columns).toEqual([
      { name: "Name", type: "VARCHAR" },
      { name: "id", type: "VARCHAR" },
    ]);
    expect((await rowsOf(rows))[0]).toEqual({ Name: "a", id: "1" });
  });

  it("turns blank text into null when converting to text, only when asked", async () => {
    const on = await rowsOf((await run({ columns: [{ column: "signup", type: "text" }] })).rows);
    expect(on.map((r) => r.signup)).toEqual(["2024-03-15", "15/03/2024", null, null, "2024-02-30"]);
    const off = await rowsOf((await run({ columns: [{ column: "signup", type: "text" }], blankAsNull: false })).rows);
    expect(off[3]!.signup).toBe("  ");
  });

  it("names the field of each configuration problem", async () => {
    const unknown = await failure(run({ columns: [{ column: "id" }, { column: "nope", type: "number" }] }));
    expect(unknown).toBeInstanceOf(ConfigError);
    expect(unknown.where).toBe("columns.1.column");
    expect(unknown.message).toContain('"nope"');

    const twice = await failure(run({ columns: [{ column: "id" }, { column: "id", type: "text" }] }));
    expect(twice.where).toBe("columns.1.column");

    const clash = await failure(run({ columns: [{ column: "qty", rename: "NAME" }] }));
    expect(clash).toBeInstanceOf(ConfigError);
    expect(clash.where).toBe("columns.0.rename");

    const empty = await failure(run({ columns: [{ column: "id", keep: false }], others: "drop" }));
    expect(empty.where).toBe("columns");

    const badType = await failure(run({ columns: [{ column: "id", type: "money" }] }));
    expect(badType).toBeInstanceOf(ConfigError);
    expect(badType.where).toBe("columns.0.type");

    const withReason = await h.ctx("setup").datasets.create(`SELECT 1 AS a, 'x' AS _reject_reason`);
    const reserved = await failure(run({ columns: [{ column: "a", type: "text" }], onCastFailure: "reject" }, withReason));
    expect(reserved.where).toBe("onCastFailure");
  });
});
