// Pure evaluation helpers for binary and multi-class classifiers, and the positive label of two
// classes. The seeded splits and folds are in ./splits.ts, re-exported here.
import { ConfigError } from "../sdk/errors";
export { mulberry32, shuffle, shuffleSplit, stratifiedFolds, stratifiedSplit } from "./splits";

export interface Confusion {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
}

export interface ClassificationMetrics {
  rocAuc: number;
  accuracy: number;
  precision: number;
  recall: number;
  f1: number;
  confusion: Confusion;
}

/**
 * Area under the ROC curve via the Mann-Whitney U statistic: the chance that a random positive
 * scores above a random negative, ties counting half (tied scores get their average rank).
 * NaN when either class is absent, since the area is then undefined.
 */
export function rocAuc(labels: ArrayLike<number>, scores: ArrayLike<number>): number {
  const n = labels.length;
  if (scores.length !== n) throw new Error(`rocAuc: ${n} labels but ${scores.length} scores`);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  let positives = 0;
  let rankSum = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1]!] === scores[order[i]!]) j++;
    const averageRank = (i + j) / 2 + 1; // ranks are 1-based
    for (let k = i; k <= j; k++) {
      if (labels[order[k]!] === 1) {
        positives++;
        rankSum += averageRank;
      }
    }
    i = j + 1;
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** A score at or above the threshold predicts the positive class (label 1). */
export function confusion(labels: ArrayLike<number>, scores: ArrayLike<number>, threshold = 0.5): Confusion {
  const c: Confusion = { tp: 0, fp: 0, tn: 0, fn: 0 };
  for (let i = 0; i < labels.length; i++) {
    const predicted = scores[i]! >= threshold;
    const actual = labels[i] === 1;
    if (predicted && actual) c.tp++;
    else if (predicted) c.fp++;
    else if (actual) c.fn++;
    else c.tn++;
  }
  return c;
}

// Undefined ratios (no predicted or no actual positives) are reported as 0, as scikit-learn does.
const ratio = (num: number, den: number) => (den === 0 ? 0 : num / den);

export const accuracy = (c: Confusion) => ratio(c.tp + c.tn, c.tp + c.fp + c.tn + c.fn);
export const precision = (c: Confusion) => ratio(c.tp, c.tp + c.fp);
export const recall = (c: Confusion) => ratio(c.tp, c.tp + c.fn);
export const f1 = (c: Confusion) => ratio(2 * c.tp, 2 * c.tp + c.fp + c.fn);

export function classificationMetrics(labels: ArrayLike<number>, scores: ArrayLike<number>, threshold = 0.5): ClassificationMetrics {
  const c = confusion(labels, scores, threshold);
  return { rocAuc: rocAuc(labels, scores), accuracy: accuracy(c), precision: precision(c), recall: recall(c), f1: f1(c), confusion: c };
}

/** Figures for a classifier of three or more classes (labels and predictions are class indices). */
export interface MultiClassMetrics {
  accuracy: number;
  /** Unweighted mean of the per-class F1 scores. */
  macroF1: number;
  /** matrix[actual][predicted] counts, rows and columns in `labels` order. */
  confusion: { labels: string[]; matrix: number[][] };
  perClass: { label: string; precision: number; recall: number; f1: number; support: number }[];
  /** Share of the most frequent actual class: the accuracy of always guessing it. */
  majorityRate: number;
}

export function multiClassMetrics(labels: ArrayLike<number>, predicted: ArrayLike<number>, classNames: readonly string[]): MultiClassMetrics {
  const k = classNames.length;
  const n = labels.length;
  if (predicted.length !== n) throw new Error(`multiClassMetrics: ${n} labels but ${predicted.length} predictions`);
  const matrix = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < n; i++) {
    const a = labels[i]!;
    const p = predicted[i]!;
    if (!(a >= 0 && a < k && p >= 0 && p < k)) throw new Error(`multiClassMetrics: class index out of range at ${i}`);
    matrix[a]![p]!++;
  }
  let correct = 0;
  let largest = 0;
  const perClass = classNames.map((label, c) => {
    const tp = matrix[c]![c]!;
    const support = matrix[c]!.reduce((s, v) => s + v, 0);
    const predictedAs = matrix.reduce((s, row) => s + row[c]!, 0);
    correct += tp;
    largest = Math.max(largest, support);
    return { label, precision: ratio(tp, predictedAs), recall: ratio(tp, support), f1: ratio(2 * tp, predictedAs + support), support };
  });
  return {
    accuracy: ratio(correct, n),
    macroF1: k ? perClass.reduce((s, c) => s + c.f1, 0) / k : 0,
    confusion: { labels: [...classNames], matrix },
    perClass,
    majorityRate: ratio(largest, n),
  };
}

/** Position of the largest value (the first one on ties). */
export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}

/**
 * Mean log loss (cross-entropy) of class probabilities: probabilities[i][labels[i]] is the
 * probability given to the true class of row i, clamped away from 0.
 */
export function logLoss(trueClassProbabilities: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < trueClassProbabilities.length; i++) sum -= Math.log(Math.min(1, Math.max(1e-15, trueClassProbabilities[i]!)));
  return trueClassProbabilities.length ? sum / trueClassProbabilities.length : Number.NaN;
}

/** Mean and standard deviation (n - 1 denominator; 0 for a single value) of some figures, with the figures. */
export function summarise(values: readonly number[]): { mean: number; std: number; values: number[] } {
  const n = values.length;
  const mean = n ? values.reduce((s, v) => s + v, 0) / n : Number.NaN;
  const std = n > 1 ? Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, std, values: [...values] };
}

const POSITIVE = /^(yes|true|1|y)$/i;
const NEGATIVE = /^(no|false|0|n)$/i;

/**
 * Which of two class values is the positive one, when their names make it obvious
 * (Yes/No, True/False, 1/0, Y/N in any case). Undefined when they do not.
 */
export function inferPositiveLabel(classes: readonly string[]): string | undefined {
  if (classes.length !== 2) return undefined;
  const [a, b] = classes as [string, string];
  if (POSITIVE.test(a.trim()) && NEGATIVE.test(b.trim())) return a;
  if (POSITIVE.test(b.trim()) && NEGATIVE.test(a.trim())) return b;
  return undefined;
}

/** How a target value is compared with the positive label: booleans and numbers as their text. */
export function labelKey(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  return String(value);
}

/**
 * The positive class among two, from the user's choice or inferred. The choice may differ in
 * case, or say Yes/No where the data holds true/false (DuckDB reads a Yes/No CSV column as
 * BOOLEAN). Undefined when it cannot be settled.
 */
export function resolvePositiveLabel(classes: readonly string[], requested?: string): string | undefined {
  if (requested === undefined || requested === "") return inferPositiveLabel(classes);
  if (classes.includes(requested)) return requested;
  const sameCase = classes.filter((c) => c.toLowerCase() === requested.trim().toLowerCase());
  if (sameCase.length === 1) return sameCase[0];
  const inferred = inferPositiveLabel(classes);
  if (inferred === undefined) return undefined;
  if (POSITIVE.test(requested.trim())) return inferred;
  if (NEGATIVE.test(requested.trim())) return classes.find((c) => c !== inferred);
  return undefined;
}

/** The positive class of a two-class column, or a ConfigError that says how to choose one. */
export function requirePositiveLabel(classes: readonly string[], requested: string | undefined, column: string): string {
  const label = resolvePositiveLabel(classes, requested);
  if (label !== undefined) return label;
  throw new ConfigError(
    requested
      ? `positiveLabel "${requested}" is not a value of "${column}" (values: ${classes.join(", ")})`
      : `Say which value of "${column}" is positive: ${classes.join(" or ")}`,
    { field: "positiveLabel" },
  );
}
