import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { failure, harness, type Harness } from "../../tests/harness";
import { ConfigError, type DatasetRef, type ModelRef } from "../sdk";
import assignSegment from "./assign-segment.node.ts";
import segment from "./segment.node.ts";
import trainTextClassifier from "./train-text-classifier.node.ts";

let h: Harness;
let customers: DatasetRef;
let segmented: DatasetRef;
let model: ModelRef;

// Two groups, spend logged: 150 small spenders (orders 1-2, spend 10-20) and 50 big ones
// (orders 8-12, spend 500-1,000); one row without a spend.
const CUSTOMERS = `
  SELECT i AS customer_id,
         CASE WHEN i < 150 THEN 1 + i % 2 ELSE 8 + i % 5 END AS orders,
         CASE WHEN i = 7 THEN NULL WHEN i < 150 THEN 10 + i % 11 ELSE 500 + (i % 6) * 100 END AS spend
    FROM range(200) t(i)`;

beforeAll(async () => {
  h = harness();
  customers = await h.ctx("setup").datasets.create(CUSTOMERS);
  const res = await h.run(segment, { columns: ["orders", "spend"], logColumns: ["spend"], k: 2, modelName: "value" }, { rows: customers });
  segmented = res.outputs.rows as DatasetRef;
  model = res.outputs.model as ModelRef;
});
afterAll(() => h.close());

describe("model.assign-segment", () => {
  it("reproduces the segments of the rows the model was made on", async () => {
    const res = await h.run(assignSegment, {}, { rows: customers, model });
    // Datasets are content addressed: the same segments in the same rows give the same id.
    expect((res.outputs.rows as DatasetRef).id).toBe(segmented.id);
    expect(res.metrics).toMatchObject({ model: "value", modelVersion: 1, k: 2, rows: 200, rowsWithoutSegment: 1, sizes: [149, 50], shares: [149 / 199, 50 / 199] });
  });

  it("places new customers by model name, with the same log and scaling", async () => {
    const ds = h.ctx("setup").datasets;
    // Integer and DECIMAL columns are read as numbers too.
    const fresh = await ds.create(`SELECT orders, CAST(spend AS DECIMAL(10, 2)) AS spend FROM (VALUES (1, 15), (10, 750), (2, 900), (NULL, 12)) t(orders, spend)`);
    const res = await h.run(assignSegment, { modelName: "value", segmentColumn: "tier" }, { rows: fresh });
    const out = res.outputs.rows as DatasetRef;
    expect(out.columns.at(-1)).toEqual({ name: "tier", type: "INTEGER" });
    const tiers = (await ds.query(`SELECT tier FROM ${ds.fromWithPosition(out)} ORDER BY file_row_number`)).map((r) => r.tier);
    expect(tiers).toEqual([1, 2, 2, null]);
    expect(res.metrics).toMatchObject({ rows: 4, rowsWithoutSegment: 1, sizes: [1, 2] });
  });

  it("names what is wrong", async () => {
    const ds = h.ctx("setup").datasets;
    const noSpend = await ds.create(`SELECT 1 AS orders`);
    const lacks = await failure(h.run(assignSegment, {}, { rows: noSpend, model }));
    expect(lacks).toBeInstanceOf(ConfigError);
    expect(lacks.message).toBe('The input lacks column "spend" needed by model "value" version 1');
    const text = await ds.create(`SELECT 1 AS orders, 'lots' AS spend`);
    expect((await failure(h.run(assignSegment, {}, { rows: text, model }))).message).toBe('Column "spend" holds VARCHAR, not the numbers model "value" version 1 needs');
    expect((await failure(h.run(assignSegment, {}, { rows: segmented, model }))).where).toBe("segmentColumn");
    expect((await failure(h.run(assignSegment, {}, { rows: customers }))).where).toBe("modelName");
    const texts = await ds.create(`SELECT * FROM (VALUES ('good', 1), ('bad', 0), ('great', 1), ('awful', 0)) t(text, y)`);
    const classifier = (await h.run(trainTextClassifier, { text: "text", target: "y", folds: 2 }, { rows: texts })).outputs.model as ModelRef;
    const wrong = await failure(h.run(assignSegment, {}, { rows: customers, model: classifier }));
    expect(wrong.message).toContain("text-classifier/naive-bayes");
  });
});
