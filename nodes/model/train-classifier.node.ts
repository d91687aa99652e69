import { NeuralNetwork } from "brain.js";
import { z } from "zod";
import { column, ConfigError, DataError, defineNode, type DatasetRef } from "../sdk";
import { CLASSIFIER_KIND, encodedWidth, encodeInto, fitFeatures, isIdentifierLike, selectInFileOrder, type ClassifierArtifact } from "./features";
import { classificationMetrics, labelKey, mulberry32, requirePositiveLabel, shuffle, stratifiedSplit } from "./metrics";

type Row = Record<string, unknown>;

// Stop early once the training error is this small; brain.js needs some threshold.
const ERROR_THRESHOLD = 1e-4;
const PROGRESS_EVERY_MS = 250;

const config = z.object({
  target: column(z.string().min(1)).describe("Column to predict. It must hold exactly two values, e.g. Churn (Yes/No)."),
  positiveLabel: z
    .string()
    .optional()
    .describe("The value of the target that counts as positive. Leave empty for Yes/No, True/False, 1/0 or Y/N targets."),
  features: z.array(column(z.string())).default([]).describe("Columns to learn from. Empty: every column except the target and the excluded ones."),
  exclude: z.array(column(z.string())).default([]).describe("Columns never to learn from, such as ids or values known only after the outcome."),
  modelName: z.string().min(1).default("model").describe("Name in the model registry; each training saves a new version."),
  testFraction: z.number().min(0.05).max(0.5).default(0.2).describe("Share of rows held out (per class) to measure the model."),
  seed: z.number().int().default(42).describe("Seed for the split, the weights and the shuffling: the same seed trains the same model."),
  hiddenLayers: z.array(z.number().int().min(1).max(256)).min(1).max(4).default([8]).describe("Neurons in each hidden layer."),
  iterations: z.number().int().min(1).max(100_000).default(30).describe("Passes over the training rows."),
  learningRate: z.number().gt(0).lt(1).default(0.05).describe("Step size of each weight update."),
});

/** Which columns to learn from; ids (all values distinct) are left out unless asked for. */
function chooseFeatures(ref: DatasetRef, cfg: z.output<typeof config>, rows: readonly Row[]): { features: string[]; skipped: string[] } {
  const names = new Set(ref.columns.map((c) => c.name));
  for (const col of cfg.exclude) {
    if (!names.has(col)) throw new ConfigError(`Excluded column "${col}" is not in the input`, { field: "exclude" });
  }
  if (cfg.features.length) {
    for (const col of cfg.features) {
      if (!names.has(col)) throw new ConfigError(`Feature column "${col}" is not in the input`, { field: "features" });
      if (col === cfg.target) throw new ConfigError(`The target "${col}" cannot also be a feature`, { field: "features" });
    }
    return { features: cfg.features.filter((c) => !cfg.exclude.includes(c)), skipped: [] };
  }
  const candidates = ref.columns.filter((c) => c.name !== cfg.target && !cfg.exclude.includes(c.name));
  const skipped = candidates.filter((c) => isIdentifierLike(rows, c)).map((c) => c.name);
  return { features: candidates.map((c) => c.name).filter((c) => !skipped.includes(c)), skipped };
}

function classesOf(rows: readonly Row[], target: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of rows) {
    const k = labelKey(r[target]);
    if (k !== null) counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return counts;
}

/** brain.js draws initial weights from Math.random; drawing them from the seed makes training repeatable. */
function seedWeights(net: NeuralNetwork<Float32Array, Float32Array>, random: () => number): void {
  for (let layer = 1; layer < net.sizes.length; layer++) {
    const biases = net.biases[layer]!;
    for (let i = 0; i < biases.length; i++) biases[i] = random() * 0.4 - 0.2;
    for (const weights of net.weights[layer]!) for (let i = 0; i < weights.length; i++) weights[i] = random() * 0.4 - 0.2;
  }
}

export default defineNode({
  type: "model.train-classifier",
  version: 1,
  kind: "model",
  label: "Train classifier",
  description:
    "Learn to predict a yes/no column (such as churn) with a small neural network. Holds out a stratified test part, reports ROC AUC, accuracy, precision and recall on it, and saves a new model version.",
  inputs: { rows: "table" },
  outputs: { model: "model" },
  config,
  async run({ config: cfg, inputs, ctx }) {
    const ref = inputs.rows;
    if (!ref.columns.some((c) => c.name === cfg.target)) {
      throw new ConfigError(`Target column "${cfg.target}" is not in the input (columns: ${ref.columns.map((c) => c.name).join(", ")})`, { field: "target" });
    }
    if (ref.rows === 0) throw new DataError("The input has no rows to train on");

    const all = await ctx.datasets.query<Row>(selectInFileOrder(ctx.datasets, ref, ref.columns.map((c) => c.name)));
    const rows = all.filter((r) => labelKey(r[cfg.target]) !== null);
    if (rows.length === 0) throw new DataError(`Every value of the target "${cfg.target}" is empty`, { where: cfg.target });

    const counts = classesOf(rows, cfg.target);
    const classes = [...counts.keys()].sort();
    if (classes.length !== 2) {
      const found = classes.slice(0, 10).map((c) => `${c} (${counts.get(c)})`).join(", ");
      throw new DataError(`The target "${cfg.target}" must have exactly two values; found ${classes.length}: ${found}${classes.length > 10 ? ", ..." : ""}`, { where: cfg.target });
    }
    const positiveLabel = requirePositiveLabel(classes, cfg.positiveLabel, cfg.target);
    const y: number[] = rows.map((r) => (labelKey(r[cfg.target]) === positiveLabel ? 1 : 0));

    const { features, skipped } = chooseFeatures(ref, cfg, rows);
    if (features.length === 0) throw new ConfigError("No feature columns are left to learn from", { field: "features" });
    if (skipped.length) ctx.log.info("Left out id-like columns (every value distinct)", { columns: skipped });

    const split = stratifiedSplit(y, cfg.testFraction, cfg.seed);
    if (split.test.length === 0 || split.train.length === 0) {
      throw new DataError(`${rows.length} rows are too few to hold out a test part of ${cfg.testFraction}`);
    }
    const spec = fitFeatures(split.train.map((i) => rows[i]!), ref.columns, features);
    const width = encodedWidth(spec);
    const encode = (i: number) => encodeInto(spec, rows[i]!, new Float32Array(width));
    const data = split.train.map((i) => ({ input: encode(i), output: Float32Array.of(y[i]!) }));

    const random = mulberry32(cfg.seed);
    const net = new NeuralNetwork<Float32Array, Float32Array>({ inputSize: width, hiddenLayers: cfg.hiddenLayers, outputSize: 1 });
    net.initialize();
    seedWeights(net, random);

    // brain.js trains synchronously. One pass per train() call (it keeps the current weights, see
    // verifyIsInitialized in brain.js), then yield so heartbeats and cancellation get through.
    const started = Date.now();
    let lastProgress = 0;
    let error = Number.NaN;
    let iteration = 0;
    while (iteration < cfg.iterations) {
      ctx.signal.throwIfAborted();
      shuffle(data, random);
      error = net.train(data, { iterations: 1, learningRate: cfg.learningRate, errorThresh: ERROR_THRESHOLD, log: false }).error;
      iteration++;
      if (error <= ERROR_THRESHOLD) break;
      await new Promise((resolve) => setImmediate(resolve));
      if (Date.now() - lastProgress >= PROGRESS_EVERY_MS) {
        lastProgress = Date.now();
        ctx.progress(iteration / cfg.iterations, "training", { iteration, error });
      }
    }
    const trainSeconds = (Date.now() - started) / 1000;
    ctx.progress(1, "trained", { iteration, error });
    ctx.signal.throwIfAborted();

    const testLabels = split.test.map((i) => y[i]!);
    const testScores = split.test.map((i) => net.run(encode(i))[0]!);
    const evaluated = classificationMetrics(testLabels, testScores);
    const metrics = {
      ...evaluated,
      trainRows: split.train.length,
      testRows: split.test.length,
      positiveRate: y.reduce((s, v) => s + v, 0) / y.length,
      positiveLabel,
      features: features.length,
      inputs: width,
      ...(skipped.length ? { skippedColumns: skipped } : {}),
      ...(all.length > rows.length ? { droppedRows: all.length - rows.length } : {}),
      iterations: iteration,
      trainingError: error,
      trainSeconds,
    };
    const artifact: ClassifierArtifact = { net: net.toJSON(), features: spec, target: cfg.target, positiveLabel };
    const model = await ctx.models.save({ name: cfg.modelName, kind: CLASSIFIER_KIND, metrics, artifact, datasetId: ref.id });
    return { outputs: { model }, metrics: { ...metrics, model: model.name, modelVersion: model.version } };
  },
});
