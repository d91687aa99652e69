import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { failure, harness, type Harness } from "../../tests/harness";
import { profiles } from "../../db/store";
import { ConfigError, type DatasetRef, type NodeResult } from "../sdk";
import branch from "./branch.node.ts";

let h: Harness;
let customers: DatasetRef;
const ds = () => h.ctx("check").datasets;
const runBranch = (config: object, input = customers) => h.run(branch, config, { rows: input });
const ids = async (res: NodeResult, port: string) => (await ds().query<{ id: string }>(`SELECT id FROM ${ds().from(res.outputs[port] as DatasetRef)}`)).map((r) => r.id);

beforeAll(async () => {
  h = harness();
  // tenure is BIGINT: "24" < "6" as text, so a numeric test on it must compare numbers.
  customers = await ds().create(`SELECT * FROM (VALUES
      ('c1', 80.0, 2,  'x', true,  DATE '2024-03-15'),
      ('c2', 50.0, 2,  'y', false, DATE '2023-12-01'),
      ('c3', 50.0, 3,  'x', true,  DATE '2024-01-01'),
      ('c4', 50.0, 24, 'y', false, DATE '2022-06-30'),
      ('c5', 70.0, 12, 'x', NULL,  NULL),
      ('c6', NULL, 1,  'z', true,  DATE '2024-05-05')
    ) t(id, charges, tenure, "plan.tier", active, signup)`);
  await profiles.writeTraits(h.store, [
    { userId: "c1", traits: { plan: "pro", consent: { email: true } } },
    { userId: "c2", traits: { plan: "pro", consent: { email: "granted" } } },
    { userId: "c3", traits: { plan: "basic", consent: { email: false } } },
    { userId: "c4", traits: { plan: "basic" } },
  ]);
});
afterAll(() => h.close());

describe("control.branch", () => {
  it("sends each row to the first branch it passes, the rest to else", async () => {
    const res = await runBranch({
      customerId: "id",
      branches: [
        { name: "big spenders", conditions: [{ on: "column", field: "charges", operator: ">", value: "70" }] },
        { name: "pro", conditions: [{ on: "trait", field: "plan", operator: "=", value: "pro" }] },
        { name: "new", conditions: [{ field: "tenure", operator: "<", value: "6" }] },
      ],
    });
    // c1 passes all three and takes the first; c2 passes "pro" and "new"; c4 (tenure 24) and c5
    // (charges 70, not above 70; no profile) pass none; c6 has no charges but is new.
    expect(await ids(res, "branch1")).toEqual(["c1"]);
    expect(await ids(res, "branch2")).toEqual(["c2"]);
    expect(await ids(res, "branch3")).toEqual(["c3", "c6"]);
    expect(await ids(res, "else")).toEqual(["c4", "c5"]);
    expect((res.outputs.branch4 as DatasetRef).rows).toBe(0);
    expect((res.outputs.branch5 as DatasetRef).rows).toBe(0);
    // Outputs keep the input's columns, no helper column.
    for (const port of ["branch1", "branch5", "else"]) expect((res.outputs[port] as DatasetRef).columns).toEqual(customers.columns);
    expect(res.metrics).toMatchObject({ rows: 6, branches: { "big spenders": 1, pro: 1, new: 2 }, else: 2, rowsWithoutProfile: 2 });
  });

  it("reads traits inside objects, yes/no columns, dates as text, dotted column names, any-of and lists", async () => {
    const res = await runBranch({
      customerId: "id",
      branches: [
        // c1's consent.email true is yes; c2's "granted" is not (the matcher takes yes/true only).
        { name: "consented", conditions: [{ on: "trait", field: "consent.email", operator: "=", value: "yes" }] },
        { name: "x or active", match: "any", conditions: [{ field: "plan.tier", value: "x" }, { field: "active", value: "yes" }] },
        { name: "recent and y or z", conditions: [{ field: "signup", operator: ">=", value: "2023-12-01" }, { field: "plan.tier", operator: "in list", values: ["y", "z"] }] },
      ],
    });
    // c3 and c5 (plan.tier x) and c6 (active) pass branch 2; c2 signed up on 2023-12-01 with
    // plan.tier y; c4 signed up in 2022.
    expect(await ids(res, "branch1")).toEqual(["c1"]);
    expect(await ids(res, "branch2")).toEqual(["c3", "c5", "c6"]);
    expect(await ids(res, "branch3")).toEqual(["c2"]);
    expect(await ids(res, "else")).toEqual(["c4"]);
  });

  it("needs no customer id when no test reads traits", async () => {
    const res = await runBranch({ branches: [{ name: "unset", conditions: [{ field: "charges", operator: "is not set" }] }] });
    expect(await ids(res, "branch1")).toEqual(["c6"]);
    expect((res.outputs.else as DatasetRef).rows).toBe(5);
    expect(res.metrics).not.toHaveProperty("rowsWithoutProfile");
  });

  it("handles 100,000 rows with trait tests", async () => {
    const many = await ds().create(`SELECT CASE WHEN range % 2 = 0 THEN 'c1' ELSE 'n' || range END AS id, range AS n FROM range(100000)`);
    const res = await runBranch(
      { customerId: "id", branches: [{ name: "pro", conditions: [{ on: "trait", field: "plan", value: "pro" }] }, { name: "tens", conditions: [{ field: "n", operator: "<", value: "10" }] }] },
      many,
    );
    // Even rows are c1 (pro); odd rows below 10 are 1, 3, 5, 7, 9.
    expect((res.outputs.branch1 as DatasetRef).rows).toBe(50_000);
    expect((res.outputs.branch2 as DatasetRef).rows).toBe(5);
    expect((res.outputs.else as DatasetRef).rows).toBe(49_995);
  });

  it("refuses configs that cannot work, naming the field", async () => {
    const cases: [object, string, RegExp][] = [
      [{ branches: [{ name: "a", conditions: [{ field: "charges", operator: ">", value: "1" }, { field: "price", value: "1" }] }] }, "branches.0.conditions.1.field", /no column "price"/],
      [{ branches: [{ name: "a", conditions: [{ on: "trait", field: "plan", value: "pro" }] }] }, "customerId", /choose the customer id column/],
      [{ customerId: "user", branches: [{ name: "a", conditions: [{ on: "trait", field: "plan", value: "pro" }] }] }, "customerId", /no column "user"/],
      [{ branches: [] }, "branches", /at least one branch/],
      [{ branches: [{ name: "a", conditions: [] }] }, "branches.0.conditions", /at least one condition/],
      [{ branches: [{ name: "a", conditions: [{ field: "id", value: "c1" }] }, { name: "A", conditions: [{ field: "id", value: "c2" }] }] }, "branches.1.name", /Two branches are named "A"/],
      [{ branches: Array.from({ length: 6 }, (_, i) => ({ name: `b${i}`, conditions: [{ field: "id", value: "c1" }] })) }, "branches", /at most 5/],
    ];
    for (const [config, field, message] of cases) {
      const err = await failure(runBranch(config));
      expect(err, field).toBeInstanceOf(ConfigError);
      expect(err.where).toBe(field);
      expect(err.message).toMatch(message);
    }
  });
});
