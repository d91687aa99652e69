import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { datasetFile, failure, harness, type Harness } from "../../tests/harness";
import { ConfigError, DataError, type DatasetRef } from "../sdk";
import csvFile from "../source/csv-file.node.ts";
import derivedColumn from "./derived-column.node.ts";

let h: Harness;
let people: DatasetRef;

const PEOPLE = `SELECT * FROM (VALUES
  (3, 'Carol', 'Smith', 40, DATE '2020-05-01'),
  (1, 'alice', NULL, 5, DATE '2024-01-15'),
  (2, 'Bob', 'Jones', 13, NULL)
) t(id, first, "Last Name", tenure, signup)`;

beforeAll(async () => {
  h = harness();
  people = await h.ctx("setup").datasets.create(PEOPLE);
});
afterAll(() => h.close());

async function run(columns: { name: string; expression: string }[], input: DatasetRef = people) {
  const res = await h.run(derivedColumn, { columns }, { rows: input });
  const out = res.outputs.rows as DatasetRef;
  const ds = h.ctx("q").datasets;
  const rows = await ds.query(`SELECT * FROM ${ds.from(out)}`);
  return { out, rows, metrics: res.metrics };
}

describe("transform.derived-column", () => {
  it("adds a column after the input's, keeping row order", async () => {
    const { out, rows, metrics } = await run([{ name: "segment", expression: "if(tenure > 12, 'loyal', 'new')" }]);
    expect(out.columns.map((c) => [c.name, c.type])).toEqual([
      ["id", "INTEGER"],
      ["first", "VARCHAR"],
      ["Last Name", "VARCHAR"],
      ["tenure", "INTEGER"],
      ["signup", "DATE"],
      ["segment", "VARCHAR"],
    ]);
    expect(rows.map((r) => [r.id, r.segment])).toEqual([
      [3, "loyal"],
      [1, "new"],
      [2, "loyal"],
    ]);
    expect(metrics).toEqual({ rows: 3, added: ["segment"], replaced: [], emptyValues: { segment: 0 } });
  });

  it("evaluates in order: a later formula uses an earlier one, and may replace a column in place", async () => {
    const { out, rows, metrics } = await run([
      { name: "full name", expression: "concat(upper(substr(first, 1, 1)), substr(first, 2), ' ', [Last Name])" },
      { name: "years", expression: "round(tenure / 12, 1)" },
      { name: "label", expression: "[full name] + ' (' + text(years) + 'y)'" },
      { name: "Tenure", expression: "tenure * 30" },
      { name: "renewal", expression: "date_add(signup, 1, 'year')" },
    ]);
    expect(out.columns.map((c) => c.name)).toEqual(["id", "first", "Last Name", "Tenure", "signup", "full name", "years", "label", "renewal"]);
    expect(out.columns.find((c) => c.name === "renewal")!.type).toBe("DATE");
    expect(rows.map((r) => [r["full name"], r.years, r.label, r.Tenure])).toEqual([
      ["Carol Smith", 3.3, "Carol Smith (3.3y)", 1200],
      ["Alice ", 0.4, "Alice  (0.4y)", 150],
      ["Bob Jones", 1.1, "Bob Jones (1.1y)", 390],
    ]);
    expect(rows.map((r) => (r.renewal as Date | null)?.toISOString().slice(0, 10) ?? null)).toEqual(["2021-05-01", "2025-01-15", null]);
    expect(metrics).toEqual({
      rows: 3,
      added: ["full name", "years", "label", "renewal"],
      replaced: ["tenure"],
      emptyValues: { "full name": 0, years: 0, label: 0, Tenure: 0, renewal: 1 },
    });
  });

  it("lets a formula replace a column it was computed from twice over", async () => {
    const { rows } = await run([
      { name: "first", expression: "lower(first)" },
      { name: "first", expression: "first + '!'" },
    ]);
    expect(rows.map((r) => r.first)).toEqual(["carol!", "alice!", "bob!"]);
  });

  it("names the formula and the position of a mistake", async () => {
    const bad = await failure(
      run([
        { name: "segment", expression: "if(tenure > 12, 'loyal', 'new')" },
        { name: "tier", expression: "if(Segment = 'loyal', 1, 2)" },
      ]),
    );
    expect(bad).toBeInstanceOf(ConfigError);
    expect(bad.where).toBe("columns.1.expression");
    expect(bad.message).toBe('Derived column "tier": Unknown column "Segment" at 1:4 (did you mean "segment"?)');

    const unclosed = await failure(run([{ name: "x", expression: "lower(first" }]));
    expect(unclosed.message).toBe('Derived column "x": Expected ")" at 1:12');
    // A formula cannot see a column computed after it.
    const later = await failure(
      run([
        { name: "a", expression: "b + 1" },
        { name: "b", expression: "tenure" },
      ]),
    );
    expect(later.where).toBe("columns.0.expression");
  });

  it("checks the config", async () => {
    expect(await failure(run([]))).toBeInstanceOf(ConfigError);
    const blank = await failure(run([{ name: " ", expression: "1" }]));
    expect(blank).toBeInstanceOf(ConfigError);
    expect(blank.where).toBe("columns.0.name");
    expect((await failure(run([{ name: "x", expression: "1" + "+1".repeat(1000) }]))).where).toBe("columns.0.expression");
  });

  it("reports a formula that fails on the data as a data error", async () => {
    const bad = await failure(run([{ name: "huge", expression: "tenure * 999999999999999999 * 10" }]));
    expect(bad).toBeInstanceOf(DataError);
    expect(bad.message).toMatch(/^Derived column: a formula failed on the data: .*Overflow/);
  });

  it("segments 7,043 Telco customers exactly as plain JavaScript does", async () => {
    const telco = (await h.run(csvFile, { path: datasetFile("telco-customer-churn.csv") })).outputs.rows as DatasetRef;
    const { out, metrics } = await run(
      [
        { name: "loyalty", expression: "if(tenure > 12, 'loyal', 'new')" },
        { name: "band", expression: "if(tenure > 48, 'core', tenure > 12, 'regular', 'new')" },
        { name: "senior_loyal", expression: "loyalty = 'loyal' and SeniorCitizen = 1" },
        { name: "annual", expression: "round(MonthlyCharges * 12, 2)" },
      ],
      telco,
    );
    expect(out.rows).toBe(7043);

    // Independent count straight from the file (it has no quoted fields).
    const lines = readFileSync(datasetFile("telco-customer-churn.csv"), "utf8").trim().split(/\r?\n/);
    const header = lines[0]!.split(",");
    const at = (name: string) => header.indexOf(name);
    const records = lines.slice(1).map((l) => l.split(","));
    const count = (pred: (r: string[]) => boolean) => records.filter(pred).length;
    const tenure = (r: string[]) => Number(r[at("tenure")]);
    const expected = {
      loyal: count((r) => tenure(r) > 12),
      new: count((r) => tenure(r) <= 12),
      core: count((r) => tenure(r) > 48),
      regular: count((r) => tenure(r) > 12 && tenure(r) <= 48),
      seniorLoyal: count((r) => tenure(r) > 12 && r[at("SeniorCitizen")] === "1"),
    };
    expect(expected.loyal + expected.new).toBe(7043);

    const ds = h.ctx("q").datasets;
    const [got] = await ds.query<Record<string, number>>(
      `SELECT count(*) FILTER (WHERE loyalty = 'loyal') AS loyal, count(*) FILTER (WHERE loyalty = 'new') AS new,
              count(*) FILTER (WHERE band = 'core') AS core, count(*) FILTER (WHERE band = 'regular') AS regular,
              count(*) FILTER (WHERE senior_loyal) AS "seniorLoyal"
         FROM ${ds.from(out)}`,
    );
    expect(got).toEqual(expected);

    // Row order is the file's.
    const firstIds = await ds.query<{ customerID: string; annual: number }>(`SELECT "customerID", annual FROM ${ds.from(out)} LIMIT 2`);
    expect(firstIds).toEqual([
      { customerID: records[0]![0], annual: Math.round(Number(records[0]![at("MonthlyCharges")]) * 12 * 100) / 100 },
      { customerID: records[1]![0], annual: Math.round(Number(records[1]![at("MonthlyCharges")]) * 12 * 100) / 100 },
    ]);
    expect(metrics).toMatchObject({ rows: 7043, added: ["loyalty", "band", "senior_loyal", "annual"], emptyValues: { loyalty: 0, senior_loyal: 0 } });
  });
});
