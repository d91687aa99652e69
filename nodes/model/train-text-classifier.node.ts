import { z } from "zod";
import { advanced, column, ConfigError, DataError, defineNode } from "../sdk";
import { valueTypeOf } from "../transform/expression";
import { countTerms, fitNaiveBayes, predict, stratifiedFolds, terms, TEXT_CLASSIFIER_KIND, type TextClassifierArtifact } from "./sentiment/naive-bayes";

/** More classes than this is a column of ids or free text, not labels. */
const MAX_CLASSES = 100;

const config = z
  .object({
    text: column(z.string().min(1)).describe("The column holding the text to learn from, such as a review or a reply."),
    target: column(z.string().min(1)).describe("The column holding the label to predict, e.g. 1/0 for positive/negative or a topic. Two or more values."),
    bigrams: advanced(z.boolean().default(false).describe("Also learn from pairs of neighbouring words (such as \"not good\"), not only single words.")),
    alpha: advanced(z.number().gt(0).max(100).default(1).describe("Smoothing added to every word count (1 is Laplace smoothing): higher values trust rare words less.")),
    folds: advanced(z.number().int().min(2).max(20).default(5).describe("Cross-validation folds: the rows are split into this many parts, each tested on a model trained on the others.")),
    seed: advanced(z.number().int().default(42).describe("Seed for dealing rows into folds: the same seed gives the same figures.")),
    modelName: z.string().min(1).default("text-classifier").describe("Name in the model registry; each training saves a new version."),
  })
  .refine((c) => c.text !== c.target, { path: ["target"], message: "The target must be another column than the text" });

export default defineNode({
  type: "model.train-text-classifier",
  version: 1,
  kind: "model",
  label: "Train text classifier",
  description:
    "Learn to label texts (for example reviews as positive or negative) from examples, by the words they use (a naive Bayes model). Checks how often it is right on rows it did not learn from (cross-validation), then trains on every row and saves the model for Score texts.",
  inputs: { rows: "table" },
  outputs: { model: "model" },
  config,
  async run({ config: cfg, inputs, ctx }) {
    const ref = inputs.rows;
    const { ident } = ctx.datasets;
    const byName = new Map(ref.columns.map((c) => [c.name, c]));
    const text = byName.get(cfg.text);
    if (!text) throw new ConfigError(`No column "${cfg.text}" in the input (columns: ${ref.columns.map((c) => c.name).join(", ")})`, { field: "text" });
    if (valueTypeOf(text.type) !== "text") throw new ConfigError(`Column "${cfg.text}" holds ${text.type}, not text`, { field: "text" });
    const target = byName.get(cfg.target);
    if (!target) throw new ConfigError(`No column "${cfg.target}" in the input (columns: ${ref.columns.map((c) => c.name).join(", ")})`, { field: "target" });
    if (/[[\]]|STRUCT|MAP|UNION/i.test(target.type)) throw new ConfigError(`Column "${cfg.target}" holds ${target.type}, not labels`, { field: "target" });

    const src = ctx.datasets.fromWithPosition(ref);
    const t = ident(text.name);
    const y = ident(target.name);
    const classRows = await ctx.datasets.query<{ label: string; n: number }>(
      `SELECT CAST(${y} AS VARCHAR) AS label, count(*) AS n FROM ${src} WHERE ${y} IS NOT NULL AND ${t} IS NOT NULL GROUP BY ${y} ORDER BY ${y}`,
    );
    if (classRows.length > MAX_CLASSES) {
      throw new DataError(`The target "${cfg.target}" has ${classRows.length} different values; a label column has at most ${MAX_CLASSES}`, { where: cfg.target });
    }
    if (classRows.length < 2) {
      throw new DataError(`The target "${cfg.target}" needs at least two different values in rows with text; found ${classRows.length}`, { where: cfg.target });
    }
    const classes = classRows.map((r) => r.label);
    const index = new Map(classes.map((c, i) => [c, i]));

    const rows = await ctx.datasets.query<{ t: string; y: string }>(
      `SELECT CAST(${t} AS VARCHAR) AS t, CAST(${y} AS VARCHAR) AS y FROM ${src} WHERE ${y} IS NOT NULL AND ${t} IS NOT NULL ORDER BY file_row_number`,
    );
    const n = rows.length;
    if (n < cfg.folds) throw new DataError(`${n} labelled rows are too few for ${cfg.folds}-fold cross-validation`);
    const labels = Int32Array.from(rows, (r) => index.get(r.y)!);
    const docs = rows.map((r) => terms(r.t, cfg.bigrams));
    const C = classes.length;

    // Cross-validation: each fold is predicted by a model counted on the other folds only.
    const folds = stratifiedFolds(labels, cfg.folds, cfg.seed);
    const foldAccuracy: number[] = [];
    const confusion = classes.map(() => new Array<number>(C).fill(0));
    const probabilities = new Float64Array(C);
    for (let f = 0; f < cfg.folds; f++) {
      ctx.signal.throwIfAborted();
      ctx.progress(f / (cfg.folds + 1), `cross-validation fold ${f + 1} of ${cfg.folds}`, { fold: f + 1 });
      const train: number[] = [];
      const test: number[] = [];
      for (let i = 0; i < n; i++) (folds[i] === f ? test : train).push(i);
      const model = fitNaiveBayes(countTerms(docs, labels, C, train), cfg.alpha);
      let right = 0;
      for (const i of test) {
        const p = predict(model, docs[i]!, probabilities);
        const row = confusion[labels[i]!]!;
        row[p] = row[p]! + 1;
        if (p === labels[i]) right++;
      }
      foldAccuracy.push(test.length ? right / test.length : Number.NaN);
      await new Promise((resolve) => setImmediate(resolve));
    }
    ctx.signal.throwIfAborted();
    ctx.progress(cfg.folds / (cfg.folds + 1), "training on every row");

    const all = countTerms(docs, labels, C);
    const accuracy = foldAccuracy.reduce((a, b) => a + b, 0) / cfg.folds;
    const accuracyStd = Math.sqrt(foldAccuracy.reduce((a, b) => a + (b - accuracy) ** 2, 0) / cfg.folds);
    const termList = [...all.counts.keys()];
    const artifact: TextClassifierArtifact = {
      version: 1,
      text: text.name,
      target: target.name,
      targetType: target.type,
      classes,
      bigrams: cfg.bigrams,
      alpha: cfg.alpha,
      docs: all.docs,
      totals: all.totals,
      terms: termList,
      counts: termList.map((term) => all.counts.get(term)!),
    };
    const metrics = {
      accuracy,
      accuracyStd,
      foldAccuracy,
      folds: cfg.folds,
      foldRows: Array.from({ length: cfg.folds }, (_, f) => folds.reduce((s, v) => s + (v === f ? 1 : 0), 0)),
      /** Always answering the most frequent class: the accuracy to beat. */
      majorityShare: Math.max(...all.docs) / n,
      classes: classRows.map((r) => ({ label: r.label, rows: Number(r.n) })),
      /** Out-of-fold predictions: confusion[actual][predicted]. */
      confusion: Object.fromEntries(classes.map((actual, a) => [actual, Object.fromEntries(classes.map((p, c) => [p, confusion[a]![c]!]))])),
      rows: n,
      droppedRows: ref.rows - n,
      vocabulary: termList.length,
      bigrams: cfg.bigrams,
      alpha: cfg.alpha,
    };
    const model = await ctx.models.save({ name: cfg.modelName, kind: TEXT_CLASSIFIER_KIND, metrics, artifact, datasetId: ref.id });
    ctx.progress(1, "trained");
    return { outputs: { model }, metrics: { ...metrics, model: model.name, modelVersion: model.version } };
  },
});
