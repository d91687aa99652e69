import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { datasetFile, failure, harness, type Harness } from "../../tests/harness";
import { ConfigError, type DatasetRef } from "../sdk";
import csvFile from "../source/csv-file.node.ts";
import aggregate from "./aggregate.node.ts";

let h: Harness;
let sales: DatasetRef;

const SALES = `SELECT * FROM (VALUES
  ('north', 'a', 10, 2.5::DOUBLE, true,  DATE '2024-01-03'),
  ('south', 'b', 5,  NULL,        false, DATE '2024-02-01'),
  ('north', 'a', 7,  1.5::DOUBLE, false, DATE '2023-12-30'),
  (NULL,    'c', 1,  4.0::DOUBLE, true,  NULL),
  ('north', NULL, 3, 6.0::DOUBLE, true,  DATE '2024-03-01')
) t(region, customer, units, price, promo, day)`;

beforeAll(async () => {
  h = harness();
  sales = await h.ctx("setup").datasets.create(SALES);
});
afterAll(() => h.close());

async function run(config: Record<string, unknown>, input: DatasetRef = sales) {
  const res = await h.run(aggregate, config, { rows: input });
  const out = res.outputs.rows as DatasetRef;
  const ds = h.ctx("q").datasets;
  const rows = await ds.query(`SELECT * FROM ${ds.from(out)}`);
  return { out, rows, metrics: res.metrics };
}

describe("transform.aggregate", () => {
  it("summarises per group, sorted by the group, empty group last", async () => {
    const { out, rows, metrics } = await run({
      groupBy: ["region"],
      aggregations: [
        { function: "count" },
        { function: "count", column: "customer", as: "with customer" },
        { function: "count_distinct", column: "customer" },
        { function: "sum", column: "units" },
        { function: "avg", column: "price" },
        { function: "min", column: "day", as: "first day" },
        { function: "max", column: "customer" },
        { function: "avg", column: "promo", as: "promo share" },
      ],
    });
    expect(out.columns).toEqual([
      { name: "region", type: "VARCHAR" },
      { name: "count", type: "BIGINT" },
      { name: "with customer", type: "BIGINT" },
      { name: "count_distinct_customer", type: "BIGINT" },
      { name: "sum_units", type: "BIGINT" },
      { name: "avg_price", type: "DOUBLE" },
      { name: "first day", type: "DATE" },
      { name: "max_customer", type: "VARCHAR" },
      { name: "promo share", type: "DOUBLE" },
    ]);
    expect(rows.map((r) => ({ ...r, "first day": (r["first day"] as Date | null)?.toISOString().slice(0, 10) ?? null }))).toEqual([
      { region: "north", count: 3, "with customer": 2, count_distinct_customer: 1, sum_units: 20, avg_price: 10 / 3, "first day": "2023-12-30", max_customer: "a", "promo share": 2 / 3 },
      { region: "south", count: 1, "with customer": 1, count_distinct_customer: 1, sum_units: 5, avg_price: null, "first day": "2024-02-01", max_customer: "b", "promo share": 0 },
      { region: null, count: 1, "with customer": 1, count_distinct_customer: 1, sum_units: 1, avg_price: 4, "first day": null, max_customer: "c", "promo share": 1 },
    ]);
    expect(metrics).toEqual({ rowsIn: 5, groups: 3 });
  });

  it("gives one row without group-by columns, also for an empty input", async () => {
    const { rows } = await run({ aggregations: [{ function: "count" }, { function: "sum", column: "price", as: "revenue" }, { function: "sum", column: "promo" }] });
    expect(rows).toEqual([{ count: 5, revenue: 14, sum_promo: 3 }]);
    const empty = await h.ctx("setup").datasets.create(`SELECT * FROM (${SALES}) WHERE false`);
    expect((await run({ aggregations: [{ function: "count" }, { function: "sum", column: "units" }] }, empty)).rows).toEqual([{ count: 0, sum_units: null }]);
    expect((await run({ groupBy: ["region"], aggregations: [{ function: "count" }] }, empty)).rows).toEqual([]);
  });

  it("groups by several columns", async () => {
    const { rows } = await run({ groupBy: ["region", "customer"], aggregations: [{ function: "sum", column: "units", as: "units" }] });
    expect(rows).toEqual([
      { region: "north", customer: "a", units: 17 },
      { region: "north", customer: null, units: 3 },
      { region: "south", customer: "b", units: 5 },
      { region: null, customer: "c", units: 1 },
    ]);
  });

  it("names what is wrong in the config", async () => {
    const noGroup = await failure(run({ groupBy: ["Region"], aggregations: [{ function: "count" }] }));
    expect(noGroup).toBeInstanceOf(ConfigError);
    expect(noGroup.where).toBe("groupBy.0");
    expect(noGroup.message).toContain('"Region"');
    const noCol = await failure(run({ aggregations: [{ function: "count" }, { function: "sum", column: "unit" }] }));
    expect(noCol.where).toBe("aggregations.1.column");
    expect(noCol.message).toContain('"unit"');
    expect((await failure(run({ aggregations: [{ function: "avg" }] }))).message).toBe("Aggregate: avg needs a column");
    const text = await failure(run({ aggregations: [{ function: "sum", column: "customer" }] }));
    expect(text.message).toBe('Aggregate: sum needs a number column, and "customer" is VARCHAR');
    const dup = await failure(run({ groupBy: ["region"], aggregations: [{ function: "count", as: "REGION" }] }));
    expect(dup.where).toBe("aggregations.0.as");
    const dup2 = await failure(run({ aggregations: [{ function: "count" }, { function: "count", column: "units", as: "count" }] }));
    expect(dup2.where).toBe("aggregations.1.as");
    expect((await failure(run({ aggregations: [] }))).where).toBe("aggregations");
    expect((await failure(run({ aggregations: [{ function: "median", column: "units" }] }))).where).toBe("aggregations.0.function");
  });

  it("reproduces the Hillstrom visit rates by segment", async () => {
    const hillstrom = (await h.run(csvFile, { path: datasetFile("hillstrom-email.csv") })).outputs.rows as DatasetRef;
    const { rows, metrics } = await run(
      {
        groupBy: ["segment"],
        aggregations: [
          { function: "count", as: "customers" },
          { function: "avg", column: "visit", as: "visit_rate" },
          { function: "sum", column: "visit", as: "visits" },
        ],
      },
      hillstrom,
    );
    expect(metrics).toEqual({ rowsIn: 64_000, groups: 3 });
    const rate = Object.fromEntries(rows.map((r) => [r.segment, Number((r.visit_rate as number).toFixed(3))]));
    // Published by MineThatData: 18.3 % Mens E-Mail, 15.1 % Womens E-Mail, 10.6 % No E-Mail.
    expect(rate).toEqual({ "Mens E-Mail": 0.183, "No E-Mail": 0.106, "Womens E-Mail": 0.151 });

    // Independent count from the raw file, with a quote-aware split (history_segment has quoted commas).
    const lines = readFileSync(datasetFile("hillstrom-email.csv"), "utf8").trim().split(/\r?\n/);
    const split = (line: string) => {
      const fields: string[] = [];
      let cur = "";
      let quoted = false;
      for (const ch of line) {
        if (ch === '"') quoted = !quoted;
        else if (ch === "," && !quoted) {
          fields.push(cur);
          cur = "";
        } else cur += ch;
      }
      fields.push(cur);
      return fields;
    };
    const header = split(lines[0]!);
    const [seg, visit] = [header.indexOf("segment"), header.indexOf("visit")];
    const expected: Record<string, { customers: number; visits: number }> = {};
    let ragged = 0;
    for (const line of lines.slice(1)) {
      const f = split(line);
      if (f.length !== header.length) ragged++;
      const e = (expected[f[seg]!] ??= { customers: 0, visits: 0 });
      e.customers++;
      e.visits += Number(f[visit]);
    }
    expect(ragged).toBe(0);
    expect(Object.fromEntries(rows.map((r) => [r.segment, { customers: r.customers, visits: r.visits }]))).toEqual(expected);
    expect(rows.map((r) => r.segment)).toEqual(["Mens E-Mail", "No E-Mail", "Womens E-Mail"]);
    for (const r of rows) expect(r.visit_rate).toBeCloseTo(expected[r.segment as string]!.visits / expected[r.segment as string]!.customers, 12);
  });
});
