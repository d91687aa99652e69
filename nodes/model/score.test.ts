import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, DataError, NotFoundError, type DatasetRef, type ModelRef } from "../sdk";
import { harness, datasetFile } from "../../tests/harness";
import type { ClassifierArtifact } from "./saved-classifiers";
import { rocAuc, stratifiedSplit } from "./metrics";
import score from "./score.node.ts";
import trainClassifier from "./train-classifier.node.ts";
import { datasets } from "../../db/store";

const csv = datasetFile("telco-customer-churn.csv");

describe("model.score", () => {
  const h = harness();
  const store = h.ctx("check").datasets;
  let telco: DatasetRef;
  let model: ModelRef;
  let logistic: ModelRef;
  let logisticAuc: number;
  let contract: ModelRef;
  afterAll(() => h.close());
  beforeAll(async () => {
    telco = await store.create(`SELECT * FROM read_csv('${csv}')`);
    model = (await h.run(trainClassifier, { target: "Churn", modelName: "churn" }, { rows: telco })).outputs.model as ModelRef;
    const lr = await h.run(trainClassifier, { target: "Churn", algorithm: "logistic", modelName: "churn-lr" }, { rows: telco });
    logistic = lr.outputs.model as ModelRef;
    logisticAuc = (lr.metrics as { rocAuc: number }).rocAuc;
    contract = (await h.run(trainClassifier, { target: "Contract", algorithm: "logistic", modelName: "contract" }, { rows: telco })).outputs.model as ModelRef;
  });

  it("adds a probability to every Telco row, keeping the rows, their order and their columns", async () => {
    const res = await h.run(score, {}, { rows: telco, model });
    const out = res.outputs.rows as DatasetRef;
    expect(out.rows).toBe(7043);
    expect(out.columns.map((c) => c.name)).toEqual([...telco.columns.map((c) => c.name), "score", "part"]);
    expect(out.columns.slice(-2).map((c) => c.type)).toEqual(["DOUBLE", "VARCHAR"]);

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

  it("scores a logistic regression exactly as training measured it", async () => {
    const res = await h.run(score, {}, { rows: telco, model: logistic });
    const out = res.outputs.rows as DatasetRef;
    expect(res.metrics).toMatchObject({ model: "churn-lr", positiveLabel: "true", rows: 7043 });
    const rows = await store.query<{ churn: boolean; score: number }>(`SELECT Churn AS churn, score FROM ${store.fromWithPosition(out)} ORDER BY file_row_number`);
    // The training node's held-out part: the same seeded stratified split of the labels in file order.
    const y = rows.map((r) => (r.churn ? 1 : 0));
    const { test } = stratifiedSplit(y, 0.2, 42);
    expect(rocAuc(test.map((i) => y[i]!), test.map((i) => rows[i]!.score))).toBe(logisticAuc);
  });

  it("adds the most likely class and one probability per class for a three-class model, in one new dataset", async () => {
    const stored = () => datasets.total(h.store);
    const before = await stored();
    const res = await h.run(score, {}, { rows: telco, model: contract });
    const out = res.outputs.rows as DatasetRef;
    expect(await stored()).toBe(before + 1); // no intermediate datasets left behind
    const classes = ["Month-to-month", "One year", "Two year"];
    expect(out.rows).toBe(7043);
    expect(out.columns.slice(telco.columns.length)).toEqual([
      { name: "prediction", type: "VARCHAR" },
      ...classes.map((c) => ({ name: `score_${c}`, type: "DOUBLE" })),
      { name: "part", type: "VARCHAR" },
    ]);
    const [check] = await store.query<{ bad_sum: number; not_argmax: number; unknown: number; correct: number; differ: number }>(
      `WITH s AS (SELECT *, file_row_number AS rn FROM read_parquet('${h.dataDir}/${out.path}', file_row_number = true)),
            a AS (SELECT customerID, file_row_number AS rn FROM read_parquet('${h.dataDir}/${telco.path}', file_row_number = true))
       SELECT count(*) FILTER (WHERE abs("score_Month-to-month" + "score_One year" + "score_Two year" - 1) > 1e-9) AS bad_sum,
              count(*) FILTER (WHERE greatest("score_Month-to-month", "score_One year", "score_Two year") >
                CASE prediction WHEN 'Month-to-month' THEN "score_Month-to-month" WHEN 'One year' THEN "score_One year" ELSE "score_Two year" END) AS not_argmax,
              count(*) FILTER (WHERE prediction NOT IN ('Month-to-month', 'One year', 'Two year') OR prediction IS NULL) AS unknown,
              count(*) FILTER (WHERE prediction = Contract) AS correct,
              count(*) FILTER (WHERE s.customerID <> a.customerID) AS differ
       FROM s JOIN a USING (rn)`,
    );
    expect(check).toMatchObject({ bad_sum: 0, not_argmax: 0, unknown: 0, differ: 0 });
    expect(check!.correct / 7043).toBeGreaterThan(0.7);
    const m = res.metrics as { classes: string[]; predicted: Record<string, number> };
    expect(m.classes).toEqual(classes);
    expect(Object.values(m.predicted).reduce((a, b) => a + b, 0)).toBe(7043);
  });

  it("says which rows trained the model, were held out or are new: by the key column, else by the input values", async () => {
    // The model learnt Churn from every column but customerID (all values distinct), which became
    // its key. ceil(0.2 * 7,043) = 1,409 held out; stratified, 374 of the 1,869 churners.
    const { metrics, outputs } = await h.run(score, {}, { rows: telco, model });
    expect(metrics).toMatchObject({ trainingRows: 5634, heldOutRows: 1409, newRows: 0, rowsKnownBy: "customerID" });
    const split = stratifiedSplit(
      (await store.query<{ c: boolean }>(`SELECT Churn AS c FROM ${store.from(telco)}`)).map((r) => String(r.c)),
      0.2,
      42,
    );
    const parts = (await store.query<{ part: string }>(`SELECT part FROM ${h.ctx("x").datasets.fromWithPosition(outputs.rows as DatasetRef)} ORDER BY file_row_number`)).map((r) => r.part);
    expect(split.test.every((i) => parts[i] === "held out")).toBe(true);
    expect(split.train.every((i) => parts[i] === "training")).toBe(true);

    // Three held-out customers, one training customer, and two training customers under new ids (new).
    const heldIds = split.test.slice(0, 3);
    const trainIds = split.train.slice(0, 3);
    const ids = (await store.query<{ id: string }>(`SELECT customerID AS id FROM ${store.fromWithPosition(telco)} ORDER BY file_row_number`)).map((r) => r.id);
    const sample = await store.create(
      `SELECT * REPLACE (CASE WHEN customerID = ${store.literal(ids[trainIds[1]!]!)} THEN 'NEW-1' WHEN customerID = ${store.literal(ids[trainIds[2]!]!)} THEN 'NEW-2' ELSE customerID END AS customerID)
       FROM ${store.from(telco)} WHERE customerID IN (${[...heldIds, ...trainIds].map((i) => store.literal(ids[i]!)).join(", ")})`,
    );
    const s = await h.run(score, {}, { rows: sample, model });
    expect(s.metrics).toMatchObject({ trainingRows: 1, heldOutRows: 3, newRows: 2 });

    // Without the key column the parts cannot be told: left empty, and said.
    const noKey = await store.create(`SELECT * EXCLUDE (customerID) FROM ${store.from(telco)}`);
    const unknown = await h.run(score, {}, { rows: noKey, model });
    expect(unknown.metrics).toMatchObject({ parts: "unknown: the input lacks customerID" });
    const [nulls] = await store.query<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM ${store.from(unknown.outputs.rows as DatasetRef)} WHERE part IS NULL`);
    expect(nulls!.n).toBe(7043);

    // Trained without a key column: rows are known by the values of the model's inputs. The same
    // 1,409 rows are held out (the split depends on the labels and the seed only), unless a held-out
    // row has the same inputs as a training row: then it counts as training.
    const byInputs = await h.run(trainClassifier, { target: "Churn", algorithm: "logistic", modelName: "churn-no-key" }, { rows: noKey });
    expect(byInputs.metrics!.rowKey).toBeUndefined();
    const scoredNoKey = await h.run(score, {}, { rows: noKey, model: byInputs.outputs.model as ModelRef });
    const m = scoredNoKey.metrics as { trainingRows: number; heldOutRows: number; newRows: number; rowsKnownBy: string };
    expect(m.rowsKnownBy).toBe("the model's input columns");
    expect(m.newRows).toBe(0);
    expect(m.trainingRows + m.heldOutRows).toBe(7043);
    // Held-out rows whose inputs (every column but customerID and Churn) equal a training row's count as training.
    const inputs = (await store.query<Record<string, unknown>>(`SELECT * EXCLUDE (Churn) FROM ${store.fromWithPosition(noKey)} ORDER BY file_row_number`)).map((r) => {
      const { file_row_number: _, ...rest } = r;
      return JSON.stringify(Object.values(rest).map(String));
    });
    const seen = new Set(split.train.map((i) => inputs[i]));
    const straddling = split.test.filter((i) => seen.has(inputs[i])).length;
    console.log(`Telco without customerID: ${straddling} held-out rows have the inputs of a training row`);
    expect(m.heldOutRows).toBe(1409 - straddling);
  });

  it("finds the model by name, or the version asked for", async () => {
    const byInput = (await h.run(score, {}, { rows: telco, model })).outputs.rows as DatasetRef;
    await h.run(trainClassifier, { target: "Churn", modelName: "churn", seed: 7 }, { rows: telco });
    // Which version a bare name loads is the registry's rule; the node scores with that one.
    const loaded = await h.ctx("check").models.load({ name: "churn" });
    const byName = await h.run(score, { modelName: "churn" }, { rows: telco });
    expect(byName.metrics).toMatchObject({ model: "churn", modelVersion: loaded.ref.version });

    // Datasets are content addressed: the same scores in the same rows give the same id.
    const pinned = await h.run(score, { modelName: "churn", modelVersion: 1 }, { rows: telco });
    expect((pinned.outputs.rows as DatasetRef).id).toBe(byInput.id);
    const other = await h.run(score, { modelName: "churn", modelVersion: 2 }, { rows: telco });
    expect(other.metrics).toMatchObject({ modelVersion: 2 });
    expect((other.outputs.rows as DatasetRef).id).not.toBe(byInput.id);
  });

  it("still scores a binary-classifier/brainjs artifact saved before column types were kept", async () => {
    const ctx = h.ctx("legacy");
    const current = await ctx.models.load({ id: model.id });
    const { negativeLabel: _, trainingRows: __, ...old } = JSON.parse(JSON.stringify(current.artifact, (k, v) => (k === "type" ? undefined : v))) as ClassifierArtifact & {
      trainingRows: unknown;
    };
    expect(JSON.stringify(old)).not.toContain('"type":"BIGINT"');
    const legacy = await ctx.models.save({ name: "legacy", kind: "binary-classifier/brainjs", metrics: {}, artifact: old });
    const fromLegacy = await h.run(score, {}, { rows: telco, model: legacy });
    const fromCurrent = await h.run(score, {}, { rows: telco, model });
    // The same scores; the parts are unknown, as the old version did not record its training rows.
    const withoutPart = async (ref: DatasetRef) => (await store.create(`SELECT * EXCLUDE (part) FROM ${store.from(ref)}`)).id;
    expect(await withoutPart(fromLegacy.outputs.rows as DatasetRef)).toBe(await withoutPart(fromCurrent.outputs.rows as DatasetRef));
    expect(fromLegacy.metrics).toMatchObject({ parts: "unknown: this model version does not record its training rows" });
  });

  it("names the feature columns a dataset lacks", async () => {
    const partial = await store.create(`SELECT * EXCLUDE (tenure, Contract) FROM ${store.from(telco)}`);
    const err = await h.run(score, {}, { rows: partial, model }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toContain('"tenure"');
    expect((err as Error).message).toContain('"Contract"');
  });

  it("names a column whose type no longer fits: text where a number or true/false was learned", async () => {
    const texts = await store.create(
      `SELECT * REPLACE (CAST(tenure AS VARCHAR) || ' months' AS tenure, CASE WHEN Partner THEN 'Yes' ELSE 'No' END AS Partner) FROM ${store.from(telco)}`,
    );
    for (const m of [model, logistic]) {
      const err = await h.run(score, {}, { rows: texts, model: m }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).where).toBe("rows");
      expect((err as Error).message).toMatch(/column "tenure" is VARCHAR \(text\), but the model learned it as a number from BIGINT/);
      expect((err as Error).message).toMatch(/column "Partner" is VARCHAR \(text\), but the model learned it as categories of true\/false values from BOOLEAN/);
    }
  });

  it("takes number-like text back as numbers, but not text that no longer reads as numbers", async () => {
    // TotalCharges was text with 11 blanks; as DOUBLE (blanks NULL) it encodes the same.
    const doubles = await store.create(`SELECT * REPLACE (TRY_CAST(TotalCharges AS DOUBLE) AS TotalCharges) FROM ${store.from(telco)}`);
    const a = await h.run(score, {}, { rows: doubles, model });
    const b = await h.run(score, {}, { rows: telco, model });
    const scores = async (ref: DatasetRef) =>
      (await store.query<{ score: number }>(`SELECT score FROM ${store.fromWithPosition(ref)} ORDER BY file_row_number`)).map((r) => r.score);
    expect(await scores(a.outputs.rows as DatasetRef)).toEqual(await scores(b.outputs.rows as DatasetRef));

    const garbled = await store.create(
      `SELECT * REPLACE (CASE WHEN tenure % 5 = 0 THEN 'unknown' ELSE TotalCharges END AS TotalCharges) FROM ${store.from(telco)}`,
    );
    const err = await h.run(score, {}, { rows: garbled, model }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as DataError).where).toBe("TotalCharges");
    expect((err as Error).message).toMatch(/column "TotalCharges" holds text that is not a number in \d+ of 7043 values \(e\.g\. "unknown"\)/);
  });

  it("needs a model, a known name, a classifier and free column names", async () => {
    const none = await h.run(score, {}, { rows: telco }).catch((e: unknown) => e);
    expect(none).toBeInstanceOf(ConfigError);
    expect((none as ConfigError).where).toBe("modelName");
    await expect(h.run(score, { modelName: "nope" }, { rows: telco })).rejects.toBeInstanceOf(NotFoundError);
    const taken = await h.run(score, { scoreColumn: "tenure" }, { rows: telco, model }).catch((e: unknown) => e);
    expect(taken).toBeInstanceOf(ConfigError);
    expect((taken as ConfigError).where).toBe("scoreColumn");
    const part = await h.run(score, { partColumn: "gender" }, { rows: telco, model }).catch((e: unknown) => e);
    expect((part as ConfigError).where).toBe("partColumn");
    const prediction = await h.run(score, { predictionColumn: "Contract" }, { rows: telco, model: contract }).catch((e: unknown) => e);
    expect((prediction as ConfigError).where).toBe("predictionColumn");
    const scored = await store.create(`SELECT *, 0.5 AS "score_One year" FROM ${store.from(telco)}`);
    const probability = await h.run(score, {}, { rows: scored, model: contract }).catch((e: unknown) => e);
    expect(probability).toBeInstanceOf(ConfigError);
    expect((probability as ConfigError).where).toBe("scoreColumn");
    expect((probability as Error).message).toContain('"score_One year"');
    const other = await h.ctx("other").models.save({ name: "segments", kind: "segmentation/kmeans", metrics: {}, artifact: {} });
    const wrongKind = await h.run(score, {}, { rows: telco, model: other }).catch((e: unknown) => e);
    expect(wrongKind).toBeInstanceOf(ConfigError);
    expect((wrongKind as Error).message).toContain("is a segmentation/kmeans");
  });
});
