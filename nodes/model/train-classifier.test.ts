import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, DataError, NotFoundError, type DatasetRef, type ModelRef } from "../sdk";
import { harness, datasetFile } from "../../tests/harness";
import type { ClassifierArtifact } from "./features";
import trainClassifier from "./train-classifier.node.ts";

const csv = datasetFile("telco-customer-churn.csv");

describe("model.train-classifier on Telco churn", () => {
  const h = harness();
  let telco: DatasetRef;
  afterAll(() => h.close());
  beforeAll(async () => {
    telco = await h.ctx("load").datasets.create(`SELECT * FROM read_csv('${csv}')`);
  });

  it("reaches a test ROC AUC of at least 0.80 on a stratified split and saves versions 1 then 2", async () => {
    const store = h.ctx("check").datasets;
    const [counts] = await store.query<{ pos: number; neg: number }>(
      `SELECT count(*) FILTER (WHERE Churn) AS pos, count(*) FILTER (WHERE NOT Churn) AS neg FROM ${store.from(telco)}`,
    );
    const fractions: number[] = [];
    const ctx = h.ctx("train", { onProgress: ({ fraction }) => void fractions.push(fraction ?? -1) });

    const started = Date.now();
    const first = await h.run(trainClassifier, { target: "Churn", modelName: "churn" }, { rows: telco }, ctx);
    const seconds = (Date.now() - started) / 1000;
    const m = first.metrics as {
      rocAuc: number;
      accuracy: number;
      precision: number;
      testRows: number;
      trainRows: number;
      positiveRate: number;
      confusion: { tp: number; fp: number; tn: number; fn: number };
      skippedColumns: string[];
    };
    console.log(`Telco test ROC AUC ${m.rocAuc.toFixed(4)}, accuracy ${m.accuracy.toFixed(4)}, node run ${seconds.toFixed(1)} s`);

    expect(m.rocAuc).toBeGreaterThanOrEqual(0.8);
    expect(m.accuracy).toBeGreaterThan(0.74); // above always answering "no churn" (73.5 %)
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
    const saved = await ctx.models.load({ name: "churn" });
    expect(saved.kind).toBe("binary-classifier/brainjs");
    expect(saved.datasetId).toBe(telco.id);
    const artifact = saved.artifact as ClassifierArtifact;
    expect(artifact.target).toBe("Churn");
    expect(artifact.positiveLabel).toBe("true"); // DuckDB reads the Yes/No column as BOOLEAN
    expect(artifact.features.inputs).toContain("TotalCharges");
    expect(artifact.features.inputs).not.toContain("Churn");
    expect(artifact.features.inputs).not.toContain("customerID");
    expect(artifact.net.sizes[0]).toBe(artifact.features.names.length);

    expect(fractions.at(-1)).toBe(1);
    expect(fractions.length).toBeGreaterThan(1);
    expect(fractions.every((f, i) => f >= 0 && f <= 1 && (i === 0 || f >= fractions[i - 1]!))).toBe(true);

    // Same seed, same model: the second save is version 2 with identical figures.
    const second = await h.run(trainClassifier, { target: "Churn", modelName: "churn" }, { rows: telco });
    expect((second.outputs.model as ModelRef).version).toBe(2);
    expect((second.metrics as Record<string, unknown>).rocAuc).toBe(m.rocAuc);
    expect((await ctx.models.load({ name: "churn" })).ref.version).toBe(2);
  });

  it("names a missing target column", async () => {
    const err = await h.run(trainClassifier, { target: "Chrun" }, { rows: telco }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toContain('"Chrun"');
    expect((err as ConfigError).where).toBe("target");
  });

  it("names a missing feature column", async () => {
    const err = await h.run(trainClassifier, { target: "Churn", features: ["tenure", "Tenure2"] }, { rows: telco }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toContain('"Tenure2"');
    expect((err as ConfigError).where).toBe("features");
  });

  it("refuses a target with three classes, listing them", async () => {
    const err = await h.run(trainClassifier, { target: "Contract" }, { rows: telco }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    for (const v of ["Month-to-month", "One year", "Two year"]) expect((err as DataError).message).toContain(v);
  });

  it("asks which class is positive when the names do not tell", async () => {
    const err = await h.run(trainClassifier, { target: "gender" }, { rows: telco }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).where).toBe("positiveLabel");
    expect((err as ConfigError).message).toMatch(/Female or Male/);
  });

  it("refuses an empty input", async () => {
    const empty = await h.ctx("empty").datasets.create(`SELECT * FROM read_csv('${csv}') LIMIT 0`);
    await expect(h.run(trainClassifier, { target: "Churn" }, { rows: empty })).rejects.toBeInstanceOf(DataError);
  });

  it("stops when cancelled and saves nothing", async () => {
    const ctx = h.ctx("cancelled", { signal: AbortSignal.abort(new Error("run cancelled")) });
    await expect(h.run(trainClassifier, { target: "Churn", modelName: "never" }, { rows: telco }, ctx)).rejects.toThrow("run cancelled");
    await expect(ctx.models.load({ name: "never" })).rejects.toBeInstanceOf(NotFoundError);
  });
});
