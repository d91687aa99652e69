import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { datasetFile, failure, harness, type Harness } from "../../tests/harness";
import { ConfigError, type DatasetRef } from "../sdk";
import csvFile from "../source/csv-file.node.ts";
import join from "./join.node.ts";

let h: Harness;
let customers: DatasetRef;
let orders: DatasetRef;

// Customers 1..4 (4 has no orders; one customer has no id). Orders for 1 (twice), 2, 9 (unknown) and none.
const CUSTOMERS = `SELECT * FROM (VALUES (1, 'Ann', 'Paris'), (2, 'Ben', 'Oslo'), (4, 'Dee', 'Rome'), (NULL, 'Nobody', 'Nowhere')) t(id, name, city)`;
const ORDERS = `SELECT * FROM (VALUES
  (100, 2, 'Pen', 3.5), (101, 1, 'Ink', 10.0), (102, 9, 'Cap', 1.0), (103, 1, 'Pad', 2.0), (104, NULL, 'Box', 4.0)
) t(order_id, customer_id, name, amount)`;

beforeAll(async () => {
  h = harness();
  const ds = h.ctx("setup").datasets;
  customers = await ds.create(CUSTOMERS);
  orders = await ds.create(ORDERS);
});
afterAll(() => h.close());

async function run(config: Record<string, unknown>, left: DatasetRef = customers, right: DatasetRef = orders) {
  const res = await h.run(join, config, { left, right });
  const out = res.outputs.rows as DatasetRef;
  const ds = h.ctx("q").datasets;
  const rows = await ds.query(`SELECT * FROM ${ds.from(out)}`);
  return { out, rows, metrics: res.metrics };
}

const byId = { keys: [{ left: "id", right: "customer_id" }] };

describe("transform.join", () => {
  it("inner: matching rows in left order, right keys dropped, clashing names suffixed", async () => {
    const { out, rows, metrics } = await run(byId);
    expect(out.columns.map((c) => c.name)).toEqual(["id", "name", "city", "order_id", "name_right", "amount"]);
    expect(rows.map((r) => [r.id, r.name, r.order_id, r.name_right])).toEqual([
      [1, "Ann", 101, "Ink"],
      [1, "Ann", 103, "Pad"],
      [2, "Ben", 100, "Pen"],
    ]);
    expect(metrics).toEqual({
      rowsLeft: 4,
      rowsRight: 5,
      rowsOut: 3,
      matched: 3,
      leftOnly: 2,
      rightOnly: 2,
      leftRowsMatched: 2,
      renamed: { name: "name_right" },
    });
  });

  it("left: every left row once or per match, empty right columns where nothing matches", async () => {
    const { rows, metrics } = await run({ ...byId, kind: "left" });
    expect(rows.map((r) => [r.id, r.name, r.order_id, r.amount])).toEqual([
      [1, "Ann", 101, 10],
      [1, "Ann", 103, 2],
      [2, "Ben", 100, 3.5],
      [4, "Dee", null, null],
      [null, "Nobody", null, null],
    ]);
    expect(metrics).toMatchObject({ rowsOut: 5, matched: 3, leftOnly: 2, rightOnly: 2 });
  });

  it("full: right-only rows come last and carry their key in the left key column", async () => {
    const { rows, metrics } = await run({ ...byId, kind: "full", suffix: " (order)" });
    expect(rows.map((r) => [r.id, r.name, r.order_id, r["name (order)"]])).toEqual([
      [1, "Ann", 101, "Ink"],
      [1, "Ann", 103, "Pad"],
      [2, "Ben", 100, "Pen"],
      [4, "Dee", null, null],
      [null, "Nobody", null, null],
      [9, null, 102, "Cap"],
      [null, null, 104, "Box"],
    ]);
    expect(metrics).toMatchObject({ rowsOut: 7, matched: 3, leftOnly: 2, rightOnly: 2, renamed: { name: "name (order)" } });
  });

  it("matches on several key pairs and keeps suffixed names unique", async () => {
    const ds = h.ctx("setup").datasets;
    const visits = await ds.create(`SELECT * FROM (VALUES ('a', 2024, 3, 'x'), ('a', 2025, 1, 'y'), ('b', 2024, 7, 'z')) t(store, yr, n, name)`);
    const goals = await ds.create(
      `SELECT * FROM (VALUES ('a', 2024, 5, 'g1', 'q'), ('b', 2025, 2, 'g2', 'r'), ('a', 2025, 1, 'g3', 's')) t(shop, year, n, name_right, name)`,
    );
    const { out, rows, metrics } = await run(
      {
        keys: [
          { left: "store", right: "shop" },
          { left: "yr", right: "year" },
        ],
      },
      visits,
      goals,
    );
    expect(out.columns.map((c) => c.name)).toEqual(["store", "yr", "n", "name", "n_right", "name_right", "name_right2"]);
    expect(rows).toEqual([
      { store: "a", yr: 2024, n: 3, name: "x", n_right: 5, name_right: "g1", name_right2: "q" },
      { store: "a", yr: 2025, n: 1, name: "y", n_right: 1, name_right: "g3", name_right2: "s" },
    ]);
    expect(metrics).toMatchObject({ matched: 2, leftOnly: 1, rightOnly: 1, renamed: { n: "n_right", name: "name_right2" } });
  });

  it("treats names differing only in case as a clash", async () => {
    const ds = h.ctx("setup").datasets;
    const right = await ds.create(`SELECT * FROM (VALUES (1, 'Paris!')) t(cid, "CITY")`);
    const { out } = await run({ keys: [{ left: "id", right: "cid" }] }, customers, right);
    expect(out.columns.map((c) => c.name)).toEqual(["id", "name", "city", "CITY_right"]);
  });

  it("names an unknown or incompatible key column", async () => {
    const noLeft = await failure(run({ keys: [{ left: "ID", right: "customer_id" }] }));
    expect(noLeft).toBeInstanceOf(ConfigError);
    expect(noLeft.where).toBe("keys.0.left");
    expect(noLeft.message).toContain('"ID"');
    const noRight = await failure(run({ keys: [{ left: "id", right: "customer_id" }, { left: "name", right: "nom" }] }));
    expect(noRight.where).toBe("keys.1.right");
    expect(noRight.message).toContain('"nom" in the right table');
    const types = await failure(run({ keys: [{ left: "id", right: "name" }] }));
    expect(types).toBeInstanceOf(ConfigError);
    expect(types.where).toBe("keys.0");
    expect(types.message).toContain("INTEGER");
    expect(await failure(run({ keys: [] }))).toBeInstanceOf(ConfigError);
    expect((await failure(run({ ...byId, kind: "cross" }))).where).toBe("kind");
  });

  it("joins 7,043 Telco customers to an independently filtered subset of themselves", async () => {
    const telco = (await h.run(csvFile, { path: datasetFile("telco-customer-churn.csv") })).outputs.rows as DatasetRef;
    const ds = h.ctx("setup").datasets;
    const longTenure = await ds.create(`SELECT "customerID" AS id, tenure, "Churn" FROM ${ds.from(telco)} WHERE tenure > 60`);
    const [{ n }] = (await ds.query<{ n: number }>(`SELECT count(*) AS n FROM ${ds.from(telco)} WHERE tenure > 60`)) as [{ n: number }];
    const inner = await run({ keys: [{ left: "customerID", right: "id" }] }, telco, longTenure);
    expect(inner.metrics).toMatchObject({ rowsOut: n, matched: n, leftOnly: 7043 - n, rightOnly: 0 });
    expect(inner.rows.every((r) => r.tenure === r.tenure_right && r.Churn === r.Churn_right)).toBe(true);
    const left = await run({ keys: [{ left: "customerID", right: "id" }], kind: "left" }, telco, longTenure);
    expect(left.out.rows).toBe(7043);
    expect(left.rows.slice(0, 3).map((r) => r.customerID)).toEqual(["7590-VHVEG", "5575-GNVDE", "3668-QPYBK"]);
  });
});
