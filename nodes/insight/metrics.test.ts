import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, DataError, type DatasetRef, type ModelRef } from "../sdk";
import { harness, datasetFile } from "../../tests/harness";
import score from "../model/score.node.ts";
import trainClassifier from "../model/train-classifier.node.ts";
import metricsNode from "./metrics.node.ts";
import classificationReport from "./classification-report.node.ts";
import csvFile from "../source/csv-file.node.ts";
import dedupe from "../transform/dedupe.node.ts";

describe("insight.metrics", () => {
  const h = harness();
  const store = h.ctx("check").datasets;
  afterAll(() => h.close());

  // Positives score 0.35 and 0.8, negatives 0.1 and 0.4 (plus one unlabelled row and one unscored):
  // AUC 3/4; at 0.5 only 0.8 is predicted positive: tp 1, fn 1, tn 2, fp 0.
  let small: DatasetRef;
  beforeAll(async () => {
    small = await store.create(
      `SELECT * FROM (VALUES ('No', 0.1), ('No', 0.4), ('Yes', 0.35), ('Yes', 0.8), (NULL, 0.9), ('Yes', NULL)) t(outcome, score)`,
    );
  });

  it("measures a scored table against its labels", async () => {
    const { metrics } = await h.run(metricsNode, { labelColumn: "outcome" }, { rows: small });
    expect(metrics).toMatchObject({ rows: 6, evaluatedRows: 4, skippedRows: 2, positiveLabel: "Yes", positiveRate: 0.5 });
    expect(metrics!.rocAuc).toBeCloseTo(0.75, 12);
    expect(metrics!.confusion).toEqual({ tp: 1, fp: 0, tn: 2, fn: 1 });
    expect(metrics!.accuracy).toBeCloseTo(0.75, 12);
    expect(metrics!.precision).toBe(1);
    expect(metrics!.recall).toBeCloseTo(0.5, 12);
  });

  it("follows the chosen positive label and threshold", async () => {
    const { metrics } = await h.run(metricsNode, { labelColumn: "outcome", positiveLabel: "No", threshold: 0.3 }, { rows: small });
    expect(metrics!.rocAuc).toBeCloseTo(0.25, 12);
    // Predicted positive (>= 0.3): 0.4 (No), 0.35 (Yes), 0.8 (Yes); with "No" positive: tp 1, fp 2, fn 1, tn 0.
    expect(metrics!.confusion).toEqual({ tp: 1, fp: 2, tn: 0, fn: 1 });
  });

  it("reports what is wrong with the configuration or the labels", async () => {
    const none = await h.run(metricsNode, {}, {}).catch((e: unknown) => e);
    expect(none).toBeInstanceOf(ConfigError);
    const noLabel = await h.run(metricsNode, {}, { rows: small }).catch((e: unknown) => e);
    expect((noLabel as ConfigError).where).toBe("labelColumn");
    const badScore = await h.run(metricsNode, { labelColumn: "outcome", scoreColumn: "prob" }, { rows: small }).catch((e: unknown) => e);
    expect(badScore).toBeInstanceOf(ConfigError);
    expect((badScore as Error).message).toContain('"prob"');
    const three = await store.create(`SELECT * FROM (VALUES ('a', 0.1), ('b', 0.2), ('c', 0.3)) t(outcome, score)`);
    const err = await h.run(metricsNode, { labelColumn: "outcome" }, { rows: three }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as Error).message).toContain("a, b, c");
  });

  it("measures only the rows the model did not learn from, and says so; all rows when asked", async () => {
    // Held out or new: No 0.6, Yes 0.4, Yes 0.7, No 0.2. Of the 4 positive-negative pairs the
    // positive scores higher in 3 (0.4 < 0.6): AUC 3/4. At 0.5: 0.7 tp, 0.6 fp, 0.4 fn, 0.2 tn.
    const parted = await store.create(
      `SELECT * FROM (VALUES ('No', 0.1, 'training'), ('Yes', 0.9, 'training'), ('No', 0.6, 'held out'), ('Yes', 0.4, 'held out'),
        ('Yes', 0.7, 'held out'), ('No', 0.2, 'new'), ('Yes', 0.3, NULL)) t(outcome, score, part)`,
    );
    const held = (await h.run(metricsNode, { labelColumn: "outcome" }, { rows: parted })).metrics!;
    expect(held).toMatchObject({ measuredOn: "4 rows the model did not learn from (3 held out, 1 new)", evaluatedRows: 4, trainingRowsLeftOut: 2, unknownRowsLeftOut: 1 });
    expect(held.rocAuc).toBeCloseTo(0.75, 12);
    expect(held.confusion).toEqual({ tp: 1, fp: 1, tn: 1, fn: 1 });
    // All 7: positives 0.9, 0.4, 0.7, 0.3 beat 3, 2, 3 and 2 of the negatives 0.1, 0.6, 0.2: 10/12.
    const all = (await h.run(metricsNode, { labelColumn: "outcome", measureOn: "all rows" }, { rows: parted })).metrics!;
    expect(all).toMatchObject({ measuredOn: "all 7 rows, 2 of which the model learnt from (the figures flatter it)", evaluatedRows: 7, trainingRowsIncluded: 2 });
    expect(all.rocAuc).toBeCloseTo(10 / 12, 12);
    // No part column: every row, and the reason.
    expect((await h.run(metricsNode, { labelColumn: "outcome" }, { rows: small })).metrics!.measuredOn).toBe(
      'all 4 rows (the table has no "part" column saying which rows trained the model)',
    );
    // Nothing held out: refused, with the way out.
    const trainedOnly = await store.create(`SELECT * FROM (VALUES ('No', 0.1, 'training'), ('Yes', 0.9, 'training')) t(outcome, score, part)`);
    const err = await h.run(metricsNode, { labelColumn: "outcome" }, { rows: trainedOnly }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as Error).message).toMatch(/No row of the table was held out .*2 training.*"Measure on" to all rows/);
  });

  // The example flow (examples/flows/telco-churn.flow.json) as nodes: the report on the scored
  // customers must give the training node's held-out figures, not figures flattered by the rows
  // the model learnt from. Stratified 20 % of 1,869 churners and 5,174 others: 374 + 1,035 = 1,409.
  describe("the Telco example flow", () => {
    let trained: Record<string, unknown>;
    let scored: DatasetRef;
    let scoreMetrics: Record<string, unknown>;
    beforeAll(async () => {
      const customers = (await h.run(csvFile, { path: datasetFile("telco-customer-churn.csv") })).outputs.rows as DatasetRef;
      const unique = (await h.run(dedupe, { keys: ["customerID"], keep: "first" }, { rows: customers })).outputs.rows as DatasetRef;
      const res = await h.run(trainClassifier, { target: "Churn", exclude: ["customerID"], modelName: "telco-churn", testFraction: 0.2, seed: 42 }, { rows: unique });
      trained = res.metrics!;
      const s = await h.run(score, { scoreColumn: "churn_score" }, { rows: unique, model: res.outputs.model as ModelRef });
      scored = s.outputs.rows as DatasetRef;
      scoreMetrics = s.metrics!;
    });

    it("marks 5,634 training and 1,409 held-out customers by customerID, 374 of them churners", async () => {
      expect(trained).toMatchObject({ trainRows: 5634, testRows: 1409, measuredOn: "1,409 held-out rows", rowKey: "customerID" });
      expect(scoreMetrics).toMatchObject({ trainingRows: 5634, heldOutRows: 1409, newRows: 0, rowsKnownBy: "customerID" });
      const parts = await store.query<{ part: string; n: number; churners: number }>(
        `SELECT part, count(*)::INTEGER AS n, count(*) FILTER (WHERE Churn)::INTEGER AS churners FROM ${store.from(scored)} GROUP BY part ORDER BY part`,
      );
      expect(parts).toEqual([
        { part: "held out", n: 1409, churners: 374 },
        { part: "training", n: 5634, churners: 1495 },
      ]);
    });

    it("reports the training node's held-out ROC AUC and confusion, on 1,409 held-out rows", async () => {
      const report = (await h.run(metricsNode, { labelColumn: "Churn", scoreColumn: "churn_score" }, { rows: scored })).metrics!;
      const charts = (await h.run(classificationReport, { labelColumn: "Churn", scoreColumn: "churn_score" }, { rows: scored })).metrics!;
      const flattered = (await h.run(metricsNode, { labelColumn: "Churn", scoreColumn: "churn_score", measureOn: "all rows" }, { rows: scored })).metrics!;
      console.log(
        `Telco example: training node held-out ROC AUC ${(trained.rocAuc as number).toFixed(4)}, model metrics ${(report.rocAuc as number).toFixed(4)}, ` +
          `classification report ${(charts.rocAuc as number).toFixed(4)}; on all rows ${(flattered.rocAuc as number).toFixed(4)}`,
      );
      expect(trained.rocAuc).toBeGreaterThanOrEqual(0.84); // the published figure for this split
      expect(report.rocAuc).toBeCloseTo(trained.rocAuc as number, 12);
      expect(charts.rocAuc).toBeCloseTo(trained.rocAuc as number, 12);
      expect(report.confusion).toEqual(trained.confusion);
      expect(charts.confusion).toEqual(trained.confusion);
      for (const m of [report, charts]) expect(m).toMatchObject({ measuredOn: "1,409 held-out rows", evaluatedRows: 1409, trainingRowsLeftOut: 5634 });
      expect(flattered.evaluatedRows).toBe(7043);
      expect(flattered.rocAuc).not.toBeCloseTo(trained.rocAuc as number, 3);
    });
  });

  describe("with a model trained on Telco", () => {
    let model: ModelRef;
    let trained: Record<string, unknown>;
    let scored: DatasetRef;
    beforeAll(async () => {
      const telco = await store.create(`SELECT * FROM read_csv('${datasetFile("telco-customer-churn.csv")}')`);
      const res = await h.run(trainClassifier, { target: "Churn", modelName: "churn" }, { rows: telco });
      model = res.outputs.model as ModelRef;
      trained = res.metrics!;
      scored = (await h.run(score, {}, { rows: telco, model })).outputs.rows as DatasetRef;
    });

    it("returns the figures stored with the model", async () => {
      const { metrics, outputs } = await h.run(metricsNode, {}, { model });
      expect(outputs).toEqual({});
      expect(metrics).toMatchObject({ model: "churn", modelVersion: 1, testRows: trained.testRows, trainRows: trained.trainRows });
      expect(metrics!.rocAuc).toBe(trained.rocAuc);
      expect(metrics!.confusion).toEqual(trained.confusion);
    });

    it("computes the same AUC and confusion on the scored table as SQL does, with yes/no words for a boolean label", async () => {
      const { metrics } = await h.run(metricsNode, { labelColumn: "Churn", positiveLabel: "Yes", measureOn: "all rows" }, { rows: scored, model });
      const [sql] = await store.query<{ auc: number; tp: number; fp: number; tn: number; fn: number }>(
        `WITH r AS (SELECT Churn, score, rank() OVER (ORDER BY score) + (count(*) OVER (PARTITION BY score) - 1) / 2.0 AS rk FROM ${store.from(scored)}),
              t AS (SELECT sum(rk) FILTER (WHERE Churn) AS rs, count(*) FILTER (WHERE Churn) AS p, count(*) FILTER (WHERE NOT Churn) AS q,
                           count(*) FILTER (WHERE Churn AND score >= 0.5) AS tp, count(*) FILTER (WHERE NOT Churn AND score >= 0.5) AS fp,
                           count(*) FILTER (WHERE NOT Churn AND score < 0.5) AS tn, count(*) FILTER (WHERE Churn AND score < 0.5) AS fn FROM r)
         SELECT (rs - p * (p + 1) / 2.0) / (p * q) AS auc, tp, fp, tn, fn FROM t`,
      );
      expect(metrics!.rocAuc).toBeCloseTo(sql!.auc, 9);
      expect(metrics!.confusion).toEqual({ tp: sql!.tp, fp: sql!.fp, tn: sql!.tn, fn: sql!.fn });
      expect(metrics).toMatchObject({ model: "churn", modelVersion: 1, rows: 7043, evaluatedRows: 7043, positiveLabel: "true", negativeLabel: "false" });
      // 20 % held out of 7,043 (rounded up: 1,409), so 5,634 rows in the figures were learnt from.
      expect(metrics!.measuredOn).toBe("all 7,043 rows, 5,634 of which the model learnt from (the figures flatter it)");
      expect(metrics!.trainingRowsIncluded).toBe(5634);
      expect((metrics!.trainingMetrics as { rocAuc: number }).rocAuc).toBe(trained.rocAuc);
    });
  });
});
