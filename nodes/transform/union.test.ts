import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { datasetFile, failure, harness, type Harness } from "../../tests/harness";
import { ConfigError, type DatasetRef } from "../sdk";
import csvFile from "../source/csv-file.node.ts";
import union from "./union.node.ts";

let h: Harness;
let a: DatasetRef;
let b: DatasetRef;
let c: DatasetRef;

beforeAll(async () => {
  h = harness();
  const ds = h.ctx("setup").datasets;
  a = await ds.create(`SELECT * FROM (VALUES (1::INTEGER, 'ann@x.com', 10.5), (2::INTEGER, 'bob@x.com', NULL)) t(id, email, spend)`);
  b = await ds.create(`SELECT * FROM (VALUES ('cat@x.com', 3::BIGINT, 'web'), ('dan@x.com', 4::BIGINT, 'shop'), ('eve@x.com', 5::BIGINT, NULL)) t(Email, id, channel)`);
  c = await ds.create(`SELECT * FROM (VALUES ('X-7', DATE '2024-03-15')) t(id, joined)`);
});
afterAll(() => h.close());

async function run(config: Record<string, unknown>, inputs: Record<string, DatasetRef>) {
  const res = await h.run(union, config, inputs);
  const out = res.outputs.rows as DatasetRef;
  const ds = h.ctx("q").datasets;
  return { out, rows: await ds.query(`SELECT * FROM ${ds.from(out)}`), metrics: res.metrics as Record<string, unknown> };
}

describe("transform.union", () => {
  it("aligns columns by name, fills the gaps with nulls and keeps a's rows before b's", async () => {
    const { out, rows, metrics } = await run({}, { a, b });
    expect(out.columns).toEqual([
      { name: "id", type: "BIGINT" },
      { name: "email", type: "VARCHAR" },
      { name: "spend", type: "DECIMAL(3,1)" },
      { name: "channel", type: "VARCHAR" },
    ]);
    expect(rows.map((r) => [r.id, r.email, r.spend, r.channel])).toEqual([
      [1, "ann@x.com", 10.5, null],
      [2, "bob@x.com", null, null],
      [3, "cat@x.com", null, "web"],
      [4, "dan@x.com", null, "shop"],
      [5, "eve@x.com", null, null],
    ]);
    expect(metrics).toEqual({ rowsIn: { a: 2, b: 3 }, rowsOut: 5, columns: 4 });
  });

  it("names the input of each row, with labels, and takes optional inputs", async () => {
    const { out, rows, metrics } = await run({ sourceColumn: "source", labels: { a: "April list", c: "shop" } }, { a, b, c });
    expect(out.columns.map((col) => col.name)).toEqual(["id", "email", "spend", "channel", "joined", "source"]);
    expect(rows.map((r) => [r.id, r.source])).toEqual([
      ["1", "April list"],
      ["2", "April list"],
      ["3", "b"],
      ["4", "b"],
      ["5", "b"],
      ["X-7", "shop"],
    ]);
    // id is a number in a and b but text in c: text holds them all.
    expect(out.columns[0]).toEqual({ name: "id", type: "VARCHAR" });
    expect(metrics).toMatchObject({ rowsIn: { a: 2, b: 3, c: 1 }, rowsOut: 6, convertedToText: ["id"] });
    expect((rows[5]!.joined as Date).toISOString().slice(0, 10)).toBe("2024-03-15");
  });

  it("puts a split Telco back together: 7,043 rows, the same rows in the same order", async () => {
    const telco = (await h.run(csvFile, { path: datasetFile("telco-customer-churn.csv") })).outputs.rows as DatasetRef;
    const ds = h.ctx("setup").datasets;
    const first = await ds.create(`SELECT * FROM ${ds.from(telco)} LIMIT 3000`);
    const rest = await ds.create(`SELECT * FROM ${ds.from(telco)} OFFSET 3000`);
    const { out } = await run({}, { a: first, b: rest });
    expect(out.rows).toBe(7043);
    expect(out.columns).toEqual(telco.columns);
    const [diff] = await ds.query<{ n: number }>(
      `SELECT count(*) AS n FROM (SELECT *, row_number() OVER () AS rn FROM ${ds.from(out)}) o
       FULL JOIN (SELECT *, row_number() OVER () AS rn FROM ${ds.from(telco)}) t ON o.rn = t.rn
       WHERE o."customerID" IS DISTINCT FROM t."customerID" OR o."TotalCharges" IS DISTINCT FROM t."TotalCharges"`,
    );
    expect(diff!.n).toBe(0);
  });

  it("refuses a source column name that an input already uses, and a missing second input", async () => {
    const clash = await failure(run({ sourceColumn: "EMAIL" }, { a, b }));
    expect(clash).toBeInstanceOf(ConfigError);
    expect(clash.where).toBe("sourceColumn");

    const lonely = await failure(run({}, { a }));
    expect(lonely).toBeInstanceOf(ConfigError);
    expect(lonely.where).toBe("b");
  });
});
