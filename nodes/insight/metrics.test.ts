import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, DataError, type DatasetRef, type ModelRef } from "../sdk";
import { harness, datasetFile } from "../../tests/harness";
import score from "../model/score.node.ts";
import trainClassifier from "../model/train-classifier.node.ts";
import metricsNode from "./metrics.node.ts";

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
      const { metrics } = await h.run(metricsNode, { labelColumn: "Churn", positiveLabel: "Yes" }, { rows: scored, model });
      const [sql] = await store.query<{ auc: number; tp: number; fp: number; tn: number; fn: number }>(
        `WITH r AS (SELECT Churn, score, rank() OVER (ORDER BY score) + (count(*) OVER (PARTITION BY score) - 1) / 2.0 AS rk FROM ${store.from(scored)}),
              t AS (SELECT sum(rk) FILTER (WHERE Churn) AS rs, count(*) FILTER (WHERE Churn) AS p, count(*) FILTER (WHERE NOT Churn) AS q,
                           count(*) FILTER (WHERE Churn AND score >= 0.5) AS tp, count(*) FILTER (WHERE NOT Churn AND score >= 0.5) AS fp,
                           count(*) FILTER (WHERE NOT Churn AND score < 0.5) AS tn, count(*) FILTER (WHERE Churn AND score < 0.5) AS fn FROM r)
         SELECT (rs - p * (p + 1) / 2.0) / (p * q) AS auc, tp, fp, tn, fn FROM t`,
      );
      expect(metrics!.rocAuc).toBeCloseTo(sql!.auc, 9);
      expect(metrics!.confusion).toEqual({ tp: sql!.tp, fp: sql!.fp, tn: sql!.tn, fn: sql!.fn });
      expect(metrics).toMatchObject({ model: "churn", modelVersion: 1, rows: 7043, evaluatedRows: 7043, positiveLabel: "true" });
      expect((metrics!.trainingMetrics as { rocAuc: number }).rocAuc).toBe(trained.rocAuc);
    });
  });
});
