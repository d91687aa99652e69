import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, NotFoundError, type DatasetRef, type ModelRef } from "../sdk";
import { harness, datasetFile } from "../../tests/harness";
import score from "./score.node.ts";
import trainClassifier from "./train-classifier.node.ts";

const csv = datasetFile("telco-customer-churn.csv");

describe("model.score", () => {
  const h = harness();
  const store = h.ctx("check").datasets;
  let telco: DatasetRef;
  let model: ModelRef;
  afterAll(() => h.close());
  beforeAll(async () => {
    telco = await store.create(`SELECT * FROM read_csv('${csv}')`);
    model = (await h.run(trainClassifier, { target: "Churn", modelName: "churn" }, { rows: telco })).outputs.model as ModelRef;
  });

  it("adds a probability to every Telco row, keeping the rows, their order and their columns", async () => {
    const res = await h.run(score, {}, { rows: telco, model });
    const out = res.outputs.rows as DatasetRef;
    expect(out.rows).toBe(7043);
    expect(out.columns.map((c) => c.name)).toEqual([...telco.columns.map((c) => c.name), "score"]);
    expect(out.columns.at(-1)!.type).toBe("DOUBLE");

    const [s] = await store.query<{ n: number; nulls: number; lo: number; hi: number; mean: number; distinct: number }>(
      `SELECT count(*) AS n, count(*) FILTER (WHERE score IS NULL OR isnan(score)) AS nulls, min(score) AS lo, max(score) AS hi,
              avg(score) AS mean, count(DISTINCT score) AS distinct FROM ${store.from(out)}`,
    );
    expect(s).toMatchObject({ n: 7043, nulls: 0 });
    expect(s!.lo).toBeGreaterThanOrEqual(0);
    expect(s!.hi).toBeLessThanOrEqual(1);
    expect(s!.distinct).toBeGreaterThan(1000);
    expect((res.metrics as { meanScore: number }).meanScore).toBeCloseTo(s!.mean, 9);
    expect(res.metrics).toMatchObject({ model: "churn", modelVersion: 1, rows: 7043 });

    // Same customers in the same order, and the 11 customers with a blank TotalCharges got a score too.
    const [same] = await store.query<{ differ: number; blanks: number }>(
      `WITH a AS (SELECT customerID, TotalCharges, file_row_number AS rn FROM read_parquet('${h.dataDir}/${telco.path}', file_row_number = true)),
            b AS (SELECT customerID, score, file_row_number AS rn FROM read_parquet('${h.dataDir}/${out.path}', file_row_number = true))
       SELECT count(*) FILTER (WHERE a.customerID <> b.customerID) AS differ,
              count(*) FILTER (WHERE trim(a.TotalCharges) = '' AND b.score BETWEEN 0 AND 1) AS blanks
       FROM a JOIN b USING (rn)`,
    );
    expect(same).toEqual({ differ: 0, blanks: 11 });

    // Scores that rank churners first: ROC AUC over all rows by the rank formula, in SQL.
    const [auc] = await store.query<{ auc: number }>(
      `WITH r AS (SELECT Churn, rank() OVER (ORDER BY score) + (count(*) OVER (PARTITION BY score) - 1) / 2.0 AS rk FROM ${store.from(out)}),
            t AS (SELECT sum(rk) FILTER (WHERE Churn) AS rs, count(*) FILTER (WHERE Churn) AS p, count(*) FILTER (WHERE NOT Churn) AS q FROM r)
       SELECT (rs - p * (p + 1) / 2.0) / (p * q) AS auc FROM t`,
    );
    expect(auc!.auc).toBeGreaterThan(0.8);
  });

  it("finds the model by name: latest version, or the one asked for", async () => {
    const byInput = (await h.run(score, {}, { rows: telco, model })).outputs.rows as DatasetRef;
    const byName = await h.run(score, { modelName: "churn" }, { rows: telco });
    // Datasets are content addressed: the same scores in the same rows give the same id.
    expect((byName.outputs.rows as DatasetRef).id).toBe(byInput.id);

    await h.run(trainClassifier, { target: "Churn", modelName: "churn", seed: 7 }, { rows: telco });
    const latest = await h.run(score, { modelName: "churn" }, { rows: telco });
    expect(latest.metrics).toMatchObject({ modelVersion: 2 });
    expect((latest.outputs.rows as DatasetRef).id).not.toBe(byInput.id);
    const pinned = await h.run(score, { modelName: "churn", modelVersion: 1 }, { rows: telco });
    expect((pinned.outputs.rows as DatasetRef).id).toBe(byInput.id);
  });

  it("names the feature columns a dataset lacks", async () => {
    const partial = await store.create(`SELECT * EXCLUDE (tenure, Contract) FROM ${store.from(telco)}`);
    const err = await h.run(score, {}, { rows: partial, model }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toContain('"tenure"');
    expect((err as Error).message).toContain('"Contract"');
  });

  it("needs a model, a known name and a free score column", async () => {
    const none = await h.run(score, {}, { rows: telco }).catch((e: unknown) => e);
    expect(none).toBeInstanceOf(ConfigError);
    expect((none as ConfigError).where).toBe("modelName");
    await expect(h.run(score, { modelName: "nope" }, { rows: telco })).rejects.toBeInstanceOf(NotFoundError);
    const taken = await h.run(score, { scoreColumn: "tenure" }, { rows: telco, model }).catch((e: unknown) => e);
    expect(taken).toBeInstanceOf(ConfigError);
    expect((taken as ConfigError).where).toBe("scoreColumn");
  });
});
