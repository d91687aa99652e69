import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, DataError, NotFoundError, type DatasetRef, type ModelRef } from "../sdk";
import { harness, datasetFile } from "../../tests/harness";
import type { ClassifierArtifact, LogisticClassifierArtifact, MultiClassLogisticArtifact } from "./saved-classifiers";
import trainClassifier from "./train-classifier.node.ts";
import { defaultModelName } from "./train-classifier-config";

const csv = datasetFile("telco-customer-churn.csv");

type Summary = { mean: number; std: number; values: number[] };
type BinaryMetrics = {
  algorithm: string;
  rocAuc: number;
  accuracy: number;
  precision: number;
  testRows: number;
  trainRows: number;
  positiveRate: number;
  iterations: number;
  trainSeconds: number;
  bestIteration?: number;
  confusion: { tp: number; fp: number; tn: number; fn: number };
  skippedColumns: string[];
  crossValidation?: { folds: number; rocAuc: Summary; accuracy: Summary };
};
type MultiMetrics = {
  accuracy: number;
  macroF1: number;
  majorityRate: number;
  classes: string[];
  testRows: number;
  confusion: { labels: string[]; matrix: number[][] };
  crossValidation?: { folds: number; accuracy: Summary; macroF1: Summary };
};

// Acceptance on Telco churn: stratified 80/20 split with seed 42, features all but customerID,
// ROC AUC at least the published 0.84 on the held-out part for both algorithms. The split is
// scikit-learn's train_test_split(stratify=y, random_state=42), the one published notebooks use
// (numpy-random.test.ts checks the rows), so scikit-learn's own logistic regression on the same
// rows, kept in the fixture, is an outside figure to compare with.
const PUBLISHED_AUC = 0.84;
const sklearn = JSON.parse(readFileSync(path.join(import.meta.dirname, "fixtures", "sklearn-splits.json"), "utf8")) as { telcoChurnLogisticRocAuc42: number };

describe("model.train-classifier on Telco churn", () => {
  const h = harness();
  let telco: DatasetRef;
  afterAll(() => h.close());
  beforeAll(async () => {
    telco = await h.ctx("load").datasets.create(`SELECT * FROM read_csv('${csv}')`);
  });

  it("neural network: held-out ROC AUC, progress every 250 ms or more with rising iterations, repeatable versions 1 then 2", async () => {
    const store = h.ctx("check").datasets;
    const [counts] = await store.query<{ pos: number; neg: number }>(
      `SELECT count(*) FILTER (WHERE Churn) AS pos, count(*) FILTER (WHERE NOT Churn) AS neg FROM ${store.from(telco)}`,
    );
    const reports: { fraction: number; message: string; iteration?: number; at: number }[] = [];
    const ctx = h.ctx("train", {
      onProgress: ({ fraction, message, details }) =>
        void reports.push({ fraction: fraction ?? -1, message: message ?? "", iteration: details?.iteration as number | undefined, at: Date.now() }),
    });

    const started = Date.now();
    const first = await h.run(trainClassifier, { target: "Churn", modelName: "churn" }, { rows: telco }, ctx);
    const seconds = (Date.now() - started) / 1000;
    const m = first.metrics as BinaryMetrics;
    console.log(
      `Telco churn, neural network (brain.js, hidden [8]): held-out ROC AUC ${m.rocAuc.toFixed(4)}, accuracy ${m.accuracy.toFixed(4)}, ` +
        `${m.iterations} passes, node run ${seconds.toFixed(1)} s`,
    );

    expect(m.algorithm).toBe("neural");
    expect(m.rocAuc).toBeGreaterThanOrEqual(PUBLISHED_AUC);
    expect(m.accuracy).toBeGreaterThan(0.74); // above always answering "no churn" (73.5 %)
    expect(seconds).toBeLessThan(20);
    expect(m.testRows).toBe(Math.round(counts!.pos * 0.2) + Math.round(counts!.neg * 0.2));
    expect(m.trainRows).toBe(7043 - m.testRows);
    expect(m.positiveRate).toBeCloseTo(counts!.pos / 7043, 12);
    const c = m.confusion;
    expect(c.tp + c.fn).toBe(Math.round(counts!.pos * 0.2));
    expect(c.tn + c.fp).toBe(Math.round(counts!.neg * 0.2));
    expect(m.precision).toBeCloseTo(c.tp / (c.tp + c.fp), 12);
    expect(m.skippedColumns).toEqual(["customerID"]);

    const model = first.outputs.model as ModelRef;
    expect(model).toMatchObject({ kind: "model", name: "churn", version: 1 });
    const saved = await ctx.models.load({ name: "churn", version: 1 });
    expect(saved.kind).toBe("binary-classifier/brainjs");
    expect(saved.datasetId).toBe(telco.id);
    const artifact = saved.artifact as ClassifierArtifact;
    expect(artifact.target).toBe("Churn");
    expect(artifact.positiveLabel).toBe("true"); // DuckDB reads the Yes/No column as BOOLEAN
    expect(artifact.negativeLabel).toBe("false");
    expect(artifact.features.inputs).toContain("TotalCharges");
    expect(artifact.features.inputs).not.toContain("Churn");
    expect(artifact.features.inputs).not.toContain("customerID");
    expect(artifact.net.sizes[0]).toBe(artifact.features.names.length);

    // Progress: one report per training pass at most every 250 ms, iterations rising, then "trained" at 1.
    const training = reports.slice(0, -1);
    expect(reports.at(-1)).toMatchObject({ fraction: 1, message: "trained", iteration: m.iterations });
    expect(training.length).toBeGreaterThan(1);
    for (const [i, r] of training.entries()) {
      expect(r.message).toMatch(new RegExp(`^iteration ${r.iteration}/30, error \\d`));
      if (i > 0) {
        expect(r.iteration!).toBeGreaterThan(training[i - 1]!.iteration!);
        expect(r.at - training[i - 1]!.at).toBeGreaterThanOrEqual(250);
      }
    }
    expect(training[0]!.iteration).toBe(1);
    expect(reports.every((r, i) => r.fraction >= 0 && r.fraction <= 1 && (i === 0 || r.fraction >= reports[i - 1]!.fraction))).toBe(true);

    // Same seed, same model: the second save is version 2 with identical figures.
    const second = await h.run(trainClassifier, { target: "Churn", modelName: "churn" }, { rows: telco });
    expect((second.outputs.model as ModelRef).version).toBe(2);
    expect((second.metrics as BinaryMetrics).rocAuc).toBe(m.rocAuc);
    expect((await ctx.models.load({ name: "churn", version: 2 })).artifact).toEqual(saved.artifact);
  });

  it("logistic regression: held-out ROC AUC, and 5-fold cross-validation of the training part at the published level", async () => {
    const started = Date.now();
    const res = await h.run(trainClassifier, { target: "Churn", algorithm: "logistic", modelName: "churn-lr", folds: 5 }, { rows: telco });
    const seconds = (Date.now() - started) / 1000;
    const m = res.metrics as BinaryMetrics;
    const cv = m.crossValidation!;
    console.log(
      `Telco churn, logistic regression: held-out ROC AUC ${m.rocAuc.toFixed(4)}, accuracy ${m.accuracy.toFixed(4)}; ` +
        `5-fold ROC AUC ${cv.rocAuc.mean.toFixed(4)} ± ${cv.rocAuc.std.toFixed(4)} (${cv.rocAuc.values.map((v) => v.toFixed(4)).join(", ")}), ` +
        `accuracy ${cv.accuracy.mean.toFixed(4)} ± ${cv.accuracy.std.toFixed(4)}; ${m.iterations} iterations, node run ${seconds.toFixed(1)} s; ` +
        `scikit-learn on the same rows ${sklearn.telcoChurnLogisticRocAuc42.toFixed(4)}`,
    );
    expect(m.algorithm).toBe("logistic");
    expect(m.rocAuc).toBeGreaterThanOrEqual(PUBLISHED_AUC);
    expect(Math.abs(m.rocAuc - sklearn.telcoChurnLogisticRocAuc42)).toBeLessThan(0.005);
    expect(m.accuracy).toBeGreaterThan(0.74);
    expect(seconds).toBeLessThan(20);

    expect(cv.folds).toBe(5);
    for (const figure of [cv.rocAuc, cv.accuracy]) {
      expect(figure.values).toHaveLength(5);
      expect(figure.mean).toBeCloseTo(figure.values.reduce((s, v) => s + v, 0) / 5, 12);
      expect(figure.mean).toBeGreaterThanOrEqual(Math.min(...figure.values));
      expect(figure.mean).toBeLessThanOrEqual(Math.max(...figure.values));
      expect(figure.std).toBeGreaterThan(0);
    }
    expect(cv.rocAuc.mean).toBeGreaterThanOrEqual(PUBLISHED_AUC);

    const saved = await h.ctx("check").models.load({ id: (res.outputs.model as ModelRef).id });
    expect(saved.kind).toBe("binary-classifier/logistic");
    const artifact = saved.artifact as LogisticClassifierArtifact;
    expect(artifact.logistic).toMatchObject({ link: "sigmoid", classes: 2, inputs: artifact.features.names.length, converged: true });
    expect(artifact).toMatchObject({ target: "Churn", positiveLabel: "true", negativeLabel: "false" });

    // Cross-validation only measures: the saved model is the one trained on the whole training part.
    const plain = await h.run(trainClassifier, { target: "Churn", algorithm: "logistic", modelName: "churn-lr" }, { rows: telco });
    expect((plain.metrics as BinaryMetrics).rocAuc).toBe(m.rocAuc);
    expect((plain.metrics as BinaryMetrics).crossValidation).toBeUndefined();
  });

  it("neural network: 3-fold cross-validation of the training part at the published level, progress across the folds", async () => {
    const reports: { fraction: number; message: string }[] = [];
    const ctx = h.ctx("cv", { onProgress: ({ fraction, message }) => void reports.push({ fraction: fraction ?? -1, message: message ?? "" }) });
    const started = Date.now();
    const res = await h.run(trainClassifier, { target: "Churn", modelName: "churn-cv", folds: 3 }, { rows: telco }, ctx);
    const seconds = (Date.now() - started) / 1000;
    const m = res.metrics as BinaryMetrics;
    const cv = m.crossValidation!;
    console.log(
      `Telco churn, neural network: 3-fold ROC AUC ${cv.rocAuc.mean.toFixed(4)} ± ${cv.rocAuc.std.toFixed(4)} (${cv.rocAuc.values.map((v) => v.toFixed(4)).join(", ")}), ` +
        `held-out ${m.rocAuc.toFixed(4)}; node run ${seconds.toFixed(1)} s`,
    );
    expect(cv.rocAuc.values).toHaveLength(3);
    expect(cv.rocAuc.mean).toBeGreaterThanOrEqual(PUBLISHED_AUC);
    expect(seconds).toBeLessThan(20);
    // Each of the four trainings reports (a pass takes well under 250 ms, a training over a second).
    expect(reports[0]!.message).toMatch(/^fold 1\/3: iteration 1\/30, error /);
    for (const stage of ["fold 2/3: iteration ", "fold 3/3: iteration ", "final model: iteration "]) {
      expect(reports.some((r) => r.message.startsWith(stage))).toBe(true);
    }
    expect(reports.every((r, i) => i === 0 || r.fraction >= reports[i - 1]!.fraction)).toBe(true);
    const final = reports.find((r) => r.message.startsWith("final model"))!;
    const pass = Number(/iteration (\d+)\//.exec(final.message)![1]);
    expect(final.fraction).toBeCloseTo(0.75 + (0.25 * pass) / 30, 12);
  });

  it("learns a three-class target (Contract) above the majority-class rate, with both algorithms", async () => {
    for (const algorithm of ["logistic", "neural"] as const) {
      // The network stops early here: up to 200 passes, watching 10% of the training rows.
      const neural = { iterations: 200, validationFraction: 0.1, patience: 10 };
      const cfg = { target: "Contract", algorithm, exclude: ["customerID"], modelName: `contract-${algorithm}`, ...(algorithm === "neural" ? neural : {}) };
      const res = await h.run(trainClassifier, cfg, { rows: telco });
      const m = res.metrics as MultiMetrics & { iterations: number; bestIteration?: number; stoppedEarly?: boolean; validationRows?: number; trainRows: number };
      console.log(
        `Telco Contract (3 classes), ${algorithm}: accuracy ${m.accuracy.toFixed(4)} vs majority class ${m.majorityRate.toFixed(4)}, macro F1 ${m.macroF1.toFixed(4)}, ` +
          `confusion ${JSON.stringify(m.confusion.matrix)}, ${m.iterations} iterations${m.bestIteration ? ` (best ${m.bestIteration})` : ""}`,
      );
      if (algorithm === "neural") {
        expect(m.stoppedEarly).toBe(true);
        expect(m.bestIteration).toBeLessThan(m.iterations);
        expect(m.iterations - m.bestIteration!).toBe(10);
        expect(Math.abs(m.validationRows! - m.trainRows * 0.1)).toBeLessThanOrEqual(2); // 10% of each class
      }
      expect(m.classes).toEqual(["Month-to-month", "One year", "Two year"]);
      expect(m.accuracy).toBeGreaterThan(m.majorityRate + 0.1);
      expect(m.macroF1).toBeGreaterThan(0.55);
      expect(m.confusion.labels).toEqual(m.classes);
      expect(m.confusion.matrix.flat().reduce((s, v) => s + v, 0)).toBe(m.testRows);
      expect(m).not.toHaveProperty("rocAuc");
      const saved = await h.ctx("check").models.load({ id: (res.outputs.model as ModelRef).id });
      expect(saved.kind).toBe(algorithm === "logistic" ? "classifier/logistic" : "classifier/brainjs");
      expect((saved.artifact as MultiClassLogisticArtifact).classes).toEqual(m.classes);
    }
  });

  it("cross-validates a three-class target", async () => {
    const features = ["tenure", "MonthlyCharges", "TotalCharges", "InternetService", "PaymentMethod", "PaperlessBilling"];
    const res = await h.run(trainClassifier, { target: "Contract", features, algorithm: "logistic", folds: 3, modelName: "contract-cv" }, { rows: telco });
    const cv = (res.metrics as MultiMetrics).crossValidation!;
    expect(cv.folds).toBe(3);
    expect(cv.accuracy.values).toHaveLength(3);
    expect(cv.macroF1.values).toHaveLength(3);
    expect(cv.accuracy.mean).toBeGreaterThan(0.65); // majority class: 0.55
  });

  it("learns from free text as a bag of words (Yelp review sentiment)", async () => {
    const reviews = await h.ctx("load").datasets.create(`SELECT * FROM read_json('${datasetFile("sentiment-yelp.json")}')`);
    const res = await h.run(trainClassifier, { target: "class", textColumns: ["text"], algorithm: "logistic", modelName: "yelp" }, { rows: reviews });
    const m = res.metrics as BinaryMetrics & { inputs: number; positiveLabel: string };
    console.log(`Yelp sentiment, logistic regression on a 200-word bag of words: held-out ROC AUC ${m.rocAuc.toFixed(4)}, accuracy ${m.accuracy.toFixed(4)}`);
    expect(m.positiveLabel).toBe("1");
    expect(m.inputs).toBe(200);
    expect(m.rocAuc).toBeGreaterThan(0.8);
    const artifact = (await h.ctx("check").models.load({ id: (res.outputs.model as ModelRef).id })).artifact as LogisticClassifierArtifact;
    expect(artifact.features.features[0]).toMatchObject({ kind: "text", column: "text", binary: true });
    expect((artifact.features.features[0] as { vocabulary: string[] }).vocabulary).toContain("good");
  });

  it("stops promptly with the abort reason when cancelled mid-training, and saves nothing", async () => {
    for (const algorithm of ["neural", "logistic"] as const) {
      const controller = new AbortController();
      let abortedAt = 0;
      let lastIteration = 0;
      const ctx = h.ctx(`cancel-${algorithm}`, {
        signal: controller.signal,
        onProgress: ({ details }) => {
          lastIteration = (details?.iteration as number) ?? lastIteration;
          // Abort from outside the training loop, as a cancelled run does, once training is under way.
          if (!abortedAt && lastIteration >= 1) {
            abortedAt = -1;
            setTimeout(() => {
              abortedAt = Date.now();
              controller.abort(new Error("run cancelled"));
            }, 0);
          }
        },
      });
      const err = await h.run(trainClassifier, { target: "Churn", algorithm, modelName: `cancelled-${algorithm}` }, { rows: telco }, ctx).catch((e: unknown) => e);
      const latency = Date.now() - abortedAt;
      console.log(`cancelled ${algorithm} training after iteration ${lastIteration}; rejected ${latency} ms after the abort`);
      expect(err).toBeInstanceOf(Error);
      expect((err as Error).message).toBe("run cancelled");
      expect(abortedAt).toBeGreaterThan(0);
      expect(latency).toBeLessThan(1_000);
      await expect(ctx.models.load({ name: `cancelled-${algorithm}` })).rejects.toBeInstanceOf(NotFoundError);
    }
  });

  it("stops when cancelled before it starts and saves nothing", async () => {
    const ctx = h.ctx("cancelled", { signal: AbortSignal.abort(new Error("run cancelled")) });
    await expect(h.run(trainClassifier, { target: "Churn", modelName: "never" }, { rows: telco }, ctx)).rejects.toThrow("run cancelled");
    await expect(ctx.models.load({ name: "never" })).rejects.toBeInstanceOf(NotFoundError);
  });

  it("names a missing target, feature or text column", async () => {
    for (const [cfg, field, name] of [
      [{ target: "Chrun" }, "target", "Chrun"],
      [{ target: "Churn", features: ["tenure", "Tenure2"] }, "features", "Tenure2"],
      [{ target: "Churn", textColumns: ["notes"] }, "textColumns", "notes"],
    ] as const) {
      const err = await h.run(trainClassifier, cfg, { rows: telco }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).message).toContain(`"${name}"`);
      expect((err as ConfigError).where).toBe(field);
    }
  });

  it("refuses targets with one value or too many, and a positive label for three classes", async () => {
    const churners = await h.ctx("churners").datasets.create(`SELECT * FROM read_csv('${csv}') WHERE Churn`);
    const one = await h.run(trainClassifier, { target: "Churn" }, { rows: churners }).catch((e: unknown) => e);
    expect(one).toBeInstanceOf(DataError);
    expect((one as Error).message).toMatch(/at least two values; found true \(1869\)/);

    const ids = await h.run(trainClassifier, { target: "customerID" }, { rows: telco }).catch((e: unknown) => e);
    expect(ids).toBeInstanceOf(DataError);
    expect((ids as Error).message).toMatch(/7043 values, more than the 50 classes/);

    const label = await h.run(trainClassifier, { target: "Contract", positiveLabel: "Two year" }, { rows: telco }).catch((e: unknown) => e);
    expect(label).toBeInstanceOf(ConfigError);
    expect((label as ConfigError).where).toBe("positiveLabel");
    for (const v of ["Month-to-month", "One year", "Two year"]) expect((label as Error).message).toContain(v);
  });

  it("asks which class is positive when the names do not tell", async () => {
    const err = await h.run(trainClassifier, { target: "gender" }, { rows: telco }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).where).toBe("positiveLabel");
    expect((err as ConfigError).message).toMatch(/Female or Male/);
  });

  it("takes 0 or 3 to 10 folds", async () => {
    for (const folds of [1, 2, 11]) {
      const err = await h.run(trainClassifier, { target: "Churn", folds }, { rows: telco }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).where).toBe("folds");
    }
  });

  it("refuses an empty input", async () => {
    const empty = await h.ctx("empty").datasets.create(`SELECT * FROM read_csv('${csv}') LIMIT 0`);
    await expect(h.run(trainClassifier, { target: "Churn" }, { rows: empty })).rejects.toBeInstanceOf(DataError);
  });

  it("names the model after the flow and the target when no name is given", async () => {
    const small = await h.ctx("small").datasets.create(
      `SELECT i AS id, i % 7 AS visits, CASE WHEN i % 7 > 3 THEN 'Yes' ELSE 'No' END AS "Bought it?" FROM range(40) t(i)`,
    );
    const inFlow = await h.run(trainClassifier, { target: "Bought it?", algorithm: "logistic" }, { rows: small }, h.ctx("train", { flowId: "telco-churn" }));
    expect(inFlow.metrics).toMatchObject({ model: "telco-churn-bought-it", modelVersion: 1 });
    const alone = await h.run(trainClassifier, { target: "Bought it?", algorithm: "logistic" }, { rows: small }, h.ctx("train", { flowId: "" }));
    expect(alone.metrics).toMatchObject({ model: "bought-it", modelVersion: 1 });
    const named = await h.run(trainClassifier, { target: "Bought it?", algorithm: "logistic", modelName: "mine" }, { rows: small }, h.ctx("train", { flowId: "telco-churn" }));
    expect(named.metrics).toMatchObject({ model: "mine" });
  });
});

describe("defaultModelName", () => {
  it("joins the flow id and the target as a slug, without saying the target twice", () => {
    expect(defaultModelName("telco-churn", "Churn")).toBe("telco-churn-churn");
    expect(defaultModelName("Telco churn", "Contract")).toBe("telco-churn-contract");
    expect(defaultModelName("", "Churn")).toBe("churn");
    expect(defaultModelName("weekly-churn", "Churn")).toBe("weekly-churn-churn");
    expect(defaultModelName("churn", "churn")).toBe("churn");
    expect(defaultModelName("flow-2", "Has it? (y/n)")).toBe("flow-2-has-it-y-n");
    expect(defaultModelName("flow", "???")).toBe("flow-model");
  });
});
