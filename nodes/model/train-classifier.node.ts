import { NeuralNetwork } from "brain.js";
import { z } from "zod";
import { column, ConfigError, DataError, defineNode, type Column, type DatasetRef, type NodeContext } from "../sdk";
import {
  CLASSIFIER_KIND,
  classifierFromArtifact,
  encodedWidth,
  encodeInto,
  fitFeatures,
  isIdentifierLike,
  LOGISTIC_CLASSIFIER_KIND,
  MULTICLASS_LOGISTIC_KIND,
  MULTICLASS_NET_KIND,
  netOutputs,
  netProbabilities,
  selectInFileOrder,
  type ClassifierArtifact,
  type FeatureSpec,
  type LogisticClassifierArtifact,
  type MultiClassLogisticArtifact,
  type MultiClassNetArtifact,
} from "./features";
import { fitLogistic } from "./logistic";
import {
  argmax,
  classificationMetrics,
  labelKey,
  logLoss,
  mulberry32,
  multiClassMetrics,
  requirePositiveLabel,
  shuffle,
  stratifiedFolds,
  stratifiedSplit,
  summarise,
} from "./metrics";

type Row = Record<string, unknown>;

// Stop early once the training error is this small; brain.js needs some threshold.
const ERROR_THRESHOLD = 1e-4;
const PROGRESS_EVERY_MS = 250;
/** brain.js trains on this many rows per call, so cancellation is seen between calls. */
const CHUNK_ROWS = 1_000;
/** Logistic regression runs L-BFGS until converged; this only bounds a pathological case. */
const LOGISTIC_MAX_ITERATIONS = 1_000;
const MAX_CLASSES = 50;

const config = z.object({
  target: column(z.string().min(1)).describe("Column to predict: two values (e.g. Churn Yes/No) or a few classes (e.g. Contract)."),
  positiveLabel: z
    .string()
    .optional()
    .describe("For a two-valued target, the value that counts as positive. Leave empty for Yes/No, True/False, 1/0 or Y/N targets."),
  features: z.array(column(z.string())).default([]).describe("Columns to learn from. Empty: every column except the target and the excluded ones."),
  exclude: z.array(column(z.string())).default([]).describe("Columns never to learn from, such as ids or values known only after the outcome."),
  textColumns: z
    .array(column(z.string()))
    .default([])
    .describe("Free-text columns (reviews, notes) to learn from as a bag of words: the most common words in the training rows become inputs."),
  modelName: z.string().min(1).default("model").describe("Name in the model registry; each training saves a new version."),
  algorithm: z
    .enum(["neural", "logistic"])
    .default("neural")
    .describe("neural: a small brain.js neural network. logistic: L2-regularised logistic regression (softmax for 3+ classes), fast and exact."),
  testFraction: z.number().min(0.05).max(0.5).default(0.2).describe("Share of rows held out (per class) to measure the model."),
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 32 - 1)
    .default(42)
    .describe(
      "Seed for the split, the weights and the shuffling: the same seed trains the same model. The held-out rows are the ones scikit-learn's train_test_split(stratify=y, random_state=seed) picks.",
    ),
  folds: z
    .number()
    .int()
    .min(0)
    .max(10)
    .refine((v) => v === 0 || v >= 3, { message: "Use 0 (no cross-validation) or 3 to 10 folds" })
    .default(0)
    .describe("Cross-validation on the training part: 0 for none, else 3 to 10 stratified folds. Reports the mean and spread of the figures; the saved model is still trained on the whole training part."),
  maxCategories: z.number().int().min(1).max(200).default(20).describe("Most one-hot inputs per text column; rarer values share one 'other' input."),
  textVocabulary: z.number().int().min(1).max(5_000).default(200).describe("Words kept per free-text column."),
  textMode: z.enum(["binary", "counts"]).default("binary").describe("Free-text inputs: binary (word present or not) or counts (times the word occurs)."),
  regularisation: z
    .number()
    .min(0)
    .max(100)
    .default(1e-4)
    .describe("Logistic regression: strength of the L2 penalty on the weights (0 for none); larger values give smaller, steadier weights."),
  hiddenLayers: z.array(z.number().int().min(1).max(256)).min(1).max(4).default([8]).describe("Neural network: neurons in each hidden layer."),
  iterations: z.number().int().min(1).max(100_000).default(30).describe("Neural network: passes over the training rows (at most, when stopping early)."),
  learningRate: z.number().gt(0).lt(1).default(0.05).describe("Neural network: step size of each weight update."),
  momentum: z.number().gt(0).lt(1).default(0.1).describe("Neural network: share of the previous weight update carried into the next."),
  validationFraction: z
    .number()
    .min(0)
    .max(0.5)
    .default(0)
    .describe(
      "Neural network: share of the training rows (never the test part) set aside to stop early, keeping the weights of the pass with the lowest loss on them. 0: no early stopping, every pass on all training rows.",
    ),
  patience: z.number().int().min(1).max(1_000).default(10).describe("Neural network: stop after this many passes without a better validation loss."),
});
type Config = z.output<typeof config>;

/** Which columns to learn from; ids (all values distinct) are left out unless asked for. */
function chooseFeatures(ref: DatasetRef, cfg: Config, rows: readonly Row[]): { features: string[]; skipped: string[] } {
  const names = new Set(ref.columns.map((c) => c.name));
  for (const col of cfg.exclude) {
    if (!names.has(col)) throw new ConfigError(`Excluded column "${col}" is not in the input`, { field: "exclude" });
  }
  for (const col of cfg.textColumns) {
    if (!names.has(col)) throw new ConfigError(`Text column "${col}" is not in the input`, { field: "textColumns" });
    if (col === cfg.target) throw new ConfigError(`The target "${col}" cannot also be a text column`, { field: "textColumns" });
    if (cfg.exclude.includes(col)) throw new ConfigError(`Column "${col}" is both excluded and a text column`, { field: "textColumns" });
  }
  if (cfg.features.length) {
    for (const col of cfg.features) {
      if (!names.has(col)) throw new ConfigError(`Feature column "${col}" is not in the input`, { field: "features" });
      if (col === cfg.target) throw new ConfigError(`The target "${col}" cannot also be a feature`, { field: "features" });
    }
    const chosen = cfg.features.filter((c) => !cfg.exclude.includes(c));
    return { features: [...chosen, ...cfg.textColumns.filter((c) => !chosen.includes(c))], skipped: [] };
  }
  const candidates = ref.columns.filter((c) => c.name !== cfg.target && !cfg.exclude.includes(c.name));
  const skipped = candidates.filter((c) => !cfg.textColumns.includes(c.name) && isIdentifierLike(rows, c)).map((c) => c.name);
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

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Progress and cancellation for a training job made of stages (one per cross-validation fold,
 * then the final model). Reports at most every 250 ms, yields to the event loop so heartbeats and
 * abort events get through, and throws the abort reason as soon as it is seen.
 */
class Pacer {
  private lastReport = 0;
  private stage = 0;
  private label = "";

  constructor(
    private readonly ctx: NodeContext,
    private readonly stages: number,
  ) {}

  begin(stage: number, label: string): void {
    this.stage = stage;
    this.label = label;
  }

  /** Between batches: honour cancellation without reporting. */
  async check(): Promise<void> {
    this.ctx.signal.throwIfAborted();
    await nextTurn();
    this.ctx.signal.throwIfAborted();
  }

  async iteration(iteration: number, total: number, error: number): Promise<void> {
    this.ctx.signal.throwIfAborted();
    const now = Date.now();
    if (now - this.lastReport >= PROGRESS_EVERY_MS) {
      this.lastReport = now;
      const fraction = Math.min(1, (this.stage + Math.min(1, iteration / total)) / this.stages);
      const message = `${this.label}iteration ${iteration}/${total}, error ${error.toPrecision(4)}`;
      this.ctx.progress(fraction, message, { iteration, error, ...(this.stages > 1 ? { stage: this.stage + 1, stages: this.stages } : {}) });
    }
    await this.check();
  }
}

/** A model trained on encoded rows, with the part of the artifact that holds it. */
interface Fitted {
  model: { net: ClassifierArtifact["net"] } | { logistic: LogisticClassifierArtifact["logistic"] };
  iterations: number;
  error: number;
  details: Record<string, unknown>;
}

/** Mean log loss of a network's class probabilities on some rows. */
function netLogLoss(net: NeuralNetwork<Float32Array, Float32Array>, X: readonly Float32Array[], y: readonly number[], classes: number): number {
  const out = new Float64Array(classes);
  return logLoss(X.map((x, i) => netProbabilities(netOutputs(net, x), out)[y[i]!]!));
}

async function fitNeural(cfg: Config, X: Float32Array[], y: number[], classes: number, seed: number, pacer: Pacer): Promise<Fitted> {
  const outputs = classes === 2 ? 1 : classes;
  const target = (c: number) => {
    if (outputs === 1) return Float32Array.of(c);
    const t = new Float32Array(outputs);
    t[c] = 1;
    return t;
  };
  // Early stopping watches a stratified slice of the training rows; the test part is never seen.
  let fit = X.map((_, i) => i);
  let validation: number[] = [];
  if (cfg.validationFraction > 0) {
    const inner = stratifiedSplit(y, cfg.validationFraction, seed + 1);
    if (inner.test.length > 0 && inner.train.length > 0) ({ train: fit, test: validation } = inner);
  }
  const data = fit.map((i) => ({ input: X[i]!, output: target(y[i]!) }));
  const valX = validation.map((i) => X[i]!);
  const valY = validation.map((i) => y[i]!);

  const random = mulberry32(seed);
  const net = new NeuralNetwork<Float32Array, Float32Array>({ inputSize: X[0]!.length, hiddenLayers: cfg.hiddenLayers, outputSize: outputs });
  net.initialize();
  seedWeights(net, random);

  const snapshot = () => ({ biases: net.biases.map((b) => b && Float32Array.from(b)), weights: net.weights.map((l) => l && l.map((w) => Float32Array.from(w))) });
  let best: ReturnType<typeof snapshot> | undefined;
  let bestLoss = Infinity;
  let bestIteration = 0;
  let sinceBest = 0;
  let error = Number.NaN;
  let iteration = 0;
  const options = { iterations: 1, learningRate: cfg.learningRate, momentum: cfg.momentum, errorThresh: ERROR_THRESHOLD, log: false };
  // One pass per iteration, in chunks: brain.js trains synchronously and keeps the current
  // weights between train() calls (see verifyIsInitialized), so the loop can stop between chunks.
  while (iteration < cfg.iterations) {
    shuffle(data, random);
    let sum = 0;
    for (let start = 0; start < data.length; start += CHUNK_ROWS) {
      if (start > 0) await pacer.check();
      const chunk = data.slice(start, start + CHUNK_ROWS);
      sum += net.train(chunk, options).error * chunk.length;
    }
    error = sum / data.length;
    iteration++;
    let stop = error <= ERROR_THRESHOLD;
    if (valX.length) {
      const loss = netLogLoss(net, valX, valY, classes);
      if (loss < bestLoss - 1e-6) {
        bestLoss = loss;
        bestIteration = iteration;
        best = snapshot();
        sinceBest = 0;
      } else if (++sinceBest >= cfg.patience) stop = true;
    }
    await pacer.iteration(iteration, cfg.iterations, error);
    if (stop) break;
  }
  if (best) {
    net.biases = best.biases;
    net.weights = best.weights;
  }
  return {
    model: { net: net.toJSON() },
    iterations: iteration,
    error,
    details: valX.length ? { validationRows: valX.length, bestIteration, validationLogLoss: bestLoss, stoppedEarly: iteration < cfg.iterations } : {},
  };
}

async function fitLogisticRegression(cfg: Config, X: Float32Array[], y: number[], classes: number, pacer: Pacer): Promise<Fitted> {
  const model = await fitLogistic(X, y, classes, { l2: cfg.regularisation, maxIterations: LOGISTIC_MAX_ITERATIONS }, (it) => pacer.iteration(it.iteration, it.maxIterations, it.loss));
  return { model: { logistic: model }, iterations: model.iterations, error: model.loss, details: { converged: model.converged } };
}

interface Task {
  cfg: Config;
  rows: Row[];
  columns: Column[];
  features: string[];
  /** Class index per row; two classes: 1 = positive. */
  y: number[];
  /** Class values in index order; two classes: [negative, positive]. */
  classes: string[];
  binary: boolean;
  positiveLabel?: string;
}

/** The registry kind and the artifact of a fitted model. */
function artifactOf(task: Task, spec: FeatureSpec, fitted: Fitted): { kind: string; artifact: unknown } {
  const base = { features: spec, target: task.cfg.target };
  if (task.binary) {
    const labels = { positiveLabel: task.positiveLabel!, negativeLabel: task.classes[0]! };
    if ("net" in fitted.model) return { kind: CLASSIFIER_KIND, artifact: { net: fitted.model.net, ...base, ...labels } satisfies ClassifierArtifact };
    return { kind: LOGISTIC_CLASSIFIER_KIND, artifact: { logistic: fitted.model.logistic, ...base, ...labels } satisfies LogisticClassifierArtifact };
  }
  if ("net" in fitted.model) return { kind: MULTICLASS_NET_KIND, artifact: { net: fitted.model.net, ...base, classes: task.classes } satisfies MultiClassNetArtifact };
  return { kind: MULTICLASS_LOGISTIC_KIND, artifact: { logistic: fitted.model.logistic, ...base, classes: task.classes } satisfies MultiClassLogisticArtifact };
}

/**
 * Fit the features on `trainIdx`, train, and measure on `evalIdx` through the same code scoring
 * uses (the artifact is read back as model.score reads it).
 */
async function trainAndEvaluate(task: Task, trainIdx: number[], evalIdx: number[], pacer: Pacer) {
  const { cfg, rows, y } = task;
  const spec = fitFeatures(
    trainIdx.map((i) => rows[i]!),
    task.columns,
    task.features,
    { maxCategories: cfg.maxCategories, textColumns: cfg.textColumns, textVocabulary: cfg.textVocabulary, textMode: cfg.textMode },
  );
  const width = encodedWidth(spec);
  if (width === 0) throw new DataError("The feature columns give no inputs to learn from");
  const encode = (i: number) => encodeInto(spec, rows[i]!, new Float32Array(width));
  const X = trainIdx.map(encode);
  const trainY = trainIdx.map((i) => y[i]!);
  const k = task.classes.length;
  const fitted = cfg.algorithm === "logistic" ? await fitLogisticRegression(cfg, X, trainY, k, pacer) : await fitNeural(cfg, X, trainY, k, cfg.seed, pacer);
  const { kind, artifact } = artifactOf(task, spec, fitted);

  const model = classifierFromArtifact(kind, artifact);
  const out = new Float64Array(k);
  const labels = evalIdx.map((i) => y[i]!);
  const probabilities = evalIdx.map((i) => Float64Array.from(model.predict(encode(i), out)));
  const evaluated = task.binary
    ? classificationMetrics(labels, probabilities.map((p) => p[1]!))
    : multiClassMetrics(labels, probabilities.map((p) => argmax(p)), task.classes);
  return { spec, width, fitted, kind, artifact, evaluated };
}

export default defineNode({
  type: "model.train-classifier",
  version: 1,
  kind: "model",
  label: "Train classifier",
  description:
    "Learn to predict a column (such as churn, or a plan among several) with a small neural network or logistic regression. Holds out a stratified test part, reports ROC AUC, accuracy, precision and recall on it (accuracy, macro F1 and a confusion matrix for three or more classes), optionally cross-validates, and saves a new model version.",
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
    ctx.signal.throwIfAborted();

    const counts = classesOf(rows, cfg.target);
    const sorted = [...counts.keys()].sort();
    const listed = () => `${sorted.slice(0, 10).map((c) => `${c} (${counts.get(c)})`).join(", ")}${sorted.length > 10 ? ", ..." : ""}`;
    if (sorted.length < 2) throw new DataError(`The target "${cfg.target}" must have at least two values; found ${listed()}`, { where: cfg.target });
    if (sorted.length > MAX_CLASSES) {
      throw new DataError(`The target "${cfg.target}" has ${sorted.length} values, more than the ${MAX_CLASSES} classes this node learns: ${listed()}`, { where: cfg.target });
    }
    const binary = sorted.length === 2;
    let classes = sorted;
    let positiveLabel: string | undefined;
    if (binary) {
      positiveLabel = requirePositiveLabel(sorted, cfg.positiveLabel, cfg.target);
      classes = [sorted.find((c) => c !== positiveLabel)!, positiveLabel];
    } else if (cfg.positiveLabel) {
      throw new ConfigError(`positiveLabel applies to two-valued targets; "${cfg.target}" has ${sorted.length}: ${listed()}`, { field: "positiveLabel" });
    }
    const index = new Map(classes.map((c, i) => [c, i]));
    const y = rows.map((r) => index.get(labelKey(r[cfg.target])!)!);

    const { features, skipped } = chooseFeatures(ref, cfg, rows);
    if (features.length === 0) throw new ConfigError("No feature columns are left to learn from", { field: "features" });
    if (skipped.length) ctx.log.info("Left out id-like columns (every value distinct)", { columns: skipped });

    const split = stratifiedSplit(y, cfg.testFraction, cfg.seed);
    if (split.test.length === 0 || split.train.length === 0) {
      throw new DataError(`${rows.length} rows are too few to hold out a test part of ${cfg.testFraction}`);
    }
    const task: Task = { cfg, rows, columns: ref.columns, features, y, classes, binary, positiveLabel };
    const pacer = new Pacer(ctx, cfg.folds + 1);
    const started = Date.now();

    let crossValidation: Record<string, unknown> | undefined;
    if (cfg.folds) {
      const trainY = split.train.map((i) => y[i]!);
      for (const [c, label] of classes.entries()) {
        const n = trainY.filter((v) => v === c).length;
        if (n < cfg.folds) {
          throw new ConfigError(`Class "${label}" has ${n} training row${n === 1 ? "" : "s"}, too few for ${cfg.folds} folds; use fewer folds or none`, { field: "folds" });
        }
      }
      const parts = stratifiedFolds(trainY, cfg.folds, cfg.seed).map((p) => p.map((k) => split.train[k]!));
      const figures: Record<string, number[]> = binary ? { rocAuc: [], accuracy: [] } : { accuracy: [], macroF1: [] };
      for (const [f, held] of parts.entries()) {
        pacer.begin(f, `fold ${f + 1}/${cfg.folds}: `);
        const heldOut = new Set(held);
        const { evaluated } = await trainAndEvaluate(task, split.train.filter((i) => !heldOut.has(i)), held, pacer);
        for (const key of Object.keys(figures)) figures[key]!.push((evaluated as unknown as Record<string, number>)[key]!);
      }
      crossValidation = { folds: cfg.folds, ...Object.fromEntries(Object.entries(figures).map(([k, v]) => [k, summarise(v)])) };
    }

    pacer.begin(cfg.folds, cfg.folds ? "final model: " : "");
    const { spec, width, fitted, kind, artifact, evaluated } = await trainAndEvaluate(task, split.train, split.test, pacer);
    const trainSeconds = (Date.now() - started) / 1000;
    ctx.progress(1, "trained", { iteration: fitted.iterations, error: fitted.error });
    ctx.signal.throwIfAborted();

    const metrics = {
      algorithm: cfg.algorithm,
      ...evaluated,
      trainRows: split.train.length,
      testRows: split.test.length,
      ...(binary ? { positiveRate: y.reduce((s, v) => s + v, 0) / y.length, positiveLabel } : { classes }),
      features: features.length,
      inputs: width,
      ...(skipped.length ? { skippedColumns: skipped } : {}),
      ...(all.length > rows.length ? { droppedRows: all.length - rows.length } : {}),
      ...(crossValidation ? { crossValidation } : {}),
      iterations: fitted.iterations,
      trainingError: fitted.error,
      ...fitted.details,
      trainSeconds,
    };
    const types = new Map(ref.columns.map((c) => [c.name, c.type]));
    const model = await ctx.models.save({
      name: cfg.modelName,
      kind,
      metrics,
      artifact,
      datasetId: ref.id,
      inputSchema: spec.inputs.map((name) => ({ name, type: types.get(name) ?? null })),
    });
    return { outputs: { model }, metrics: { ...metrics, model: model.name, modelVersion: model.version } };
  },
});
