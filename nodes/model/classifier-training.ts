// Training one classifier for model.train-classifier: fit the features, train a brain.js network or
// a logistic regression with progress and cancellation, and measure it on held-out rows.
import { NeuralNetwork } from "brain.js";
import { DataError, type Column, type NodeContext } from "../sdk";
import { encodedWidth, encodeInto, fitFeatures, type FeatureSpec } from "./features";
import { fitLogistic } from "./logistic";
import { argmax, classificationMetrics, logLoss, mulberry32, multiClassMetrics, shuffle, stratifiedSplit } from "./metrics";
import {
  CLASSIFIER_KIND,
  classifierFromArtifact,
  LOGISTIC_CLASSIFIER_KIND,
  MULTICLASS_LOGISTIC_KIND,
  MULTICLASS_NET_KIND,
  netOutputs,
  netProbabilities,
  type ClassifierArtifact,
  type LogisticClassifierArtifact,
  type MultiClassLogisticArtifact,
  type MultiClassNetArtifact,
} from "./saved-classifiers";
import type { Config } from "./train-classifier-config";

type Row = Record<string, unknown>;

// Stop early once the training error is this small; brain.js needs some threshold.
const ERROR_THRESHOLD = 1e-4;
const PROGRESS_EVERY_MS = 250;
/** brain.js trains on this many rows per call, so cancellation is seen between calls. */
const CHUNK_ROWS = 1_000;
/** Logistic regression runs L-BFGS until converged; this only bounds a pathological case. */
const LOGISTIC_MAX_ITERATIONS = 1_000;

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
export class Pacer {
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

export interface Task {
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
export async function trainAndEvaluate(task: Task, trainIdx: number[], evalIdx: number[], pacer: Pacer) {
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
