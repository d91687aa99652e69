import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { datasetFile, failure, harness, type Harness } from "../../tests/harness";
import { ConfigError, type DatasetRef, type ModelRef } from "../sdk";
import jsonFile from "../source/json-file.node.ts";
import scoreText from "./score-text.node.ts";
import segment from "./segment.node.ts";
import { countsFromArtifact, fitNaiveBayes, predict, terms, type TextClassifierArtifact } from "./sentiment/naive-bayes";
import trainTextClassifier from "./train-text-classifier.node.ts";

let h: Harness;
let amazon: DatasetRef;
let model: ModelRef;

beforeAll(async () => {
  h = harness();
  const raw = (await h.run(jsonFile, { path: datasetFile("sentiment-amazon.json") })).outputs.rows as DatasetRef;
  const ds = h.ctx("setup").datasets;
  amazon = await ds.create(`SELECT * EXCLUDE (file_row_number) FROM ${ds.fromWithPosition(raw)} WHERE class IS NOT NULL ORDER BY file_row_number`);
  model = (await h.run(trainTextClassifier, { text: "text", target: "class", modelName: "reviews" }, { rows: amazon })).outputs.model as ModelRef;
});
afterAll(() => h.close());

type Scored = { text: string | null; predicted: number | null; probability: number | null };

describe("model.score-text", () => {
  it("adds the predicted label, in the label's type, and its probability, to every row in order", async () => {
    const res = await h.run(scoreText, {}, { rows: amazon, model });
    const out = res.outputs.rows as DatasetRef;
    expect(out.columns).toEqual([...amazon.columns, { name: "predicted", type: "BIGINT" }, { name: "probability", type: "DOUBLE" }]);
    const ds = h.ctx("q").datasets;
    const rows = await ds.query<Scored & { class: number }>(`SELECT * FROM ${ds.fromWithPosition(out)} ORDER BY file_row_number`);
    const inputTexts = await ds.query<{ text: string }>(`SELECT text FROM ${ds.fromWithPosition(amazon)} ORDER BY file_row_number`);
    expect(rows.map((r) => r.text)).toEqual(inputTexts.map((r) => r.text));

    // Each row as the saved counts predict it.
    const saved = await h.ctx("q").models.load({ id: model.id });
    const a = saved.artifact as TextClassifierArtifact;
    const nb = fitNaiveBayes(countsFromArtifact(a), a.alpha);
    const p = new Float64Array(2);
    for (const r of rows) {
      const c = predict(nb, terms(r.text!, false), p);
      expect(r.predicted).toBe(Number(a.classes[c]));
      expect(r.probability).toBeCloseTo(p[c]!, 12);
      expect(r.probability).toBeGreaterThanOrEqual(0.5);
    }
    // On its own training rows it does better than under cross-validation.
    const accuracy = rows.filter((r) => r.predicted === r.class).length / rows.length;
    console.log(`amazon: training accuracy ${accuracy.toFixed(3)} (cross-validated ${(saved.metrics as { accuracy: number }).accuracy.toFixed(3)})`);
    expect(accuracy).toBeGreaterThan((saved.metrics as { accuracy: number }).accuracy);
    const m = res.metrics as { rows: number; rowsWithoutText: number; predicted: Record<string, number>; meanProbability: number };
    expect(m).toMatchObject({ model: "reviews", modelVersion: 1, rows: 1000, rowsWithoutText: 0 });
    expect(m.predicted["0"]! + m.predicted["1"]!).toBe(1000);
    expect(m.predicted["1"]).toBe(rows.filter((r) => r.predicted === 1).length);
  });

  it("scores new texts by model name, from a differently named column, leaving rows without text empty", async () => {
    const ds = h.ctx("setup").datasets;
    const fresh = await ds.create(
      `SELECT * FROM (VALUES (1, 'Great phone, works perfectly and I love it'), (2, 'Terrible. It broke after a day, waste of money'), (3, NULL)) t(id, reply)`,
    );
    const res = await h.run(scoreText, { modelName: "reviews", text: "reply", predictedColumn: "sentiment", probabilityColumn: "confidence" }, { rows: fresh });
    const out = res.outputs.rows as DatasetRef;
    const rows = await ds.query(`SELECT id, sentiment, confidence FROM ${ds.fromWithPosition(out)} ORDER BY file_row_number`);
    expect(rows.map((r) => [r.id, r.sentiment])).toEqual([
      [1, 1],
      [2, 0],
      [3, null],
    ]);
    expect(rows[0]!.confidence).toBeGreaterThan(0.9);
    expect(rows[1]!.confidence).toBeGreaterThan(0.9);
    expect(rows[2]!.confidence).toBeNull();
    expect(res.metrics).toMatchObject({ rows: 3, rowsWithoutText: 1, predicted: { "0": 1, "1": 1 } });
  });

  it("keeps text labels as text", async () => {
    const ds = h.ctx("setup").datasets;
    const rows = await ds.create(
      `SELECT * FROM (VALUES ('refund my order', 'billing'), ('charged twice', 'billing'), ('parcel is late', 'delivery'), ('where is my parcel', 'delivery')) t(text, topic)`,
    );
    const trained = (await h.run(trainTextClassifier, { text: "text", target: "topic", folds: 2, modelName: "topics" }, { rows })).outputs.model as ModelRef;
    const out = (await h.run(scoreText, {}, { rows, model: trained })).outputs.rows as DatasetRef;
    expect(out.columns.at(-2)).toEqual({ name: "predicted", type: "VARCHAR" });
    const got = await ds.query(`SELECT predicted FROM ${ds.fromWithPosition(out)} ORDER BY file_row_number`);
    expect(got.map((r) => r.predicted)).toEqual(["billing", "billing", "delivery", "delivery"]);
  });

  it("names what is wrong", async () => {
    const ds = h.ctx("setup").datasets;
    const other = await ds.create(`SELECT 'fine' AS body, 1 AS n`);
    const lacks = await failure(h.run(scoreText, {}, { rows: other, model }));
    expect(lacks).toBeInstanceOf(ConfigError);
    expect(lacks.where).toBe("text");
    expect(lacks.message).toContain('"text"');
    expect((await failure(h.run(scoreText, { text: "n" }, { rows: other, model }))).message).toBe('Column "n" holds INTEGER, not text');
    expect((await failure(h.run(scoreText, {}, { rows: amazon }))).where).toBe("modelName");
    expect((await failure(h.run(scoreText, { predictedColumn: "class" }, { rows: amazon, model }))).where).toBe("predictedColumn");
    expect((await failure(h.run(scoreText, { predictedColumn: "p", probabilityColumn: "P" }, { rows: amazon, model }))).where).toBe("probabilityColumn");
    const numbers = await ds.create(`SELECT i * 1.0 AS x FROM range(10) t(i)`);
    const segmentation = (await h.run(segment, { columns: ["x"], k: 2 }, { rows: numbers })).outputs.model as ModelRef;
    const wrongKind = await failure(h.run(scoreText, {}, { rows: amazon, model: segmentation }));
    expect(wrongKind.message).toContain("segmentation/kmeans");
  });
});
