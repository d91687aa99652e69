import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { harness, datasetFile, type Harness, failure } from "../../tests/harness";
import { ConfigError, type DatasetRef } from "../sdk";
import csvFile from "../source/csv-file.node.ts";
import dedupe from "./dedupe.node.ts";

let h: Harness;
let people: DatasetRef;

// Position: (c, a, b). Duplicate groups on (a, b): (1,x) at 0,2,6; (2,y) at 1,4; (3,z) at 3; (1,w) at 5.
const PEOPLE = `SELECT * FROM (VALUES
  (10, 1, 'x'), (20, 2, 'y'), (5, 1, 'x'), (7, 3, 'z'), (30, 2, 'y'), (1, 1, 'w'), (NULL, 1, 'x')
) t(c, a, b)`;

beforeAll(async () => {
  h = harness();
  people = await h.ctx("setup").datasets.create(PEOPLE);
});
afterAll(() => h.close());

async function run(config: Record<string, unknown>, input: DatasetRef = people) {
  const res = await h.run(dedupe, config, { rows: input });
  const out = res.outputs.rows as DatasetRef;
  const ds = h.ctx("q").datasets;
  const rows = await ds.query(`SELECT * FROM ${ds.from(out)}`);
  return { out, rows, metrics: res.metrics };
}


describe("transform.dedupe", () => {
  it("keeps the first row of each key by position, in input order and column order", async () => {
    const { out, rows, metrics } = await run({ keys: ["a", "b"] });
    expect(out.columns.map((c) => c.name)).toEqual(["c", "a", "b"]);
    expect(rows).toEqual([
      { c: 10, a: 1, b: "x" },
      { c: 20, a: 2, b: "y" },
      { c: 7, a: 3, b: "z" },
      { c: 1, a: 1, b: "w" },
    ]);
    expect(metrics).toEqual({ rowsIn: 7, rowsOut: 4, duplicatesRemoved: 3 });
  });

  it("keeps the last row of each key by position", async () => {
    const { rows } = await run({ keys: ["a", "b"], keep: "last" });
    expect(rows).toEqual([
      { c: 7, a: 3, b: "z" },
      { c: 30, a: 2, b: "y" },
      { c: 1, a: 1, b: "w" },
      { c: null, a: 1, b: "x" },
    ]);
  });

  it("keeps the smallest orderBy value for first, never a missing one", async () => {
    const { rows } = await run({ keys: ["a", "b"], orderBy: "c" });
    expect(rows).toEqual([
      { c: 20, a: 2, b: "y" },
      { c: 5, a: 1, b: "x" },
      { c: 7, a: 3, b: "z" },
      { c: 1, a: 1, b: "w" },
    ]);
  });

  it("keeps the largest orderBy value for last", async () => {
    const { rows, metrics } = await run({ keys: ["a", "b"], orderBy: "c", keep: "last" });
    expect(rows).toEqual([
      { c: 10, a: 1, b: "x" },
      { c: 7, a: 3, b: "z" },
      { c: 30, a: 2, b: "y" },
      { c: 1, a: 1, b: "w" },
    ]);
    expect(metrics).toEqual({ rowsIn: 7, rowsOut: 4, duplicatesRemoved: 3 });
  });

  it("breaks orderBy ties by position", async () => {
    const tied = await h.ctx("setup").datasets.create(`SELECT * FROM (VALUES ('p', 1, 'one'), ('p', 1, 'two'), ('p', 0, 'low')) t(k, v, id)`);
    expect((await run({ keys: ["k"], orderBy: "v", keep: "last" }, tied)).rows).toEqual([{ k: "p", v: 1, id: "two" }]);
    expect((await run({ keys: ["k"], orderBy: "v" }, tied)).rows).toEqual([{ k: "p", v: 0, id: "low" }]);
  });

  it("groups by a single key", async () => {
    const { rows } = await run({ keys: ["a"] });
    expect(rows.map((r) => r.c)).toEqual([10, 20, 7]);
  });

  it("names an unknown key or order column", async () => {
    const bad = await failure(run({ keys: ["a", "nope"] }));
    expect(bad).toBeInstanceOf(ConfigError);
    expect(bad.where).toBe("keys");
    expect(bad.message).toContain('"nope"');
    const badOrder = await failure(run({ keys: ["a"], orderBy: "when" }));
    expect(badOrder).toBeInstanceOf(ConfigError);
    expect(badOrder.where).toBe("orderBy");
    expect(badOrder.message).toContain('"when"');
  });

  it("needs at least one key", async () => {
    expect(await failure(run({ keys: [] }))).toBeInstanceOf(ConfigError);
  });

  it("keeps all 7,043 Telco customers by customerID and two rows by gender", async () => {
    const telco = (await h.run(csvFile, { path: datasetFile("telco-customer-churn.csv") })).outputs.rows as DatasetRef;
    const byId = await h.run(dedupe, { keys: ["customerID"] }, { rows: telco });
    expect(byId.metrics).toEqual({ rowsIn: 7043, rowsOut: 7043, duplicatesRemoved: 0 });

    const byGender = await run({ keys: ["gender"] }, telco);
    // The file's first two data lines are a Female then a Male customer.
    expect(byGender.rows.map((r) => [r.customerID, r.gender])).toEqual([
      ["7590-VHVEG", "Female"],
      ["5575-GNVDE", "Male"],
    ]);
    expect(byGender.out.columns).toEqual(telco.columns);
  });
});
