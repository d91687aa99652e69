import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { datasetFile, failure, harness, type Harness } from "../../tests/harness";
import { ConfigError, DataError, type DatasetRef } from "../sdk";
import csvFile from "../source/csv-file.node.ts";
import missingValues from "./missing-values.node.ts";
import selectCast from "./select-cast.node.ts";

let h: Harness;
let telco: DatasetRef;
let small: DatasetRef;

// Telco has no quoted fields: a plain split reads it.
const lines = readFileSync(datasetFile("telco-customer-churn.csv"), "utf8").trim().split(/\r?\n/);
const header = lines[0]!.split(",");
const rows = lines.slice(1).map((l) => l.split(","));
const TC = header.indexOf("TotalCharges");
const ID = header.indexOf("customerID");
const present = rows.filter((r) => r[TC]!.trim() !== "");
const totals = present.map((r) => Number(r[TC]));
const blankIds = rows.filter((r) => r[TC]!.trim() === "").map((r) => r[ID]!);

const SMALL = `SELECT * FROM (VALUES
  (1, 'red',   10,   1.5,  DATE '2024-01-01'),
  (2, '  ',    NULL, NULL, NULL),
  (3, 'blue',  11,   'NaN'::DOUBLE, DATE '2024-01-01'),
  (4, 'blue',  20,   4.5,  DATE '2024-02-01'),
  (5, NULL,    NULL, 2.0,  NULL),
  (6, 'red',   NULL, NULL, DATE '2024-02-01')
) t(id, colour, visits, spend, seen)`;

beforeAll(async () => {
  h = harness();
  const raw = (await h.run(csvFile, { path: datasetFile("telco-customer-churn.csv") })).outputs.rows as DatasetRef;
  telco = (await h.run(selectCast, { columns: [{ column: "TotalCharges", type: "number" }] }, { rows: raw })).outputs.rows as DatasetRef;
  small = await h.ctx("setup").datasets.create(SMALL);
});
afterAll(() => h.close());

async function run(config: Record<string, unknown>, input: DatasetRef = small) {
  const res = await h.run(missingValues, config, { rows: input });
  const out = res.outputs.rows as DatasetRef;
  const ds = h.ctx("q").datasets;
  return { out, rows: await ds.query(`SELECT * FROM ${ds.from(out)}`), metrics: res.metrics as Record<string, any> };
}

describe("transform.missing-values", () => {
  it("fills Telco TotalCharges with the mean of its 7,032 values and flags the 11 filled rows", async () => {
    expect(totals.length).toBe(7032);
    const mean = totals.reduce((a, b) => a + b, 0) / totals.length;
    const { out, rows: got, metrics } = await run({ columns: [{ column: "TotalCharges", strategy: "mean", indicator: true }] }, telco);
    expect(out.rows).toBe(7043);
    const names = out.columns.map((c) => c.name);
    expect(names.slice(names.indexOf("TotalCharges"), names.indexOf("TotalCharges") + 2)).toEqual(["TotalCharges", "TotalCharges_missing"]);
    expect(out.columns.find((c) => c.name === "TotalCharges_missing")!.type).toBe("BOOLEAN");
    const filled = got.filter((r) => r.TotalCharges_missing === true);
    expect(filled.map((r) => r.customerID)).toEqual(blankIds);
    for (const r of filled) expect(r.TotalCharges as number).toBeCloseTo(mean, 6);
    expect(got.every((r) => typeof r.TotalCharges === "number")).toBe(true);
    // Values that were there are untouched, in input order.
    expect(got.filter((r) => r.TotalCharges_missing === false).map((r) => r.TotalCharges)).toEqual(totals);
    expect(metrics.columns.TotalCharges.missing).toBe(11);
    expect(metrics.columns.TotalCharges.filledWith).toBeCloseTo(mean, 6);
  });

  it("fills with the median, and drops rows instead when asked", async () => {
    const sorted = [...totals].sort((a, b) => a - b);
    const median = (sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2;
    const med = await run({ columns: [{ column: "TotalCharges", strategy: "median" }] }, telco);
    const filled = med.rows.filter((r) => blankIds.includes(r.customerID as string));
    expect(filled).toHaveLength(11);
    for (const r of filled) expect(r.TotalCharges as number).toBeCloseTo(median, 9);

    const dropped = await run({ columns: [{ column: "TotalCharges", strategy: "drop row" }] }, telco);
    expect(dropped.out.rows).toBe(7032);
    expect(dropped.rows.map((r) => r.customerID)).toEqual(present.map((r) => r[ID]));
    expect(dropped.metrics).toMatchObject({ rowsIn: 7043, rowsOut: 7032, rowsDropped: 11 });
  });

  it("treats blank text and NaN as missing; fills constants, modes and rounded means by type", async () => {
    const { rows: got, metrics } = await run({
      columns: [
        { column: "colour", strategy: "mode", indicator: true },
        { column: "visits", strategy: "mean" },
        { column: "spend", strategy: "constant", value: 0 },
        { column: "seen", strategy: "mode" },
      ],
    });
    // colour: red 2, blue 2 -> the tie goes to the smaller value, "blue". visits: mean of 10, 11, 20 = 13.67 -> 14.
    // seen: 2024-01-01 and 2024-02-01 twice each -> 2024-01-01.
    expect(got.map((r) => [r.id, r.colour, r.colour_missing, r.visits, r.spend])).toEqual([
      [1, "red", false, 10, 1.5],
      [2, "blue", true, 14, 0],
      [3, "blue", false, 11, 0],
      [4, "blue", false, 20, 4.5],
      [5, "blue", true, 14, 2],
      [6, "red", false, 14, 0],
    ]);
    expect(got.map((r) => (r.seen as Date).toISOString().slice(0, 10))).toEqual(["2024-01-01", "2024-01-01", "2024-01-01", "2024-02-01", "2024-01-01", "2024-02-01"]);
    expect(metrics.columns).toEqual({
      colour: { missing: 2, strategy: "mode", filledWith: "blue" },
      visits: { missing: 3, strategy: "mean", filledWith: 14 },
      spend: { missing: 3, strategy: "constant", filledWith: 0 },
      seen: { missing: 2, strategy: "mode", filledWith: expect.any(Date) },
    });
  });

  it("drops rows first and averages over what remains", async () => {
    const { rows: got } = await run({
      columns: [
        { column: "colour", strategy: "drop row" },
        { column: "visits", strategy: "median" },
      ],
    });
    // Kept: 1 (10), 3 (11), 4 (20), 6 (null) -> median of 10, 11, 20 = 11.
    expect(got.map((r) => [r.id, r.visits])).toEqual([
      [1, 10],
      [3, 11],
      [4, 20],
      [6, 11],
    ]);
  });

  it("names the field of each configuration problem", async () => {
    const meanOfText = await failure(run({ columns: [{ column: "colour", strategy: "mean" }] }));
    expect(meanOfText).toBeInstanceOf(ConfigError);
    expect(meanOfText.where).toBe("columns.0.strategy");

    const noValue = await failure(run({ columns: [{ column: "visits", strategy: "mean" }, { column: "spend", strategy: "constant" }] }));
    expect(noValue.where).toBe("columns.1.value");

    const badValue = await failure(run({ columns: [{ column: "visits", strategy: "constant", value: "2.5" }] }));
    expect(badValue).toBeInstanceOf(ConfigError);
    expect(badValue.where).toBe("columns.0.value");

    const badDate = await failure(run({ columns: [{ column: "seen", strategy: "constant", value: "yesterday" }] }));
    expect(badDate.where).toBe("columns.0.value");

    const unknown = await failure(run({ columns: [{ column: "visits", strategy: "mean" }, { column: "nope", strategy: "mode" }] }));
    expect(unknown.where).toBe("columns.1.column");

    const flagDrop = await failure(run({ columns: [{ column: "visits", strategy: "drop row", indicator: true }] }));
    expect(flagDrop.where).toBe("columns.0.indicator");

    const clashing = await h.ctx("setup").datasets.create(`SELECT NULL::INTEGER AS a, true AS a_missing`);
    const clash = await failure(run({ columns: [{ column: "a", strategy: "constant", value: "1", indicator: true }] }, clashing));
    expect(clash.where).toBe("columns.0.indicator");
  });

  it("refuses to average a column that has no values", async () => {
    const empty = await h.ctx("setup").datasets.create(`SELECT * FROM (VALUES (1, NULL::DOUBLE), (2, NULL::DOUBLE)) t(id, x)`);
    const err = await failure(run({ columns: [{ column: "x", strategy: "mean" }] }, empty));
    expect(err).toBeInstanceOf(DataError);
    expect(err.message).toContain('"x"');
  });
});
