import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { datasetFile, failure, harness, type Harness } from "../../tests/harness";
import { ConfigError, type DatasetRef } from "../sdk";
import csvFile from "../source/csv-file.node.ts";
import summary, { type ColumnSummary } from "./summary.node.ts";

interface Summary {
  rows: number;
  completeRows: number;
  columnCount: number;
  columns: Record<string, ColumnSummary>;
}

let h: Harness;
let telco: DatasetRef;
let lines: string[][];

beforeAll(async () => {
  h = harness();
  telco = (await h.run(csvFile, { path: datasetFile("telco-customer-churn.csv") })).outputs.rows as DatasetRef;
  // No quoted fields in this file.
  lines = readFileSync(datasetFile("telco-customer-churn.csv"), "utf8").trim().split(/\r?\n/).slice(1).map((l) => l.split(","));
});
afterAll(() => h.close());

async function run(config: Record<string, unknown>, rows: DatasetRef) {
  const res = await h.run(summary, config, { rows });
  expect(res.outputs.rows).toEqual(rows); // passes through, no copy
  expect(JSON.parse(JSON.stringify(res.metrics))).toEqual(res.metrics);
  return res.metrics as unknown as Summary;
}

/** Linear interpolation between order statistics (DuckDB's quantile_cont, R type 7). */
function quantile(sorted: number[], p: number): number {
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  return sorted[lo]! + (h - lo) * ((sorted[lo + 1] ?? sorted[lo]!) - sorted[lo]!);
}

function counts(values: string[]): [string, number][] {
  const m = new Map<string, number>();
  for (const v of values) m.set(v, (m.get(v) ?? 0) + 1);
  return [...m].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
}

describe("insight.summary", () => {
  it("summarises Telco's numbers, text and yes/no columns as plain JavaScript does", async () => {
    const m = await run({ columns: ["tenure", "MonthlyCharges", "Contract", "PaymentMethod", "Churn", "SeniorCitizen", "customerID"] }, telco);
    expect(m).toMatchObject({ rows: 7043, completeRows: 7043, columnCount: 7 });
    expect(Object.keys(m.columns)).toEqual(["tenure", "MonthlyCharges", "Contract", "PaymentMethod", "Churn", "SeniorCitizen", "customerID"]);

    // MonthlyCharges: statistics, percentiles and a ten-bar histogram.
    const mc = lines.map((f) => Number(f[18]));
    const sorted = [...mc].sort((a, b) => a - b);
    const mean = mc.reduce((a, b) => a + b, 0) / mc.length;
    const std = Math.sqrt(mc.reduce((a, v) => a + (v - mean) ** 2, 0) / (mc.length - 1));
    const monthly = m.columns.MonthlyCharges!;
    expect(monthly).toMatchObject({ kind: "numeric", count: 7043, nulls: 0, nullShare: 0, min: sorted[0], max: sorted.at(-1), nonFinite: 0 });
    expect(monthly.distinct).toBe(new Set(mc).size);
    expect(monthly.mean).toBeCloseTo(mean, 9);
    expect(monthly.std).toBeCloseTo(std, 9);
    expect(monthly.quantiles!.p50).toBeCloseTo(quantile(sorted, 0.5), 9);
    expect(monthly.quantiles!.p25).toBeCloseTo(quantile(sorted, 0.25), 9);
    expect(monthly.quantiles!.p95).toBeCloseTo(quantile(sorted, 0.95), 9);
    const [lo, hi] = [sorted[0]!, sorted.at(-1)!];
    const bars = Array<number>(10).fill(0);
    for (const v of mc) bars[Math.min(9, Math.floor(((v - lo) * 10) / (hi - lo)))]!++;
    expect(monthly.histogram!.map((b) => b.count)).toEqual(bars);
    expect(monthly.histogram![0]!.from).toBe(lo);
    expect(monthly.histogram![9]!.to).toBe(hi);
    expect(monthly.histogram![5]!.from).toBeCloseTo(lo + (hi - lo) / 2, 9);
    // Top values of a number column: the most common monthly charges.
    const mcCounts = counts(lines.map((f) => f[18]!));
    expect(monthly.topValues.map((v) => v.count)).toEqual(mcCounts.slice(0, 10).map(([, c]) => c));
    expect(monthly.topValues[0]!.value).toBe(Number(mcCounts[0]![0]));

    // tenure: 0 to 72 months in ten bars.
    const tenure = m.columns.tenure!;
    expect(tenure.histogram).toHaveLength(10);
    expect(tenure.histogram!.reduce((a, b) => a + b.count, 0)).toBe(7043);
    expect(tenure.histogram![0]).toMatchObject({ from: 0, count: lines.filter((f) => Number(f[5]) < 7.2).length });

    // Contract and PaymentMethod: value counts, most frequent first, every value listed.
    for (const [name, field] of [["Contract", 15], ["PaymentMethod", 17]] as const) {
      const c = m.columns[name]!;
      const expected = counts(lines.map((f) => f[field]!));
      expect(c.kind).toBe("categorical");
      expect(c.topValues).toEqual(expected.map(([value, count]) => ({ value, count, share: count / 7043 })));
      expect(c.otherCount).toBe(0);
      expect(c.histogram).toBeUndefined();
      expect(c.distinct).toBe(expected.length);
    }

    // Churn is read as yes/no (BOOLEAN): value counts of true and false.
    const churn = m.columns.Churn!;
    expect(churn.kind).toBe("categorical");
    expect(churn.topValues.map((v) => [v.value, v.count])).toEqual([
      [false, lines.filter((f) => f[20] === "No").length],
      [true, lines.filter((f) => f[20] === "Yes").length],
    ]);

    // SeniorCitizen is 0/1: one bar per whole number rather than ten bars of width 0.1.
    const senior = m.columns.SeniorCitizen!;
    const seniors = lines.filter((f) => f[2] === "1").length;
    expect(senior.histogram).toEqual([
      { from: 0, to: 1, count: 7043 - seniors },
      { from: 1, to: 2, count: seniors },
    ]);

    // customerID: unique, so the top ten hold ten rows and the rest are "other".
    const id = m.columns.customerID!;
    expect(id.distinct).toBe(7043);
    expect(id.topValues).toHaveLength(10);
    expect(id.otherCount).toBe(7033);
    expect(id.otherShare).toBeCloseTo(7033 / 7043, 12);
    // Ties by value: the ten smallest ids.
    expect(id.topValues.map((v) => v.value)).toEqual(lines.map((f) => f[0]!).sort().slice(0, 10));

    const fmt = (c: ColumnSummary) =>
      c.kind === "numeric"
        ? `mean ${c.mean!.toFixed(2)}, sd ${c.std!.toFixed(2)}, median ${c.quantiles!.p50}, range ${c.min}-${c.max}`
        : c.topValues.map((v) => `${String(v.value)} ${(100 * v.share).toFixed(1)} %`).join(", ");
    for (const name of ["tenure", "MonthlyCharges", "Contract", "Churn"]) console.log(`Telco ${name}: ${fmt(m.columns[name]!)}`);
  });

  it("summarises every column by default, with fewer top values and bins; TotalCharges has 11 blanks", async () => {
    const m = await run({ top: 3, bins: 4 }, telco);
    expect(m.columnCount).toBe(21);
    expect(Object.keys(m.columns)).toEqual(telco.columns.map((c) => c.name));
    expect(m.columns.tenure!.histogram).toHaveLength(4);
    expect(m.columns.PaymentMethod!.topValues).toHaveLength(3);
    expect(m.columns.PaymentMethod!.otherCount).toBe(counts(lines.map((f) => f[17]!))[3]![1]);
    const total = m.columns.TotalCharges!;
    if (total.kind === "numeric") expect(total.nulls).toBe(11);
    else expect(total.topValues[0]).toMatchObject({ value: " ", count: 11 });
    expect(m.completeRows).toBe(7043 - total.nulls);
  });

  it("handles missing, non-finite, constant, date and empty columns", async () => {
    const rows = await h.ctx("t").datasets.create(
      `SELECT * FROM (VALUES
         (1.5, 7, DATE '2024-01-03', NULL::DOUBLE, 'a'),
         ('NaN'::DOUBLE, 7, DATE '2024-02-01', NULL, NULL),
         ('Infinity'::DOUBLE, 7, NULL, NULL, 'a'),
         (NULL, 7, DATE '2023-12-31', NULL, 'b'),
         (3.5, 7, DATE '2024-01-03', NULL, 'c')) t(x, k, d, empty, s)`,
    );
    const m = await run({}, rows);
    expect(m.rows).toBe(5);
    expect(m.completeRows).toBe(0);
    const x = m.columns.x!;
    expect(x).toMatchObject({ count: 4, nulls: 1, nonFinite: 2, min: 1.5, max: 3.5, mean: 2.5 });
    expect(x.histogram!.reduce((a, b) => a + b.count, 0)).toBe(2);
    expect(x.histogram![0]!.count).toBe(1);
    expect(x.histogram![9]!.count).toBe(1);
    // A constant whole-number column: one bar.
    expect(m.columns.k!.histogram).toEqual([{ from: 7, to: 8, count: 5 }]);
    expect(m.columns.k!.std).toBe(0);
    expect(m.columns.d).toMatchObject({ kind: "temporal", min: "2023-12-31", max: "2024-02-01", count: 4, distinct: 3 });
    expect(m.columns.d!.topValues[0]).toMatchObject({ value: "2024-01-03", count: 2 });
    expect(m.columns.empty).toMatchObject({ count: 0, nulls: 5, nullShare: 1, distinct: 0, topValues: [], otherCount: 0, min: null, max: null, quantiles: null });
    expect(m.columns.empty!.histogram).toBeUndefined();
    expect(m.columns.s!.topValues).toEqual([
      { value: "a", count: 2, share: 0.4 },
      { value: "b", count: 1, share: 0.2 },
      { value: "c", count: 1, share: 0.2 },
    ]);
  });

  it("names a column that is not in the input", async () => {
    const err = await failure(h.run(summary, { columns: ["tenure", "Tenure"] }, { rows: telco }));
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.where).toBe("columns.1");
  });
});
