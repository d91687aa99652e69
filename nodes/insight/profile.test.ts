import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { datasetFile, failure, harness, type Harness } from "../../tests/harness";
import { ConfigError, type DatasetRef } from "../sdk";
import csvFile from "../source/csv-file.node.ts";
import profile, { type ColumnProfile } from "./profile.node.ts";

let h: Harness;
let telco: DatasetRef;
let telcoLines: string[][];

beforeAll(async () => {
  h = harness();
  telco = (await h.run(csvFile, { path: datasetFile("telco-customer-churn.csv") })).outputs.rows as DatasetRef;
  telcoLines = readFileSync(datasetFile("telco-customer-churn.csv"), "utf8").trim().split(/\r?\n/).slice(1).map((l) => l.split(","));
});
afterAll(() => h.close());

interface Profile {
  rows: number;
  columnCount: number;
  columns: Record<string, ColumnProfile>;
}

async function run(config: Record<string, unknown>, rows: DatasetRef) {
  const res = await h.run(profile, config, { rows });
  return { res, metrics: res.metrics as unknown as Profile };
}

describe("insight.profile", () => {
  it("profiles Telco: tenure statistics and histogram match plain JavaScript, Churn's top values, the blank TotalCharges", async () => {
    const { res, metrics } = await run({}, telco);
    // The table passes through unchanged: the same dataset, no copy.
    expect(res.outputs.rows).toEqual(telco);
    expect(metrics.rows).toBe(7043);
    expect(metrics.columnCount).toBe(21);
    expect(Object.keys(metrics.columns)).toEqual(telco.columns.map((c) => c.name));
    // JSON-friendly: survives a round trip unchanged.
    expect(JSON.parse(JSON.stringify(metrics))).toEqual(metrics);

    const tenure = telcoLines.map((f) => Number(f[5]));
    const min = Math.min(...tenure);
    const max = Math.max(...tenure);
    const mean = tenure.reduce((a, b) => a + b, 0) / tenure.length;
    const t = metrics.columns.tenure!;
    expect(t.min).toBe(min);
    expect(t.max).toBe(max);
    expect(t.mean).toBeCloseTo(mean, 9);
    expect(t.nulls).toBe(0);
    expect(t.nullShare).toBe(0);
    expect(t.distinct).toBe(new Set(tenure).size);
    const width = (max - min) / 10;
    const bins = Array.from({ length: 10 }, () => 0);
    for (const v of tenure) bins[Math.min(9, Math.floor((v - min) / width))]!++;
    expect(t.histogram!.map((b) => b.count)).toEqual(bins);
    expect(t.histogram![0]!.from).toBe(min);
    expect(t.histogram![9]!.to).toBe(max);
    expect(t.histogram![3]!.from).toBeCloseTo(min + 3 * width, 9);

    // DuckDB's CSV reader detects Yes/No as a BOOLEAN column: then the values are false (No) and true (Yes).
    const churn = metrics.columns.Churn!;
    const yesNo = (v: unknown) => (v === false ? "No" : v === true ? "Yes" : v);
    expect(churn.topValues.map((t) => ({ value: yesNo(t.value), count: t.count }))).toEqual([
      { value: "No", count: 5174 },
      { value: "Yes", count: 1869 },
    ]);
    expect(churn.histogram).toBeUndefined();
    expect(telcoLines.filter((f) => f[20] === "No")).toHaveLength(5174);

    const contract = metrics.columns.Contract!;
    const counts = new Map<string, number>();
    for (const f of telcoLines) counts.set(f[15]!, (counts.get(f[15]!) ?? 0) + 1);
    expect(contract.topValues).toEqual([...counts].sort((a, b) => b[1] - a[1]).map(([value, count]) => ({ value, count })));
    expect(contract.distinct).toBe(3);

    const id = metrics.columns.customerID!;
    expect(id.distinct).toBe(7043);
    expect(id.topValues).toHaveLength(5);
    expect(id.topValues.every((v) => v.count === 1)).toBe(true);

    // TotalCharges has 11 blank values: read as text, they are present but only spaces (blanks); read as numbers, missing.
    const total = metrics.columns.TotalCharges!;
    expect((total.blanks ?? 0) + total.nulls).toBe(11);
    // Equal counts in value order: the 11 blanks before the 11 "20.2" (this order once varied from run to run).
    if (total.type === "VARCHAR") expect(total.topValues.slice(0, 2)).toEqual([{ value: " ", count: 11 }, { value: "20.2", count: 11 }]);

    const monthly = metrics.columns.MonthlyCharges!;
    const mc = telcoLines.map((f) => Number(f[18]));
    expect(monthly.min).toBe(Math.min(...mc));
    expect(monthly.max).toBe(Math.max(...mc));
    expect(monthly.mean).toBeCloseTo(mc.reduce((a, b) => a + b, 0) / mc.length, 9);
    expect(monthly.histogram!.reduce((a, b) => a + b.count, 0)).toBe(7043);
  });

  it("profiles only the chosen columns, with more top values and bins", async () => {
    const { metrics } = await run({ columns: ["tenure", "PaymentMethod"], topValues: 2, bins: 4 }, telco);
    expect(Object.keys(metrics.columns)).toEqual(["tenure", "PaymentMethod"]);
    expect(metrics.columns.PaymentMethod!.topValues).toHaveLength(2);
    expect(metrics.columns.tenure!.histogram).toHaveLength(4);
  });

  it("handles nulls, a constant column, dates, and infinite floats", async () => {
    const ds = h.ctx("setup").datasets;
    const ref = await ds.create(`SELECT * FROM (VALUES
      (1, 7, DATE '2024-01-05', 'x', 1.5::DOUBLE),
      (2, 7, NULL, 'y', 'inf'::DOUBLE),
      (NULL, 7, DATE '2023-12-31', 'x', 2.5::DOUBLE),
      (4, 7, DATE '2024-03-01', NULL, 'nan'::DOUBLE)
    ) t(a, k, d, s, f)`);
    const { metrics } = await run({}, ref);
    const a = metrics.columns.a!;
    expect(a).toMatchObject({ nulls: 1, nullShare: 0.25, distinct: 3, min: 1, max: 4 });
    expect(a.mean).toBeCloseTo(7 / 3, 12);
    expect(a.histogram!.map((b) => b.count)).toEqual([1, 0, 0, 1, 0, 0, 0, 0, 0, 1]);
    expect(metrics.columns.k!.histogram).toEqual([{ from: 7, to: 7, count: 4 }]);
    expect(metrics.columns.d).toMatchObject({ type: "DATE", min: "2023-12-31", max: "2024-03-01", nulls: 1 });
    expect(metrics.columns.d!.topValues[0]).toEqual({ value: "2023-12-31", count: 1 });
    expect(metrics.columns.s!.topValues).toEqual([{ value: "x", count: 2 }, { value: "y", count: 1 }]);
    const f = metrics.columns.f!;
    expect(f).toMatchObject({ min: 1.5, max: 2.5, mean: 2 });
    expect(f.histogram!.reduce((n, b) => n + b.count, 0)).toBe(2);
    expect(JSON.parse(JSON.stringify(metrics))).toEqual(metrics);
  });

  it("profiles an empty table", async () => {
    const empty = await h.ctx("setup").datasets.create(`SELECT 1 AS a, 'x' AS b WHERE false`);
    const { metrics } = await run({}, empty);
    expect(metrics.rows).toBe(0);
    expect(metrics.columns.a).toMatchObject({ nulls: 0, nullShare: null, distinct: 0, min: null, max: null, topValues: [] });
    expect(metrics.columns.a!.histogram).toBeUndefined();
  });

  it("names an unknown column", async () => {
    const bad = await failure(run({ columns: ["tenure", "nope"] }, telco));
    expect(bad).toBeInstanceOf(ConfigError);
    expect(bad.where).toBe("columns");
    expect(bad.message).toContain('"nope"');
  });
});
