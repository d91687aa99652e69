// Saved classifiers. model.train-classifier writes one of four kinds; model.score reads them all.
//
//   kind                          artifact                     classes
//   binary-classifier/brainjs     ClassifierArtifact           two; brain.js network, 1 sigmoid output = P(positive)
//   binary-classifier/logistic    LogisticClassifierArtifact   two; logistic regression (sigmoid) = P(positive)
//   classifier/brainjs            MultiClassNetArtifact        3+; brain.js network, 1 sigmoid output per class,
//                                                              probabilities = outputs / their sum
//   classifier/logistic           MultiClassLogisticArtifact   3+; multinomial (softmax) logistic regression
//
// Every artifact carries the fitted FeatureSpec and the target column. The first kind has kept its
// shape since the first release, so models saved then still score.
import { NeuralNetwork } from "brain.js";
import { DataError } from "../sdk/errors";
import { encodedWidth, type FeatureSpec } from "./features";
import { predictLogistic, type LogisticModel } from "./logistic";

/** Model kind in the registry for the brain.js binary classifier. */
export const CLASSIFIER_KIND = "binary-classifier/brainjs";
export const LOGISTIC_CLASSIFIER_KIND = "binary-classifier/logistic";
export const MULTICLASS_NET_KIND = "classifier/brainjs";
export const MULTICLASS_LOGISTIC_KIND = "classifier/logistic";
export const CLASSIFIER_KINDS = [CLASSIFIER_KIND, LOGISTIC_CLASSIFIER_KIND, MULTICLASS_NET_KIND, MULTICLASS_LOGISTIC_KIND] as const;

export type NetJSON = ReturnType<NeuralNetwork<Float32Array, Float32Array>["toJSON"]>;

/** binary-classifier/brainjs: what a saved classifier holds, written by model.train-classifier, read by model.score. */
export interface ClassifierArtifact {
  net: NetJSON;
  features: FeatureSpec;
  target: string;
  positiveLabel: string;
  /** The other class (absent from models saved before it was kept). */
  negativeLabel?: string;
}

/** binary-classifier/logistic */
export interface LogisticClassifierArtifact {
  logistic: LogisticModel;
  features: FeatureSpec;
  target: string;
  positiveLabel: string;
  negativeLabel: string;
}

/** classifier/brainjs */
export interface MultiClassNetArtifact {
  net: NetJSON;
  features: FeatureSpec;
  target: string;
  /** Class values (as text) in output order, sorted. */
  classes: string[];
}

/** classifier/logistic */
export interface MultiClassLogisticArtifact {
  logistic: LogisticModel;
  features: FeatureSpec;
  target: string;
  classes: string[];
}

/** A saved classifier ready to score encoded rows. */
export interface Classifier {
  kind: string;
  features: FeatureSpec;
  target: string;
  /** Two classes: the positive label, whose probability is the score. Absent for 3+ classes. */
  positiveLabel?: string;
  /** Class values in probability order; two classes: [negative, positive]. */
  classes: string[];
  /** Probabilities of the classes for one encoded row, into `out` (length classes.length). */
  predict(x: Float32Array, out: Float64Array): Float64Array;
}

/**
 * The outputs of a brain.js network for one row, as an array. brain.js answers with an object
 * ({"0": p, ...}) rather than an array when it was trained on typed arrays: it then keeps a lookup
 * table of the indices, as every network this node saved does.
 */
export function netOutputs(net: NeuralNetwork<Float32Array, Float32Array>, x: Float32Array): ArrayLike<number> {
  const y = net.run(x) as unknown;
  if (ArrayBuffer.isView(y) || Array.isArray(y)) return y as ArrayLike<number>;
  const byIndex = y as Record<string, number>;
  return Array.from({ length: net.sizes.at(-1)! }, (_, i) => byIndex[i] ?? 0);
}

/** Probabilities from brain.js outputs: one output is P(class 1); several are normalised to sum to 1. */
export function netProbabilities(outputs: ArrayLike<number>, out: Float64Array): Float64Array {
  if (outputs.length === 1) {
    out[0] = 1 - outputs[0]!;
    out[1] = outputs[0]!;
    return out;
  }
  let sum = 0;
  for (let c = 0; c < outputs.length; c++) sum += outputs[c]!;
  for (let c = 0; c < outputs.length; c++) out[c] = sum > 0 ? outputs[c]! / sum : 1 / outputs.length;
  return out;
}

/** Check a saved artifact's shape for its kind and make it a Classifier; DataError when it does not hold what the kind needs. */
export function classifierFromArtifact(kind: string, artifact: unknown, what = "The model"): Classifier {
  if (!(CLASSIFIER_KINDS as readonly string[]).includes(kind)) {
    throw new DataError(`${what} is a ${kind}, not a classifier this version reads (${CLASSIFIER_KINDS.join(", ")})`, { where: "model" });
  }
  const a = (artifact ?? {}) as Partial<ClassifierArtifact & LogisticClassifierArtifact & MultiClassNetArtifact>;
  if (!a.features?.inputs || !Array.isArray(a.features.features)) throw new DataError(`${what} has no feature preparation saved`, { where: "model" });
  const features = a.features;
  const target = a.target ?? "";
  const width = encodedWidth(features);
  const binary = kind === CLASSIFIER_KIND || kind === LOGISTIC_CLASSIFIER_KIND;
  if (binary && typeof a.positiveLabel !== "string") throw new DataError(`${what} has no positive label saved`, { where: "model" });
  if (!binary && !(Array.isArray(a.classes) && a.classes.length >= 2)) throw new DataError(`${what} has no classes saved`, { where: "model" });
  const classes = binary ? [a.negativeLabel ?? `not ${a.positiveLabel}`, a.positiveLabel!] : a.classes!;
  const base = { kind, features, target, classes, ...(binary ? { positiveLabel: a.positiveLabel } : {}) };

  if (kind === CLASSIFIER_KIND || kind === MULTICLASS_NET_KIND) {
    if (!a.net?.sizes) throw new DataError(`${what} has no network saved`, { where: "model" });
    const outputs = binary ? 1 : classes.length;
    if (a.net.sizes[0] !== width || a.net.sizes.at(-1) !== outputs) {
      throw new DataError(`${what} has a network of ${a.net.sizes.join("-")} for ${width} inputs and ${outputs} outputs`, { where: "model" });
    }
    const net = new NeuralNetwork<Float32Array, Float32Array>().fromJSON(a.net);
    return { ...base, predict: (x, out) => netProbabilities(netOutputs(net, x), out) };
  }
  if (kind === LOGISTIC_CLASSIFIER_KIND || kind === MULTICLASS_LOGISTIC_KIND) {
    const m = a.logistic;
    if (!m?.weights || m.inputs !== width || m.classes !== classes.length) {
      throw new DataError(`${what} has no logistic regression for ${width} inputs and ${classes.length} classes saved`, { where: "model" });
    }
    return { ...base, predict: (x, out) => predictLogistic(m, x, out) };
  }
  throw new Error(`classifierFromArtifact: kind ${kind} has no reader`);
}
